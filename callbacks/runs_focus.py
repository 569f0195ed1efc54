"""The Runs tab's focused run: its epoch-by-epoch replay, its downloads and share link
(with or without the data, as the owner's switch says: dashboard.sharing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from dash import Dash, Input, Output, State, no_update

from dashboard import ids, sessions
from dashboard import urls as share
from dashboard.figures import common as figures
from dashboard.figures import runs as figures_runs
from dashboard.layout import runs_grid, runs_panel
from dashboard.payloads import RunRecord
from dashboard.store import NotFound, Store


class FocusedRun(NamedTuple):
    """focus_run's outputs, in Output order."""

    replay_marks: Any = no_update
    replay_min: Any = no_update
    replay_max: Any = no_update
    replay_epoch: Any = no_update
    downloads: Any = no_update
    share_link: Any = no_update
    pin_label: Any = no_update


def focused_run(
    store: Store, record: RunRecord, href: str | None, pin_label: str, share_data: bool = False
) -> FocusedRun:
    """The focused run's replay epochs (the newest picked), its downloads and share link
    (made on first request; `share_data`: the link includes the data)."""
    epochs = sorted(store.prediction_history(record["id"]))
    share_id = store.share_run(record["id"], record["session"], share_data)
    return FocusedRun(
        replay_marks={epoch: str(epoch) for epoch in epochs},
        replay_min=min(epochs, default=0),
        replay_max=max(epochs, default=1),
        replay_epoch=max(epochs) if epochs else None,
        downloads=runs_panel.download_links(record["id"], store.available_files(record["id"])),
        share_link=_origin(href) + share.share_path(share_id),
        pin_label=pin_label,
    )


def register(app: Dash, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire the focused run: which run, its replay, downloads and share link."""

    @app.callback(
        Output(ids.FOCUS_RUN, "value", allow_duplicate=True),
        Input(ids.RUNS_TABLE, "selectedRows"),
        State(ids.FOCUS_RUN, "value"),
        prevent_initial_call=True,
    )
    def follow_selection(selected: list[dict[str, Any]] | None, focus: str | None) -> Any:
        """Bring the newest selected run into the replay and download card."""
        picked = runs_grid.selected_ids(selected)
        return picked[-1] if picked and focus not in picked else no_update

    @app.callback(
        Output(ids.REPLAY_SLIDER, "marks"),
        Output(ids.REPLAY_SLIDER, "min"),
        Output(ids.REPLAY_SLIDER, "max"),
        Output(ids.REPLAY_SLIDER, "value"),
        Output(ids.RUN_DOWNLOADS, "children"),
        Output(ids.SHARE_LINK, "value"),
        Output(ids.PIN_BASELINE, "children"),
        Input(ids.FOCUS_RUN, "value"),
        Input(ids.BASELINE, "data"),
        Input(ids.LIVE_PHASE, "data"),  # a run that ends gains snapshots and a model file
        Input(ids.SHARE_DATA, "value"),
        State(ids.SESSION, "data"),
        State(ids.URL, "href"),
    )
    def focus_run(
        run_id: str | None,
        baseline: str | None,
        _status: Any,
        share_data: bool | None,
        session: str,
        href: str,
    ) -> FocusedRun:
        """The picked run's replay epochs, its downloads and its share link."""
        pin = "Unpin baseline" if run_id and run_id == baseline else "Pin as baseline"
        try:
            record = store.owned_run(run_id or "", sessions.verify(store, session))
        except NotFound:
            return FocusedRun({}, 0, 1, None, [], "", pin)
        return focused_run(store, record, href, pin, bool(share_data))

    @app.callback(
        Output(ids.REPLAY_GRAPH, "figure"),
        Input(ids.REPLAY_SLIDER, "value"),
        Input(ids.FOCUS_RUN, "value"),
        State(ids.SESSION, "data"),
    )
    def replay(epoch: int | None, run_id: str | None, session: str) -> Any:
        """The focused run's predictions as they were at the chosen epoch."""
        try:
            record = store.owned_run(run_id or "", sessions.verify(store, session))
        except NotFound:
            return figures.empty_figure("Pick a run to replay its predictions.")
        history = store.prediction_history(record["id"])
        if not history:
            return figures.empty_figure("This run kept no predictions.")
        shown = max((e for e in history if epoch is None or e <= epoch), default=min(history))
        latest = shown == max(history)
        return figures_runs.run_prediction_figure(record, shown, history[shown], latest)

    return {"follow_selection": follow_selection, "focus_run": focus_run, "replay": replay}


def _origin(href: str | None) -> str:
    parts = urlsplit(href or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
