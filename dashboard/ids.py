"""Every component id of the page, once."""

# page state
SESSION = "session-id"  # per browser tab (sessionStorage): owns datasets and runs
PAGE = "page-id"  # per page load: keeps identical clicks of two loads apart
DATASET = "dataset-meta"  # small JSON: id, name, columns, rows
LIVE = "live-state"  # progress of the running job (whole history each time)
RESULT = "run-result"  # the final state of the last run

# header
DEVICE_BADGE = "device-badge"
DATASET_BADGE = "dataset-badge"

# data controls
DATASET_PICKER = "dataset-picker"
TARGET_PICKER = "target-picker"
ATTRIBUTION = "attribution"
SPLIT = "split-slider"
SPLIT_LABEL = "split-label"

# model and training controls: one slider per entry of ml.params.PARAMS
TRAIN = "train-button"
CANCEL = "cancel-button"
SETTINGS_PROBLEM = "settings-problem"

# training tab
TABS = "tabs"
LOSS_GRAPH = "loss-graph"
LOG_SCALE = "log-scale"
PROGRESS = "progress-bar"
PROGRESS_TEXT = "progress-text"
STATUS = "status-alert"
PRED_GRAPH = "prediction-graph"
PRED_SHOWN = "prediction-shown"  # [run id, epoch] of the predictions drawn
METRICS = "metrics-table"
MODEL_SUMMARY = "model-summary"

# data tab
SERIES_GRAPH = "series-graph"
DATA_SUMMARY = "data-summary"


def slider(name: str) -> str:
    """Id of the slider of setting `name`."""
    return f"{name}-slider"


def slider_input(name: str) -> str:
    """Id of the number box beside the slider of setting `name` (shows it, and takes typing)."""
    return f"{name}-input"
