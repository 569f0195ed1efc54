"""Every component id of the page, once."""

# page state
SESSION = "session-id"  # per tab (sessionStorage): a token signed by dashboard.sessions
SESSION_PROBLEM = "session-problem"  # says that the tab's session token was refused
PAGE = "page-id"  # per page load: keeps identical clicks of two loads apart
DATASET = "dataset-meta"  # small JSON: id, name, columns, rows
LIVE = "live-state"  # progress of the running job (whole history each time)
# What parts of LIVE a view depends on, made in the browser and changed only when they do
# (callbacks.training.LIVE_FACETS_JS): a server callback on LIVE itself is a request per
# epoch per page, so views that redraw on a run's start, pause, end or new predictions
# listen to these instead.
LIVE_PHASE = "live-phase"  # "<run id>:<status>:<paused>:<scored>"
LIVE_PRED = "live-predictions"  # "<run id>:<prediction epoch>:<extras>"
LIVE_ON_RUNS = "live-on-runs"  # LIVE, passed on only while the Runs tab is in view
RESULT = "run-result"  # the final state of the last run
WATCH = "run-watch"  # ticks while a run is active: the page checks the run's true state

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
PRED_SHOWN = "prediction-shown"  # [run id, epoch, final?] of the predictions drawn
METRICS = "metrics-table"
MODEL_SUMMARY = "model-summary"

# data tab
SERIES_GRAPH = "series-graph"
DATA_SUMMARY = "data-summary"


PRESET = "preset-picker"
PRESET_NOTE = "preset-note"
SIGNAL = "training-signal"  # overfitting warning and early-stopping notes beside the chart

# uploads (left column: the drop box and inputs; Data tab: reading choices, report, preview)
UPLOAD = "upload"  # dcc.Upload; assets/upload.js takes its file and posts it to /upload
UPLOAD_HINT = "upload-hint"
UPLOAD_LIMIT = "upload-limit"  # {max_bytes, max_mb}: read by assets/upload.js
UPLOAD_RESULT = "upload-result"  # the /upload answer, written by assets/upload.js
UPLOAD_MESSAGE = "upload-message"
DATA_PROBLEM = "data-problem"  # the chosen columns or cleaning cannot make a series
FEATURE_PICKER = "feature-picker"
UPLOAD_OPTIONS = "upload-options"
TIME_PICKER = "time-picker"
MISSING_PICKER = "missing-picker"
MARKER_PICKER = "marker-picker"
MARKER_BOX = "marker-box"
DUPLICATE_PICKER = "duplicate-picker"
DUPLICATE_BOX = "duplicate-box"
DATA_REPORT = "data-report"
PREVIEW = "data-preview"
SHAPE_BOX = "shape-box"  # long and wide uploads: how the file becomes series
SHAPE_NOTE = "shape-note"  # what the reader found (several series stacked, items as rows)
SHAPE_PICKER = "shape-picker"  # as read, one series, each id as a column, transpose
SHAPE_APPLY = "shape-apply"
ESTIMATE_BOX = "estimate-box"  # before Train: an epoch's cost, and ways to make data smaller
ESTIMATE_TEXT = "estimate-text"  # "About 12 minutes per epoch here: ..."
REDUCE_BOX = "reduce-box"  # the reduction controls (uploads of series only)
REDUCE_PICKER = "reduce-picker"  # all rows, mean/sum/last per hour or day, the most recent
REDUCE_ROWS = "reduce-rows"  # how many recent rows to keep (placeholder: a suggestion)
REDUCE_APPLY = "reduce-apply"
CLEANING_BOX = "cleaning-box"  # time axis, missing values, markers: hidden for sequences


# runs tab, page URL and share links
URL = "url"  # dcc.Location: the settings in the query, a share link's /run/<id>
URL_QUERY = "url-query"  # the query the settings make (written into the address bar)
URL_SYNC = "url-sync"  # output of the clientside history.replaceState
URL_PENDING = "url-pending"  # a target from the URL, set once its dataset is loaded
RUNS_CHANGED = "runs-changed"  # bumped when runs are deleted
RUNS_TABLE = "runs-table"
RUNS_NOTE = "runs-note"
RUNS_EMPTY = "runs-empty"  # said while the session has no runs
RUNS_BODY = "runs-body"  # table, comparison and the focused run (hidden while none)
RUNS_MESSAGE = "runs-message"
DELETE_RUNS = "delete-runs"
CLEAR_RUNS = "clear-runs"
CLEAR_DIALOG = "clear-runs-dialog"
CLEAR_YES = "clear-runs-yes"
CLEAR_NO = "clear-runs-no"
BASELINE = "baseline-run"  # the pinned run id (session storage)
PIN_BASELINE = "pin-baseline"
BASELINE_NOTE = "baseline-note"
OVERLAY_LOSS = "overlay-loss-graph"
OVERLAY_LIVE = "overlay-live"  # which traces of the overlay belong to the training run
FAINT_SHOWN = "faint-shown"  # the run whose loss chart has the earlier runs drawn behind it
OVERLAY_PRED = "overlay-prediction-graph"
DIFF_TABLE = "diff-table"
COMPARE_RESULTS = "compare-results"
PARALLEL_GRAPH = "parallel-graph"
FOCUS_RUN = "focus-run"
REPLAY_SLIDER = "replay-slider"
REPLAY_GRAPH = "replay-graph"
RUN_DOWNLOADS = "run-downloads"
SHARE_LINK = "share-link"
SHARE_COPY = "share-copy"
SHARE_DATA = "share-data"  # the switch: whether the share link includes the data
SHARED_RUN = "shared-run"  # the read-only view of a share link
SHARED_LOSS = "shared-loss-graph"
SHARED_PRED = "shared-prediction-graph"

# evaluation tab: the newest finished run's honest evaluation (dashboard/ml/honest.py)
EVAL_EMPTY = "evaluation-empty"  # what to do while no run is evaluated
EVAL_BODY = "evaluation-body"
EVAL_RUN = "evaluation-run"  # the run id shown
EVAL_SUMMARY = "evaluation-summary"  # the verdict and the scores table
EVAL_FORECAST = "evaluation-forecast"  # the forecast charts (hidden for classification)
EVAL_HORIZON = "evaluation-horizon-graph"
EVAL_BACKTEST = "evaluation-backtest-graph"
EVAL_ORIGIN = "evaluation-origin"  # the backtest origin drawn
EVAL_ORIGIN_GRAPH = "evaluation-origin-graph"
EVAL_RESIDUALS = "evaluation-residuals-graph"
EVAL_HISTOGRAM = "evaluation-histogram-graph"
EVAL_ACF = "evaluation-acf-graph"
EVAL_ACF_READING = "evaluation-acf-reading"
EVAL_ANOMALIES = "evaluation-anomalies"

# search tab: a hyperparameter study whose trials are runs (dashboard/search_jobs.py)
SEARCH_START = "search-button"
SEARCH_CANCEL = "search-cancel"
SEARCH_USE_BEST = "search-use-best"  # sets the sliders to the best trial's settings
SEARCH_USE_NOTE = "search-use-note"
SEARCH_CSV = "search-csv"  # the trials CSV (dcc.Download below)
SEARCH_DOWNLOAD = "search-download"
SEARCH_BEST_RUN = "search-best-run"  # the best trial's run: its train.zip
SEARCH_LIVE = "search-live"  # the SearchState: progress of the running search, or a study
SEARCH_RESULT = "search-result"  # the final state of the last search
SEARCH_STUDY = "search-study"  # "new", or a study of the session to resume
SEARCH_TRIALS_N = "search-trials-n"
SEARCH_TIMEOUT = "search-timeout"
SEARCH_SAMPLER = "search-sampler"
SEARCH_PRUNING = "search-pruning"
SEARCH_WARMUP = "search-warmup"
SEARCH_SEED = "search-seed"
SEARCH_OBJECTIVE = "search-objective"
SEARCH_STATUS = "search-status"
SEARCH_PROGRESS = "search-progress"
SEARCH_PROGRESS_TEXT = "search-progress-text"
SEARCH_TRIALS = "search-trials"  # the live trials table (AG Grid)
SEARCH_CURVES = "search-curves-graph"
SEARCH_BEST = "search-best-graph"
SEARCH_IMPORTANCE = "search-importance-graph"
SEARCH_PARALLEL = "search-parallel-graph"


def search_on(name: str) -> str:
    """Id of the "search this" switch of numeric setting `name`."""
    return f"search-{name}-on"


def search_low(name: str) -> str:
    """Id of the lowest-value box of a searched setting's range."""
    return f"search-{name}-low"


def search_high(name: str) -> str:
    """Id of the highest-value box of a searched setting's range."""
    return f"search-{name}-high"


def search_pick(name: str) -> str:
    """Id of the checklist of the options searched for picked setting `name`."""
    return f"search-{name}-pick"


def choice(name: str) -> str:
    """Id of the dropdown or switch of setting `name` (ml.params.CHOICES)."""
    return f"{name}-choice"


def row(name: str) -> str:
    """Id of the row that holds the control of setting `name` (highlighted when changed)."""
    return f"{name}-row"


def slider(name: str) -> str:
    """Id of the slider of setting `name`."""
    return f"{name}-slider"


def slider_input(name: str) -> str:
    """Id of the number box beside the slider of setting `name` (shows it, and takes typing)."""
    return f"{name}-input"


# inside tab: one window replayed through a trained run's recurrent layers (ml/inside.py)
INSIDE_EMPTY = "inside-empty"  # what to do while no run is shown
INSIDE_BODY = "inside-body"
INSIDE_RUN = "inside-run"  # the run picked (a dropdown of the session's finished runs)
INSIDE_MODEL = "inside-model"  # which model file the picked run has now (its snapshots change)
INSIDE_WINDOW = "inside-window"  # the test window (a slider, by position)
INSIDE_WINDOW_TEXT = "inside-window-text"  # which window: its number and when it predicts
INSIDE_LAYER = "inside-layer"  # the recurrent layer (0-based)
INSIDE_UNITS = "inside-units"  # the traced units (empty: the most active)
INSIDE_READING = "inside-reading"  # one sentence on what the numbers show
INSIDE_NOTE = "inside-note"  # what the view leaves out
INSIDE_INPUT_GRAPH = "inside-input-graph"
INSIDE_STATES_GRAPH = "inside-states-graph"
INSIDE_GATES_GRAPH = "inside-gates-graph"

# the Class tab (challenges) and the class board page (/class/<code>) -----------------
CLASS_NOTE = "class-note"  # the class this server runs, and the session's anonymous name
CHALLENGE_LIST = "challenge-list"  # each challenge: goal, hint, check mark, best attempt
BOARD_CODE = "board-code"  # the class code the board page was opened with
BOARD_CHALLENGE = "board-challenge"  # which challenge the board shows
BOARD_GOAL = "board-goal"
BOARD_TABLE = "board-table"
BOARD_TICK = "board-tick"  # refreshes the board every few seconds


def challenge_setup(challenge: object) -> dict[str, object]:
    """Id of the button that loads a challenge's dataset into the controls (`challenge`: its
    id, or a wildcard such as dash.ALL)."""
    return {"type": "challenge-setup", "index": challenge}


# steering a running job (dashboard/ml/steering.py): Pause/Resume, the live learning rate
PAUSE = "pause-button"  # beside Train and Cancel: "Pause", or "Resume" while paused
STEER_NOTE = "steer-note"  # under the buttons: what a live change did, or why it cannot


# learning-rate finder (dashboard/layout/lr_finder.py, callbacks/lr_finder.py) -----------
LR_FIND = "lr-find"  # the "Find" button beside the learning-rate slider: opens and sweeps
LR_MODAL = "lr-finder-modal"
LR_LIVE = "lr-finder-live"  # the FinderState of the running sweep (progress)
LR_RESULT = "lr-finder-result"  # the final FinderState
LR_STATUS = "lr-finder-status"
LR_PROGRESS = "lr-finder-progress"
LR_GRAPH = "lr-finder-graph"
LR_USE = "lr-finder-use"  # "Use 3.2e-3": sets the learning-rate control, closes the modal
LR_STOP = "lr-finder-stop"  # cancels the sweep
LR_CLOSE = "lr-finder-close"  # closes the modal (and cancels a sweep still running)
