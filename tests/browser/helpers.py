"""Small page actions shared by the browser stories."""

from __future__ import annotations

from playwright.sync_api import Page

LOSS_POINTS = """() => {
  const g = document.querySelector('#loss-graph .js-plotly-plot');
  return g && g.data && g.data[0].x ? g.data[0].x.length : 0;
}"""
PREDICTION_TRACES = """() => {
  const g = document.querySelector('#prediction-graph .js-plotly-plot');
  return g && g.data ? g.data.map(t => t.name) : [];
}"""


def open_app(page: Page, url: str) -> None:
    """Load the page and wait until the dataset is picked and the controls answer."""
    page.goto(url)
    page.wait_for_selector("#dataset-badge:has-text('dataset:')", timeout=30_000)


def set_slider(page: Page, name: str, value: float) -> None:
    """Type a value into a setting's number box, as a user would; the slider follows."""
    box = page.locator(f"#{name}-input")
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_function(  # the slider may be re-rendered meanwhile: absent for a moment
        f"() => {{ const s = document.querySelector('#{name}-slider [role=slider]');"
        f" return !!s && s.getAttribute('aria-valuenow') == '{value}'; }}"
    )


def loss_points(page: Page) -> int:
    """How many epochs the loss chart shows."""
    return int(page.evaluate(LOSS_POINTS))


def pick_dataset(page: Page, title: str) -> None:
    """Choose a built-in dataset in the dropdown by its title."""
    page.click("#dataset-picker")
    page.get_by_role("option", name=title).click()
    page.wait_for_selector(f"#dataset-badge:has-text('{title}')")


def wait_for_loss_points(page: Page, count: int, timeout_ms: int = 60_000) -> None:
    """Wait until the loss chart shows at least `count` epochs."""
    page.wait_for_function(f"() => ({LOSS_POINTS})() >= {count}", timeout=timeout_ms)


def wait_for_prediction_trace(page: Page, name: str, timeout_ms: int = 60_000) -> None:
    """Wait until the prediction chart has a trace called `name`."""
    page.wait_for_function(f"() => ({PREDICTION_TRACES})().includes('{name}')", timeout=timeout_ms)
