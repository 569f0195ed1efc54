"""A search's settings (SearchSettings: space, budget, sampler, pruning, objective, seed)
and check_search, the one check of a search before it starts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from optuna.study import StudyDirection

from dashboard.ml.config import Limits, TrainConfig
from dashboard.ml.search.space import SearchSpace, space_problems

SAMPLERS = ("random", "grid", "tpe")
OBJECTIVES = {"val_loss": "minimize", "val_accuracy": "maximize"}
NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # a study's name (its journal file's)


@dataclass(frozen=True)
class SearchSettings:
    """How a study searches: space, budget, sampler, pruning, objective, seed (JSON-able)."""

    space: SearchSpace
    n_trials: int = 10
    timeout_s: float | None = None  # no new trial starts after this long (the last finishes)
    sampler: str = "tpe"  # "random" | "grid" | "tpe"
    pruning: bool = True  # median pruner on each epoch's objective
    warmup_epochs: int = 2  # epochs every trial trains before it may be pruned
    objective: str = "val_loss"  # or "val_accuracy" (classification; maximised)
    seed: int = 0
    grid_points: int = 3  # values per range for the grid sampler

    @property
    def maximise(self) -> bool:
        """True when a larger objective is better (val_accuracy)."""
        return OBJECTIVES.get(self.objective) == "maximize"

    @property
    def direction(self) -> StudyDirection:
        """Optuna's direction of the objective."""
        return StudyDirection.MAXIMIZE if self.maximise else StudyDirection.MINIMIZE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "space": self.space.to_dict(),
            "n_trials": self.n_trials,
            "timeout_s": self.timeout_s,
            "sampler": self.sampler,
            "pruning": self.pruning,
            "warmup_epochs": self.warmup_epochs,
            "objective": self.objective,
            "seed": self.seed,
            "grid_points": self.grid_points,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SearchSettings:
        """The inverse of to_dict (unknown keys ignored)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**known, "space": SearchSpace.from_dict(data.get("space", []))})


def check_search(
    settings: SearchSettings,
    base: TrainConfig,
    n_rows: int,
    dataset_name: str,
    limits: Limits | None = None,
    max_trials: int = 0,
) -> list[str]:
    """Why this search cannot run here, a sentence each (empty: it can): the space, the
    budget against the server's cap (`max_trials`, 0: none), the sampler, pruning and
    objective, and config.check on the search's largest trial. The one check of a search."""
    problems = space_problems(settings.space, base, n_rows, dataset_name, limits)
    if not isinstance(settings.n_trials, int) or settings.n_trials < 1:
        problems.append("A search needs at least one trial.")
    elif max_trials and settings.n_trials > max_trials:
        problems.append(
            f"This server runs at most {max_trials} trials per study (now "
            f"{settings.n_trials}): lower Trials."
        )
    if settings.timeout_s is not None and not settings.timeout_s > 0:
        problems.append("The time limit must be a positive number of seconds (or none).")
    if settings.sampler not in SAMPLERS:
        problems.append(f"The sampler is one of random, grid or TPE, not {settings.sampler!r}.")
    if settings.sampler == "grid" and settings.grid_points < 2:
        problems.append("A grid needs at least 2 values per range.")
    if settings.objective not in OBJECTIVES:
        problems.append(f"The objective is val_loss or val_accuracy, not {settings.objective!r}.")
    elif settings.objective == "val_accuracy" and base.task != "classify":
        problems.append("Validation accuracy is for classification: search on val_loss.")
    if settings.pruning and not 0 <= settings.warmup_epochs < base.epochs:
        problems.append(
            f"A warm-up of {settings.warmup_epochs} epochs leaves no epoch to prune in runs of "
            f"{base.epochs} epochs: shorten the warm-up, or turn pruning off."
        )
    return problems
