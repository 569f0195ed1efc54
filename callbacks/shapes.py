"""The shape picker of long and wide uploads: the choices offered, and Apply making the
reshaped upload (dashboard.ingest.uploads.reshape) the dataset in use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from dash import Dash, Input, Output, State, no_update

from dashboard import ids, sessions
from dashboard.ingest import uploads
from dashboard.ingest.kept import GONE, picked_upload
from dashboard.ingest.reader import DataError
from dashboard.layout import data_panel
from dashboard.payloads import UploadMeta
from dashboard.settings import Settings
from dashboard.store import NotFound, Store


class ShapeChoice(NamedTuple):
    """offer_shapes' outputs, in Output order."""

    style: Any = no_update
    options: Any = no_update
    value: Any = no_update
    note: Any = no_update


def shape_choice(meta: UploadMeta | None) -> ShapeChoice:
    """The shape picker of a long or wide upload (its choices, the one in use); else hidden."""
    shape = meta.get("shape") if meta else None
    if not shape:
        return ShapeChoice(data_panel.HIDDEN, [], None, "")
    options = data_panel.shape_options(shape["choices"])
    return ShapeChoice({}, options, shape["choice"], shape["sentence"])


class AppliedShape(NamedTuple):
    """apply_shape's outputs, in Output order."""

    dataset_options: Any = no_update
    dataset: Any = no_update
    problem: Any = no_update
    problem_open: Any = no_update


def applied_shape(
    store: Store,
    settings: Settings,
    session: str,
    picked: str,
    choice: str,
    options: list[Any] | None,
) -> AppliedShape:
    """The upload that a shape choice makes (uploads.reshape) offered in place of the picked
    one and picked; or what went wrong (the dataset in use stays)."""
    try:
        meta = uploads.reshape(store, settings, sessions.verify(store, session), picked, choice)
    except sessions.InvalidSession as refused:
        return AppliedShape(problem=refused.message, problem_open=True)
    except NotFound:
        return AppliedShape(problem=GONE, problem_open=True)
    except DataError as problem:
        return AppliedShape(problem=str(problem), problem_open=True)
    if meta["upload"] == picked:
        return AppliedShape(problem="", problem_open=False)
    offered = data_panel.with_upload_entry(meta, options)
    return AppliedShape(offered, meta["upload"], "", False)


def register(app: Dash, settings: Settings, store: Store) -> dict[str, Callable[..., Any]]:
    """Wire the shape picker of long and wide uploads."""

    @app.callback(
        Output(ids.SHAPE_BOX, "style"),
        Output(ids.SHAPE_PICKER, "options"),
        Output(ids.SHAPE_PICKER, "value"),
        Output(ids.SHAPE_NOTE, "children"),
        Input(ids.DATASET_PICKER, "value"),
        State(ids.SESSION, "data"),
    )
    def offer_shapes(picked: str | None, session: str) -> ShapeChoice:
        """Show a long or wide upload's shape choices, the one in use picked."""
        return shape_choice(picked_upload(store, session, picked))

    @app.callback(
        Output(ids.DATASET_PICKER, "options", allow_duplicate=True),
        Output(ids.DATASET_PICKER, "value", allow_duplicate=True),
        Output(ids.DATA_PROBLEM, "children", allow_duplicate=True),
        Output(ids.DATA_PROBLEM, "is_open", allow_duplicate=True),
        Input(ids.SHAPE_APPLY, "n_clicks"),
        State(ids.SHAPE_PICKER, "value"),
        State(ids.DATASET_PICKER, "value"),
        State(ids.DATASET_PICKER, "options"),
        State(ids.SESSION, "data"),
        prevent_initial_call=True,
    )
    def apply_shape(
        _clicks: int, choice: str, picked: str, options: list[Any], session: str
    ) -> AppliedShape:
        """Make the chosen shape of the upload the dataset in use."""
        return applied_shape(store, settings, session, picked, choice, options)

    return {"offer_shapes": offer_shapes, "apply_shape": apply_shape}
