"""A sensitivity study in one call: the sweeps around the book's setting, run from the cache,
with the reference levels they are read against and the numbers the prose quotes.

Its parts (:func:`~pebench.report.sweeps.sweep_points`, :func:`~pebench.report.runs.run_sweep`,
:func:`~pebench.report.runs.reference_levels`) stay usable one by one; this module strings them
together the way the book does, so that a chapter states the design and reads the results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from pebench.pipeline import Pipeline
from pebench.report.runs import Runner, reference_levels, run_sweep
from pebench.report.sweep_tables import sweep_highlights
from pebench.report.sweeps import count_runs, distinct_ratios, sweep_points
from pebench.setting import Setting


@dataclass(frozen=True)
class SweepDesign:
    """What a sensitivity study varies, one setting at a time, around a :class:`~pebench.setting.Setting`."""

    #: The methods swept.
    methods: Sequence[str]
    #: One seed for every point: it draws the forget set and the unlearning batch order.
    seed: int = 0
    #: Targets of the forget-size sweep, and its shares forgotten (ties in size are run once).
    targets: Sequence[str] = ("person", "event")
    forget_ratios: Sequence[float] = ()
    #: Targets of the step, learning-rate and β sweeps.
    budget_targets: Sequence[str] = ("person",)
    step_counts: Sequence[int] = ()
    learning_rates: Sequence[float] = ()
    #: ``{method: its β values}``.
    betas: Mapping[str, Sequence[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Sensitivity:
    """A study's results: one row per (point, measure), the reference levels, the prose's numbers."""

    sweeps: pd.DataFrame
    reference: pd.DataFrame
    highlights: dict[str, float | int | str]


def run_sensitivity(
    pipeline: Pipeline, setting: Setting, design: SweepDesign, *, keep_level: float = 0.5, runner: Runner | None = None
) -> Sensitivity:
    """Run (or read back) every point of ``design`` around ``setting``'s forget ratio and unlearning
    settings; the default point of each sweep is the main-results run of the same base model.

    The highlights add ``n_runs`` (distinct runs), ``n_default_runs`` (those at the default setting,
    shared with the main results), ``keep_level`` and the default setting (``default_ratio``,
    ``default_steps``, ``default_lr``, ``default_batch_size``) to :func:`~pebench.report.sweep_tables.sweep_highlights`'s numbers.
    ``runner`` replaces :func:`pebench.experiment.run_experiment` (tests record the runs instead).
    """
    run = {} if runner is None else {"runner": runner}
    ratio, unlearn = setting.forget_ratio, setting.unlearn
    ratios = {
        target: distinct_ratios(pipeline.dataset, target, design.forget_ratios, prefer=ratio, seed=design.seed)
        for target in design.targets
    }
    points = sweep_points(
        design.methods,
        ratio=ratio,
        unlearn=unlearn,
        targets=design.targets,
        forget_ratios=ratios,
        budget_targets=design.budget_targets,
        step_counts=design.step_counts,
        learning_rates=design.learning_rates,
        betas=design.betas,
    )
    sweeps = run_sweep(pipeline, points, seed=design.seed, oracle_ratio=ratio, **run)
    targets = list(dict.fromkeys([*design.targets, *design.budget_targets]))
    reference = reference_levels(
        pipeline, targets, ratio=ratio, seed=design.seed, unlearn=unlearn, compare_to_oracle=True, **run
    )
    n_runs, n_default_runs = count_runs(points, ratio=ratio, unlearn=unlearn, seed=design.seed)
    highlights = {
        **sweep_highlights(sweeps, keep_level=keep_level),
        "n_runs": n_runs,
        "n_default_runs": n_default_runs,
        "keep_level": float(keep_level),
        "default_ratio": float(ratio),
        "default_steps": unlearn.steps,
        "default_lr": unlearn.lr,
        "default_batch_size": unlearn.batch_size,
    }
    return Sensitivity(sweeps, reference, highlights)
