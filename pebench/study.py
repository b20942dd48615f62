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
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from pebench.arms import BOUND_LABELS, Arm, balanced_label, method_label
from pebench.data import PEBenchDataset
from pebench.experiment import Experiment
from pebench.metrics.catalog import KINDS, extra_columns, table_columns
from pebench.metrics.probe import PREFIX
from pebench.pipeline import Pipeline, base_config
from pebench.setting import Setting
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.unlearn import UnlearnConfig
from pebench.workers import run_experiments

logger = logging.getLogger(__name__)

#: The paper's Table 1 (one block of columns per forgotten concept), its Table 2 (both forgotten
#: at once) and the book's metrics beyond them, as ``{target: [(header, metric), ...]}``.
TABLE1_COLUMNS = {target: table_columns(target) for target in KINDS}
TABLE2_COLUMNS = {"joint": table_columns("joint")}
EXTRA_COLUMNS = {target: extra_columns(target) for target in KINDS}


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

    It lives here, beside the arms, and not in :mod:`pebench.experiment`: that module's code is part
    of every result's cache key (``RESULT_SOURCES``), and naming a run computes nothing.
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
    pipeline: Pipeline, rows: Sequence[Arm], targets: Sequence[str], seeds: Sequence[int], **grid: Any
) -> pd.DataFrame:
    """The final metrics of the runs of :func:`grid_runs` (same arguments), one row per metric value.

    Columns: ``method`` (display name), ``target``, ``base_seed``, ``seed``, ``metric``, ``value``, ``seconds``.
    """
    return pd.DataFrame.from_records(
        {**labels, "metric": metric, "value": value, "seconds": result["seconds"]}
        for labels, result in grid_runs(pipeline, rows, targets, seeds, **grid)
        for metric, value in result["metrics"].items()
    )


def run_curves(
    pipeline: Pipeline, rows: Sequence[Arm], targets: Sequence[str], seeds: Sequence[int], **grid: Any
) -> pd.DataFrame:
    """The probe measurements along the runs :func:`grid_runs` makes with the same arguments (the same
    cached runs: calling both computes each run once), one row per (run, step, probe metric).

    Columns: ``method``, ``target``, ``base_seed``, ``seed``, ``step``, ``metric`` (``person_efficacy``,
    ``event_retain``, ... as in :mod:`pebench.metrics.probe`), ``value``.
    """
    return pd.DataFrame.from_records(
        {**labels, "step": int(record["step"]), "metric": name.removeprefix(PREFIX), "value": value}
        for labels, result in grid_runs(pipeline, rows, targets, seeds, **grid)
        for record in result["history"]
        for name, value in record.items()
        if name.startswith(PREFIX)
    )


def grid_runs(
    pipeline: Pipeline,
    rows: Sequence[Arm],
    targets: Sequence[str],
    seeds: Sequence[int],
    *,
    workers: int | None = None,
    progress: bool = True,
    **grid: Any,
) -> list[tuple[dict[str, object], dict]]:
    """Run (or read back) every (arm, target, base model, seed); return each run's labels and result.

    A run is one *replicate* of the whole pipeline: base seed ``b`` is a base model pretrained and
    fine-tuned with its own seed (:func:`pebench.pipeline.base_config`; ``pipeline`` gives the rest
    of the configuration and the cache folder) that draws its own forget set (seed ``b``, unless
    ``forget_seed`` fixes one for all), and ``seed`` sets the unlearning run's batch order. Spreads
    over all runs therefore cover what a rerun of the pipeline varies: the pretraining (where
    ``PipelineConfig.replicate_pretraining`` is on, the default), the fine-tuning, the forget draw
    and the unlearning run. Each base model needs its own retrain oracle per forget set (a
    full fine-tuning each). Uncached runs are computed by ``workers`` processes
    (:func:`pebench.workers.run_experiments`), cached ones read back, so rerunning a chapter only
    computes what changed.

    ``grid``: the keywords of :func:`grid_tasks` (``base_seeds``, ``ratio``, ``unlearn``,
    ``compare_to_oracle``, ``forget_seed``). Labels: ``method`` (display name), ``target``,
    ``base_seed``, ``seed``.
    """
    tasks = grid_tasks(pipeline, rows, targets, seeds, **grid)
    results = run_experiments([task for _, task in tasks], workers=workers, progress=progress)
    return [(labels, result) for (labels, _), result in zip(tasks, results)]


def grid_tasks(
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
) -> list[tuple[dict[str, object], tuple[Pipeline, Experiment]]]:
    """The runs :func:`grid_runs` makes (same arguments), each with its labels, computing nothing:
    several grids' tasks can then go to :func:`pebench.workers.run_experiments` at once."""
    pipelines = {
        b: Pipeline(base_config(b, pipeline.config), root=pipeline.root, device=str(pipeline.device))
        for b in base_seeds
    }
    return [
        (
            {"method": arm.name, "target": target, "base_seed": base, "seed": seed},
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
            ),
        )
        for arm, target, base, seed in itertools.product(rows, targets, base_seeds, seeds)
    ]


def summarize(long: pd.DataFrame, by: Sequence[str] = ("method", "target", "metric")) -> pd.DataFrame:
    """Mean, standard deviation and number of runs of each metric per group."""
    grouped = long.groupby(list(by), sort=False)["value"]
    return grouped.agg(mean="mean", std="std", n="count").reset_index()


def paper_table(
    summary: pd.DataFrame,
    columns: Mapping[str, Sequence[tuple[str, str]]],
    row_order: Sequence[str] | None = None,
    *,
    paper: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Lay a summary out like the paper: rows = methods, column groups of (label, metric).

    ``columns`` maps a target (``"person"``, ``"event"``, ``"joint"``) to ``(label, metric)``
    pairs; cells hold ``"mean ± std"`` strings for display. Use ``table_values`` for numbers.

    With ``paper`` (the paper's table as a summary, :mod:`pebench.paper`), each method gets a second
    row under ours, ``PAPER_ROW``, holding the paper's value of every cell ("—" where the paper has
    none); methods only the paper ran get that row alone, before the Goal row.
    """
    values = table_values(summary, columns, row_order)
    spread = table_values(summary, columns, row_order, statistic="std")
    ours = values.combine(spread, lambda m, s: m.map("{:.3f}".format) + " ± " + s.fillna(0).map("{:.3f}".format))
    if paper is None:
        return ours
    theirs = table_values(paper, columns).map(lambda v: "—" if pd.isna(v) else f"{v:.3f}")
    rows = list(ours.index)
    goal = rows.index(BOUND_LABELS["retrain"]) if BOUND_LABELS["retrain"] in rows else len(rows)
    rows[goal:goal] = [m for m in theirs.index if m not in ours.index]
    pieces = {OURS_ROW: ours, PAPER_ROW: theirs}
    stacked = pd.concat(pieces, names=["source", "method"]).swaplevel()
    order = [(m, source) for m in rows for source in pieces if (m, source) in stacked.index]
    return stacked.loc[order]


#: The row labels of :func:`paper_table` with the paper's values beside ours.
OURS_ROW, PAPER_ROW = "this book", "paper"


def display_parts(columns: Mapping[str, Sequence[tuple[str, str]]]) -> list[dict[str, list[tuple[str, str]]]]:
    """``columns`` cut into groups narrow enough for one table on a page: one per target, and a single
    target's columns by concept (the person metrics, then the event metrics and the rest)."""
    if len(columns) > 1:
        return [{target: list(pairs)} for target, pairs in columns.items()]
    ((target, pairs),) = columns.items()
    person = [pair for pair in pairs if pair[1].startswith(f"{KINDS[0]}_")]
    rest = [pair for pair in pairs if pair not in person]
    return [{target: part} for part in (person, rest) if part]


def paper_tables(
    summary: pd.DataFrame,
    columns: Mapping[str, Sequence[tuple[str, str]]],
    row_order: Sequence[str] | None = None,
    *,
    paper: pd.DataFrame | None = None,
) -> list[pd.DataFrame]:
    """:func:`paper_table` in pieces (:func:`display_parts`): the same cells, in tables that fit a page."""
    return [paper_table(summary, part, row_order, paper=paper) for part in display_parts(columns)]


def table_values(
    summary: pd.DataFrame,
    columns: Mapping[str, Sequence[tuple[str, str]]],
    row_order: Sequence[str] | None = None,
    *,
    statistic: str = "mean",
) -> pd.DataFrame:
    """The numbers behind ``paper_table`` (one statistic), with a two-level column index; rows in
    ``row_order`` (default: the order of ``summary``)."""
    row_order = list(dict.fromkeys(summary["method"])) if row_order is None else row_order
    indexed = summary.set_index(["method", "target", "metric"])[statistic]
    data = {
        (target, label): [indexed.get((method, target, metric), np.nan) for method in row_order]
        for target, pairs in columns.items()
        for label, metric in pairs
    }
    frame = pd.DataFrame(data, index=pd.Index(row_order, name="method"))
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["unlearning target", "metric"])
    return frame


def interference_table(summary: pd.DataFrame, *, reference: str = BOUND_LABELS["finetune"]) -> pd.DataFrame:
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


def mean_interference(
    interference: pd.DataFrame, *, bounds: Sequence[str] = tuple(BOUND_LABELS.values())
) -> pd.DataFrame:
    """The unlearning methods' mean of :func:`interference_table`'s changes of the other concept,
    per forgotten concept (the bounds left out)."""
    unlearners = interference[~interference["method"].isin(bounds)]
    columns = ["other concept, same images", "other concept, other images", "interference"]
    return unlearners.groupby("forgotten")[columns].mean()


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


def summary_value(summary: pd.DataFrame, method: str, target: str, metric: str) -> float:
    """The mean of ``metric`` for ``method`` (display name) forgetting ``target``."""
    row = summary[(summary["method"] == method) & (summary["target"] == target) & (summary["metric"] == metric)]
    if row.empty:
        raise KeyError(f"no {metric!r} of {method!r} forgetting {target!r} in the summary")
    return float(row["mean"].iloc[0])


def forget_sets(dataset: PEBenchDataset, setting: Setting) -> pd.DataFrame:
    """Who is forgotten in each forget draw of ``setting``, and how many forget questions that makes.

    With ``forget_seed=None`` each base model draws its own forget sets (with its own seed), so the
    table has one row per base model; with a fixed ``forget_seed``, one row.
    """
    draws = sorted({base if setting.forget_seed is None else setting.forget_seed for base in setting.base_seeds})
    splits = {
        (draw, target): ForgetSplit(dataset, ForgetSpec(target, setting.forget_ratio, draw))
        for draw in draws
        for target in KINDS
    }
    return pd.DataFrame(
        [
            {
                "forget draw": draw,
                "forgotten persons": ", ".join(sorted(splits[draw, "person"].persons)),
                "forgotten events": ", ".join(sorted(splits[draw, "event"].events)),
                "forget questions (person target)": len(splits[draw, "person"].forget()),
                "forget questions (event target)": len(splits[draw, "event"].forget()),
            }
            for draw in draws
        ]
    ).set_index("forget draw")


def balanced_gains(joint: pd.DataFrame, bases: Sequence[str]) -> pd.DataFrame:
    """What balancing adds to each base method (registry names) when both concepts are forgotten:
    ``"<base> + balanced − <base>"`` rows, Table 2's columns, ``"mean ± sd"`` over paired runs
    (:func:`paired_gain`); the numbers are in :func:`balanced_gain_values`."""
    means, spreads = balanced_gain_values(joint, bases, "mean"), balanced_gain_values(joint, bases, "std")
    return means.combine(spreads, lambda m, s: m.map("{:+.3f}".format) + " ± " + s.map("{:.3f}".format))


def balanced_gain_values(joint: pd.DataFrame, bases: Sequence[str], statistic: str = "mean") -> pd.DataFrame:
    """One statistic of :func:`balanced_gains`: rows ``"<base> + balanced − <base>"``, Table 2's headers."""
    labels = [method_label(base) for base in bases]
    gains = pd.concat([paired_gain(joint, label, f"{label} + balanced") for label in labels])
    headers = {metric: header for header, metric in TABLE2_COLUMNS["joint"]}
    gains = gains[gains["metric"].isin(headers)].assign(metric=lambda frame: frame["metric"].map(headers))
    return gains.pivot(index="method", columns="metric", values=statistic)[list(headers.values())]


def alone_vs_together(single: pd.DataFrame, joint: pd.DataFrame, methods: Sequence[str]) -> pd.DataFrame:
    """Efficacy and retain of each concept forgotten alone (``single``: person and event targets)
    and together with the other (``joint``), per method (registry names), and the change."""
    records = []
    for method in map(method_label, methods):
        together = joint.query("method == @method")
        for concept in KINDS:
            alone = single.query("method == @method and target == @concept")
            for metric in (f"{concept}_efficacy", f"{concept}_retain"):
                records.append(
                    {
                        "method": method,
                        "concept": concept,
                        "metric": metric.split("_")[1],
                        "alone": alone.query("metric == @metric")["value"].mean(),
                        "together": together.query("metric == @metric")["value"].mean(),
                    }
                )
    conflict = pd.DataFrame(records)
    conflict["change"] = conflict["together"] - conflict["alone"]
    return conflict.set_index(["method", "concept", "metric"])


def curves_alone_vs_together(single: pd.DataFrame, joint: pd.DataFrame, bases: Sequence[str]) -> pd.DataFrame:
    """The probe curves (:func:`run_curves`) of each base method forgetting one concept alone
    (``single``), both together (``joint``), and both together balanced, side by side: mean and
    standard deviation over the runs at every probed step.

    Columns: ``method`` (the base's display name), ``concept``, ``metric`` (``efficacy``/``retain``),
    ``setting`` (``alone``, ``together``, ``together, balanced``), ``step``, ``exposure``, ``mean``,
    ``std``, ``runs``. ``exposure`` counts the concept's forget examples seen so far in one-concept
    steps: a joint run's step shows each concept half a batch of its own (the two forget sets are
    the same size), so its ``exposure`` is half its ``step``, and curves at equal exposure line up.
    """
    parts = []
    for base in bases:
        label = method_label(base)
        for concept in KINDS:
            runs = {
                "alone": single[(single["method"] == label) & (single["target"] == concept)],
                "together": joint[joint["method"] == label],
                "together, balanced": joint[joint["method"] == balanced_label(base)],
            }
            for setting, frame in runs.items():
                for metric in ("efficacy", "retain"):
                    values = frame[frame["metric"] == f"{concept}_{metric}"]
                    stats = values.groupby("step")["value"].agg(["mean", "std", "count"]).reset_index()
                    share = 1 if setting == "alone" else len(KINDS)
                    stats = stats.assign(exposure=stats["step"] / share)
                    parts.append(stats.assign(method=label, concept=concept, metric=metric, setting=setting))
    curves = pd.concat(parts, ignore_index=True).rename(columns={"count": "runs"})
    return curves[["method", "concept", "metric", "setting", "step", "exposure", "mean", "std", "runs"]]
