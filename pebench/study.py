"""Grids of experiments over methods, targets and seeds, and the tables the chapters show.

Chapters describe *what* to compare (methods, targets, seeds, one varied setting); this module
turns that vocabulary into runs (:func:`build_experiment`, the one place every run of the book is
built), runs the grid through the cached ``run_experiment`` (in parallel processes) and turns the
results into tidy frames: one row per (method, target, seed, metric) value, then means with spread
for the paper's tables.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from pebench.experiment import BOUND_LABELS, Experiment
from pebench.pipeline import Pipeline, base_config
from pebench.targets import ForgetSpec
from pebench.unlearn import METHODS, UnlearnConfig
from pebench.workers import run_experiments

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Arm:
    """One row of a comparison: a method with fixed hyper-parameters, under a display label."""

    method: str
    hyperparameters: Mapping[str, object] = field(default_factory=dict)
    label: str | None = None

    @property
    def name(self) -> str:
        return self.label or method_label(self.method)


def method_label(method: str) -> str:
    """The display name of a bound or a registered method (read from its class when asked, so a
    newly registered method has its label everywhere)."""
    if method in BOUND_LABELS:
        return BOUND_LABELS[method]
    return METHODS[method].label if method in METHODS else method


#: Display names in the order of the paper's tables (bounds first and last), from the method classes.
LABELS = {method: method_label(method) for method in ("finetune", *METHODS, "retrain")}


def arms(methods: Iterable[str]) -> list[Arm]:
    """Default-hyper-parameter arms for method names."""
    return [Arm(method) for method in methods]


def build_experiment(
    arm: Arm,
    target: str,
    *,
    seed: int,
    base_seed: int | None = None,
    forget_seed: int | None = None,
    ratio: float = 0.1,
    unlearn: UnlearnConfig | None = None,
    compare_to_oracle: bool = True,
) -> Experiment:
    """The run of ``arm`` forgetting the share ``ratio`` of ``target``, in the book's vocabulary.

    Grids (:func:`run_grid`), sweeps and the report's read-backs (``pebench.report``) and
    ``pebench unlearn`` all build their runs here, so one setting is one experiment, hence one
    cache entry, wherever it is asked for: a sweep's default point *is* the main-results run.

    ``unlearn`` (default ``UnlearnConfig()``) sets the optimisation, whose batch order ``seed``
    sets (it replaces ``unlearn.seed``). The forget set is drawn with ``forget_seed`` when given
    (one draw shared by every base model), else with the base model's seed ``base_seed``, which
    defaults to ``seed``: a run on one base model named by one seed (a sweep, chapter 7's
    read-back, ``pebench unlearn --seed``) draws its forget set and orders its batches with it.

    It lives here, beside :class:`Arm`, and not in :mod:`pebench.experiment`: that module's code is
    part of every result's cache key (``RESULT_SOURCES``), and naming a run computes nothing.
    """
    if forget_seed is None:
        forget_seed = seed if base_seed is None else base_seed
    return Experiment(
        arm.method,
        ForgetSpec(target, ratio, forget_seed),
        dict(arm.hyperparameters),
        replace(unlearn or UnlearnConfig(), seed=seed),
        compare_to_oracle=compare_to_oracle,
    )


def run_grid(
    pipeline: Pipeline,
    rows: Sequence[Arm],
    targets: Sequence[str],
    seeds: Sequence[int],
    *,
    base_seeds: Sequence[int] = (0,),
    ratio: float = 0.1,
    unlearn: UnlearnConfig | None = None,
    compare_to_oracle: bool = True,
    forget_seed: int | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run every (arm, target, base model, seed) and return one row per metric value.

    A run is one *replicate* of the whole pipeline: base seed ``b`` is a base model pretrained and
    fine-tuned with its own seed (:func:`pebench.pipeline.base_config`; ``pipeline`` gives the rest
    of the configuration and the cache folder) that draws its own forget set (seed ``b``, unless
    ``forget_seed`` fixes one for all), and ``seed`` sets the unlearning run's batch order. Spreads
    over all runs therefore cover what a rerun of the pipeline varies: the base model, the forget
    draw and the unlearning run. Each base model needs its own retrain oracle per forget set (a
    full fine-tuning each). Uncached runs are computed by ``workers`` processes
    (:func:`pebench.workers.run_experiments`), cached ones read back, so rerunning a chapter only
    computes what changed.

    Columns: ``method`` (display name), ``target``, ``base_seed``, ``seed``, ``metric``, ``value``, ``seconds``.
    """
    pipelines = {
        b: Pipeline(base_config(b, pipeline.config), root=pipeline.root, device=str(pipeline.device))
        for b in base_seeds
    }
    grid = list(itertools.product(rows, targets, base_seeds, seeds))
    tasks = [
        (
            pipelines[base],
            build_experiment(
                arm,
                target,
                seed=seed,
                base_seed=base,
                forget_seed=forget_seed,
                ratio=ratio,
                unlearn=unlearn,
                compare_to_oracle=compare_to_oracle,
            ),
        )
        for arm, target, base, seed in grid
    ]
    results = run_experiments(tasks, workers=workers, progress=progress)
    records = [
        {
            "method": arm.name,
            "target": target,
            "base_seed": base,
            "seed": seed,
            "metric": metric,
            "value": value,
            "seconds": result["seconds"],
        }
        for (arm, target, base, seed), result in zip(grid, results)
        for metric, value in result["metrics"].items()
    ]
    return pd.DataFrame.from_records(records)


def summarize(long: pd.DataFrame, by: Sequence[str] = ("method", "target", "metric")) -> pd.DataFrame:
    """Mean, standard deviation and number of runs of each metric per group."""
    grouped = long.groupby(list(by), sort=False)["value"]
    return grouped.agg(mean="mean", std="std", n="count").reset_index()


def paper_table(
    summary: pd.DataFrame, columns: Mapping[str, Sequence[tuple[str, str]]], row_order: Sequence[str]
) -> pd.DataFrame:
    """Lay a summary out like the paper: rows = methods, column groups of (label, metric).

    ``columns`` maps a target (``"person"``, ``"event"``, ``"joint"``) to ``(label, metric)``
    pairs; cells hold ``"mean ± std"`` strings for display. Use ``table_values`` for numbers.
    """
    values = table_values(summary, columns, row_order)
    spread = table_values(summary, columns, row_order, statistic="std")
    return values.combine(spread, lambda m, s: m.map("{:.3f}".format) + " ± " + s.fillna(0).map("{:.3f}".format))


def table_values(
    summary: pd.DataFrame,
    columns: Mapping[str, Sequence[tuple[str, str]]],
    row_order: Sequence[str],
    *,
    statistic: str = "mean",
) -> pd.DataFrame:
    """The numbers behind ``paper_table`` (one statistic), with a two-level column index."""
    indexed = summary.set_index(["method", "target", "metric"])[statistic]
    data = {
        (target, label): [indexed.get((method, target, metric), np.nan) for method in row_order]
        for target, pairs in columns.items()
        for label, metric in pairs
    }
    frame = pd.DataFrame(data, index=pd.Index(row_order, name="method"))
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["unlearning target", "metric"])
    return frame


def interference_table(summary: pd.DataFrame, *, reference: str = "Finetune") -> pd.DataFrame:
    """Change (vs ``reference``) of each concept's answer quality after forgetting one concept.

    For each method and forgotten concept: the forgotten concept on its own images (the intended
    drop), the *other* concept on those same images (scope) and the other concept on images
    without a target (elsewhere). ``interference`` = drop on the same images minus drop
    elsewhere: damage that follows the forgotten concept's images rather than the model at large.
    """
    means = summary.set_index(["method", "target", "metric"])["mean"]
    rows = []
    for method in summary["method"].unique():
        for target, other in (("person", "event"), ("event", "person")):

            def delta(metric: str, sign: float = 1.0, method: str = method, target: str = target) -> float:
                return sign * (means[(method, target, metric)] - means[(reference, target, metric)])

            same, elsewhere = delta(f"{other}_scope"), delta(f"{other}_elsewhere")
            rows.append(
                {
                    "method": method,
                    "forgotten": target,
                    "target concept": delta(f"{target}_efficacy", sign=-1.0),
                    "other concept, same images": same,
                    "other concept, other images": elsewhere,
                    "interference": same - elsewhere,
                }
            )
    return pd.DataFrame(rows)


def paired_gain(results: pd.DataFrame, base: str, variant: str) -> pd.DataFrame:
    """``variant - base`` per target and metric, paired by run: mean, sd and number of runs.

    Pairing by base model and seed compares the two methods on the same base model, forget set and
    batch order, so the spread reflects the methods, not the luck of the draw.
    """
    keys = ["target", "base_seed", "seed", "metric"]
    pivot = results[results["method"].isin([base, variant])].pivot_table(index=keys, columns="method", values="value")
    difference = (pivot[variant] - pivot[base]).rename("value").reset_index()
    difference["method"] = f"{variant} − {base}"
    return summarize(difference)
