"""Hyperparameter search on Optuna: the space from the settings table (space), a study on
disk asked, reported and told one trial at a time (study), and what the page shows of it
(summary). Free of Dash, plotly and TensorFlow (run_study imports training when it trains).
"""

from dashboard.ml.search.plan import SearchSettings, check_search
from dashboard.ml.search.space import (
    NOT_SEARCHED,
    Options,
    Range,
    SearchSpace,
    searchable,
)
from dashboard.ml.search.study import (
    SearchStudy,
    TrialOutcome,
    add_trials,
    ask_trial,
    budget_left,
    journal_path,
    open_study,
    report,
    run_study,
    tell_trial,
)
from dashboard.ml.search.summary import (
    best_config,
    best_so_far,
    curves,
    importances,
    progress,
    trials_csv,
    trials_table,
)

__all__ = [
    "NOT_SEARCHED",
    "Options",
    "Range",
    "SearchSettings",
    "SearchSpace",
    "SearchStudy",
    "TrialOutcome",
    "add_trials",
    "ask_trial",
    "best_config",
    "best_so_far",
    "budget_left",
    "check_search",
    "curves",
    "importances",
    "journal_path",
    "open_study",
    "progress",
    "report",
    "run_study",
    "searchable",
    "tell_trial",
    "trials_csv",
    "trials_table",
]
