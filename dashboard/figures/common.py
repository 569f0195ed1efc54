"""What every chart shares: fonts, colours, the page's scaffold and the empty chart."""

from __future__ import annotations

import plotly.graph_objects as go

FONT = {"size": 15, "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"}
COLORS = {
    "loss": "#1f77b4",
    "val_loss": "#d62728",
    "actual": "#212529",
    "context": "#adb5bd",
    "predicted": "#fd7e14",
    "naive": "#6c757d",
    "best": "#198754",
    "anomaly": "#d62728",
}


def base_figure(title: str, x_title: str, y_title: str) -> go.Figure:
    """An empty chart in the page's style: white, readable fonts, legend below."""
    figure = go.Figure()
    figure.update_layout(
        template="plotly_white",
        font=FONT,
        title={"text": title, "x": 0.01, "font": {"size": 17}},
        margin={"l": 60, "r": 16, "t": 44, "b": 20},
        legend={"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0, "xanchor": "left"},
        xaxis_title=x_title,
        yaxis_title=y_title,
        hovermode="x unified",
        uirevision="keep",  # zoom and legend clicks survive live updates
    )
    return figure


def empty_figure(message: str) -> go.Figure:
    """A blank chart that says what will appear in it."""
    figure = base_figure("", "", "")
    figure.add_annotation(
        text=message,
        showarrow=False,
        font={"size": 16, "color": "#6c757d"},
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure
