"""Optuna's samplers and pruner as a search's settings ask for them, seeded per trial."""

from __future__ import annotations

from typing import Any

import numpy as np
import optuna
from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler, GridSampler, RandomSampler, TPESampler
from optuna.trial import FrozenTrial, TrialState

from dashboard.ml.search.plan import SearchSettings

PRUNE_AFTER = 2  # finished trials before the median pruner compares (Optuna's default: 5)
TPE_STARTUP = 5  # random trials before TPE models the results (Optuna's default: 10)


def make_pruner(settings: SearchSettings) -> optuna.pruners.BasePruner:
    """Optuna's median pruner on the epoch reports (epochs are steps from 1), after
    `warmup_epochs` epochs and PRUNE_AFTER finished trials; NopPruner with pruning off."""
    if not settings.pruning:
        return optuna.pruners.NopPruner()
    return optuna.pruners.MedianPruner(
        n_startup_trials=PRUNE_AFTER, n_warmup_steps=settings.warmup_epochs + 1
    )


def make_sampler(settings: SearchSettings, seed: int | None) -> BaseSampler:
    """Optuna's sampler for the settings, seeded."""
    if settings.sampler == "grid":
        return GridSampler(settings.space.grid(settings.grid_points), seed=seed)
    if settings.sampler == "random":
        return RandomSampler(seed=seed)
    # constant_liar: trials running at once (helpers) count as bad ones, so that parallel
    # trials spread out instead of all proposing the same point; alone it changes nothing.
    return TPESampler(seed=seed, n_startup_trials=TPE_STARTUP, constant_liar=True)


def trial_seed(seed: int, number: int) -> int:
    """The seed of one trial's proposal: the study's seed and the trial's number."""
    return int(np.random.SeedSequence([seed, number]).generate_state(1)[0])


class TrialSeeded(BaseSampler):
    """The settings' sampler, seeded afresh for each trial from (study seed, trial number).

    Each job opens the study anew, so a sampler seeded once per object would propose the
    same first point in every job; seeding per trial number makes the n-th proposal depend
    only on the settings, the seed and the trials before it, in whichever process it runs.
    """

    def __init__(self, settings: SearchSettings) -> None:
        self.settings = settings
        self.inner = make_sampler(settings, settings.seed)

    def _for(self, trial: FrozenTrial) -> BaseSampler:
        if self.settings.sampler == "grid":  # its seed shuffles the grid; trial n takes the
            return self.inner  # n-th point of that order, so the study's seed must stay
        self.inner = make_sampler(self.settings, trial_seed(self.settings.seed, trial.number))
        return self.inner

    def before_trial(self, study: optuna.Study, trial: FrozenTrial) -> None:
        """A sampler seeded for this trial."""
        self._for(trial).before_trial(study, trial)

    def infer_relative_search_space(
        self, study: optuna.Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        """As the inner sampler."""
        return self.inner.infer_relative_search_space(study, trial)

    def sample_relative(
        self, study: optuna.Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        """As the inner sampler."""
        return self.inner.sample_relative(study, trial, search_space)

    def sample_independent(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        """As the inner sampler."""
        return self.inner.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(
        self,
        study: optuna.Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Any,
    ) -> None:
        """As the inner sampler, except the grid's: it only stops Study.optimize, which
        ask-and-tell does not run (ask_trial stops at the grid's size instead)."""
        if not isinstance(self.inner, GridSampler):
            self._for(trial).after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        """Nothing: each trial is seeded from the study's seed."""
