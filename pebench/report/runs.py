"""Running (or reading back from the cache) the unlearning runs the analyses need.

Every number of a sweep and every answer shown as an example comes from a run of
:func:`pebench.experiment.run_experiment`, which caches it. The functions here build those runs
with :func:`pebench.study.build_experiment`, as :func:`pebench.study.run_grid` builds a grid's,
so a run a main-results grid already made is read back rather than recomputed, and return their
results: a sweep as one tidy row per (point, measure) (:func:`run_sweep`), the level of a bound
(:func:`reference_levels`), or the full results, stored answers included, of a grid
(:func:`grid_results`). A ``runner`` argument lets tests replace the cached run by a fake one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from pebench.arms import Arm, method_label
from pebench.cache import cache_key
from pebench.experiment import Experiment, run_experiment
from pebench.report.measures import MEASURES, measure_metric
from pebench.report.sweeps import SweepPoint
from pebench.study import build_experiment
from pebench.unlearn import UnlearnConfig
from pebench.workers import run_experiments

if TYPE_CHECKING:
    from pebench.pipeline import Pipeline


#: What runs an experiment and returns its result: the cached run, or a fake one in tests.
Runner = Callable[["Pipeline", Experiment], dict]


def _run(pipeline: Pipeline, experiment: Experiment) -> dict:
    return run_experiment(pipeline, experiment, progress=False)


def run_sweep(
    pipeline: Pipeline,
    points: Sequence[SweepPoint],
    *,
    seed: int = 0,
    oracle_ratio: float | None = None,
    runner: Runner = _run,
) -> pd.DataFrame:
    """Run every point (cached) and return one row per (point, measure).

    Columns: ``sweep``, ``x``, ``method`` (display name), ``method_id``, ``target``, ``measure``,
    ``metric``, ``value``, ``forgotten`` (how many persons or events the forget set holds).
    Runs shared by several sweeps (the default setting) are computed once.

    Runs on the forget set of ``oracle_ratio`` compare to the retrain oracle, all others do not:
    pass the default ratio, whose oracle the main-results chapter trains anyway, and the default
    runs are *its* cached runs (every other forget-set size would need an oracle retrain of its own).
    """
    records = []
    done: dict[str, dict] = {}
    experiments = [
        point.experiment(seed, compare_to_oracle=oracle_ratio is not None and point.ratio == oracle_ratio)
        for point in points
    ]
    if runner is _run:
        run_experiments([(pipeline, e) for e in experiments], progress=False)  # fill the cache in parallel
    for point, experiment in zip(points, experiments):
        key = cache_key(experiment)
        if key not in done:
            done[key] = runner(pipeline, experiment)
        result = done[key]
        forgotten = len(result["forget_persons"] if point.target == "person" else result["forget_events"])
        for measure in MEASURES:
            metric = measure_metric(point.target, measure)
            records.append(
                {
                    "sweep": point.sweep,
                    "x": point.x,
                    "method": method_label(point.method),
                    "method_id": point.method,
                    "target": point.target,
                    "measure": measure,
                    "metric": metric,
                    "value": float(result["metrics"][metric]),
                    "forgotten": forgotten,
                }
            )
    return pd.DataFrame.from_records(records)


def reference_levels(
    pipeline: Pipeline,
    targets: Sequence[str],
    *,
    ratio: float = 0.1,
    seed: int = 0,
    unlearn: UnlearnConfig | None = None,
    method: str = "finetune",
    compare_to_oracle: bool = False,
    runner: Runner = _run,
) -> pd.DataFrame:
    """The measures of a bound (``"finetune"`` by default) on the default forget set, per target.

    Columns: ``target``, ``measure``, ``value``: the level every curve starts from. ``seed`` draws
    the forget set and orders the batches (:func:`pebench.study.build_experiment`), so a grid's
    cached run is reused.
    """
    rows = []
    for target in targets:
        experiment = build_experiment(
            Arm(method), target, seed=seed, ratio=ratio, unlearn=unlearn, compare_to_oracle=compare_to_oracle
        )
        result = runner(pipeline, experiment)
        rows += [
            {"target": target, "measure": m, "value": float(result["metrics"][measure_metric(target, m)])}
            for m in MEASURES
        ]
    return pd.DataFrame(rows)


def grid_results(
    pipeline: Pipeline,
    methods: Sequence[str],
    targets: Sequence[str],
    *,
    seed: int = 0,
    ratio: float = 0.1,
    unlearn: UnlearnConfig | None = None,
    compare_to_oracle: bool = True,
    forget_seed: int | None = None,
    runner: Runner = _run,
) -> dict[tuple[str, str], dict]:
    """The full cached results (metrics *and* stored answers) of ``methods`` on ``targets`` for one
    seed, keyed ``(target, method)``; built by :func:`pebench.study.build_experiment` (``seed``
    draws the forget set unless ``forget_seed`` is given), so a grid a chapter already ran is read
    back, not recomputed."""
    return {
        (target, method): runner(
            pipeline,
            build_experiment(
                Arm(method),
                target,
                seed=seed,
                forget_seed=forget_seed,
                ratio=ratio,
                unlearn=unlearn,
                compare_to_oracle=compare_to_oracle,
            ),
        )
        for target in targets
        for method in methods
    }
