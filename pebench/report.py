"""Sensitivity sweeps and qualitative answer examples: the logic behind chapters 6 and 7.

Chapter 6 varies one setting at a time around the book's default unlearning setting (forget-set
size, number of steps, learning rate, a method's β) and plots what each method forgets against
what it keeps. :func:`sweep_points` lists the runs, :func:`run_sweep` runs them through the cached
:func:`pebench.experiment.run_experiment` and returns a tidy frame with the metrics renamed to the
paper's columns (efficacy, generality, retain, scope, real, world fact) whatever the target,
:func:`plot_sweep` and :func:`plot_tradeoff` draw it.

Chapter 7 shows what the models actually answer. Every answer comes from the ``predictions`` a
cached run stored (``{qa_id: answer}``, every question the metric suite evaluates);
:func:`answer_table` refuses to invent one that is missing. :func:`figure_one_image` picks the
image of the paper's Figure 1 (a forgotten person *in* a forgotten event, so that both questions
about it are evaluated by both the person- and the event-unlearning runs), :func:`spread_items`
picks varied examples, :func:`interference_examples` finds answers to the *other* question that
unlearning changed, and :func:`plot_answer_panel` / :func:`plot_answer_grid` draw images with
their answers.

Matplotlib is imported inside the plotting functions only.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pebench.cache import cache_key
from pebench.data import PEBenchDataset, QAItem
from pebench.experiment import Experiment, run_experiment
from pebench.metrics.refusal import is_refusal
from pebench.metrics.text import exact_match, words
from pebench.plotting import bare, upscaled
from pebench.study import method_label
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.unlearn import METHODS, UnlearnConfig
from pebench.workers import run_experiments

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from pebench.pipeline import Pipeline

OTHER_KIND = {"person": "event", "event": "person"}

# -- sensitivity ---------------------------------------------------------------------------------
#: The measures plotted, in the paper's column order: two of forgetting, four of keeping.
MEASURES = ("efficacy", "generality", "retain", "scope", "real", "world_fact")
MEASURE_TITLES = {
    "efficacy": "Efficacy (forgotten, train images)",
    "generality": "Generality (forgotten, held-out)",
    "retain": "Retain (other persons/events)",
    "scope": "Scope (other concept, same images)",
    "real": "Real (pretraining population)",
    "world_fact": "World Fact (general questions)",
}
#: Axis labels of the swept settings.
SWEEPS = {
    "forget_ratio": "forget ratio (share of persons / events forgotten)",
    "steps": "unlearning steps",
    "lr": "learning rate",
    "beta": "β (inverse temperature)",
}

#: Short axis labels of the swept settings, per panel.
SWEEP_AXES = {
    "forget_ratio": "forget ratio\n(number of {target}s)",
    "steps": "unlearning steps",
    "lr": "learning rate",
    "beta": "β",
}


def measure_metric(target: str, measure: str) -> str:
    """The metric name of ``pebench.metrics.suite`` behind a measure for a single-concept target.

    Scope is the *other* concept's question on the forget images (``event_scope`` when persons
    are forgotten), so the same measure name reads the right column for either target.
    """
    if target not in OTHER_KIND:
        raise ValueError(f"target must be 'person' or 'event', got {target!r}")
    names = {
        "efficacy": f"{target}_efficacy",
        "generality": f"{target}_generality",
        "retain": f"{target}_retain",
        "scope": f"{OTHER_KIND[target]}_scope",
        "real": "real",
        "world_fact": "world_fact",
    }
    if measure not in names:
        raise ValueError(f"measure must be one of {tuple(names)}, got {measure!r}")
    return names[measure]


def non_default(method: str, **hyperparameters: object) -> dict[str, object]:
    """``hyperparameters`` without those equal to the method's own default.

    A sweep's point at the default value then *is* the default run (same experiment, same cache
    entry), instead of a second copy of it under another key.
    """
    if method not in METHODS:
        return dict(hyperparameters)
    defaults = {
        name: p.default
        for name, p in inspect.signature(METHODS[method].__init__).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    return {k: v for k, v in hyperparameters.items() if k not in defaults or defaults[k] != v}


def method_default(method: str, name: str) -> object:
    """The default value of hyper-parameter ``name`` of ``method`` (read from its signature)."""
    parameter = inspect.signature(METHODS[method].__init__).parameters.get(name)
    if parameter is None or parameter.default is inspect.Parameter.empty:
        raise ValueError(f"method {method!r} has no hyper-parameter {name!r} with a default")
    return parameter.default


@dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep: ``method`` on ``target`` with one setting changed from the default."""

    sweep: str
    x: float
    method: str
    target: str
    ratio: float
    unlearn: UnlearnConfig
    hyperparameters: Mapping[str, object] = field(default_factory=dict)

    def experiment(self, seed: int, *, compare_to_oracle: bool = False) -> Experiment:
        """The experiment of this point; the unlearning batch order follows ``seed`` as in ``run_grid``."""
        return Experiment(
            self.method,
            ForgetSpec(self.target, self.ratio, seed),
            non_default(self.method, **self.hyperparameters),
            replace(self.unlearn, seed=seed),
            compare_to_oracle=compare_to_oracle,
        )


def sweep_points(
    methods: Sequence[str],
    *,
    ratio: float = 0.1,
    unlearn: UnlearnConfig | None = None,
    targets: Sequence[str] = ("person", "event"),
    forget_ratios: Sequence[float] | Mapping[str, Sequence[float]] = (),
    budget_targets: Sequence[str] = ("person",),
    step_counts: Sequence[int] = (),
    learning_rates: Sequence[float] = (),
    betas: Mapping[str, Sequence[float]] | None = None,
) -> list[SweepPoint]:
    """Every run of a one-setting-at-a-time sweep around (``ratio``, ``unlearn``, default β).

    * ``forget_ratios``: each method on each of ``targets`` at each ratio (a mapping gives each
      target its own ratios, e.g. from :func:`distinct_ratios`);
    * ``step_counts``, ``learning_rates``: each method on each of ``budget_targets``;
    * ``betas``: ``{method: values}`` of the method's ``beta`` on each of ``budget_targets``
      (methods without a ``beta`` raise ``ValueError``).
    """
    unlearn = unlearn or UnlearnConfig()
    points: list[SweepPoint] = []
    for target in targets:
        ratios = forget_ratios.get(target, ()) if isinstance(forget_ratios, Mapping) else forget_ratios
        for method in methods:
            points += [SweepPoint("forget_ratio", float(r), method, target, float(r), unlearn) for r in ratios]
    for target in budget_targets:
        for method in methods:
            points += [
                SweepPoint("steps", int(s), method, target, ratio, replace(unlearn, steps=int(s))) for s in step_counts
            ]
            points += [
                SweepPoint("lr", float(lr), method, target, ratio, replace(unlearn, lr=float(lr)))
                for lr in learning_rates
            ]
        for method, values in (betas or {}).items():
            method_default(method, "beta")  # validates
            points += [SweepPoint("beta", float(b), method, target, ratio, unlearn, {"beta": float(b)}) for b in values]
    return points


def distinct_ratios(
    dataset: PEBenchDataset, target: str, ratios: Sequence[float], *, prefer: float = 0.1, seed: int = 0
) -> list[float]:
    """``ratios`` without those that forget as many persons (events) as another one, sorted.

    A population of 10 events forgets 1 event at ratio 0.05 and at 0.1 (at least one is always
    forgotten); a sweep would then plot two runs of the same size. Of ratios that tie, ``prefer``
    (the default ratio, whose runs other sweeps share) is kept, else the smallest.
    """
    by_size: dict[int, float] = {}
    for ratio in sorted(set(map(float, ratios)), key=lambda r: (r != prefer, r)):
        split = ForgetSplit(dataset, ForgetSpec(target, ratio, seed))
        by_size.setdefault(len(split.persons) + len(split.events), ratio)
    return sorted(by_size.values())


def count_runs(points: Sequence[SweepPoint], *, ratio: float, unlearn: UnlearnConfig, seed: int = 0) -> tuple[int, int]:
    """How many distinct experiments ``points`` make, and how many of them are the default setting
    (``ratio``, ``unlearn``, default hyper-parameters): runs a main-results grid shares."""
    distinct: dict[str, SweepPoint] = {}
    for point in points:
        distinct.setdefault(cache_key(point.experiment(seed)), point)
    defaults = [
        p
        for p in distinct.values()
        if p.ratio == ratio and p.unlearn == unlearn and not non_default(p.method, **p.hyperparameters)
    ]
    return len(distinct), len(defaults)


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

    Columns: ``target``, ``measure``, ``value``: the level every curve starts from. The experiment
    is built as ``pebench.study.run_grid`` builds it, so a grid's cached run is reused.
    """
    rows = []
    unlearn = replace(unlearn or UnlearnConfig(), seed=seed)
    for target in targets:
        spec = ForgetSpec(target, ratio, seed)
        experiment = Experiment(method, spec, {}, unlearn, compare_to_oracle=compare_to_oracle)
        result = runner(pipeline, experiment)
        rows += [
            {"target": target, "measure": m, "value": float(result["metrics"][measure_metric(target, m)])}
            for m in MEASURES
        ]
    return pd.DataFrame(rows)


def sweep_table(frame: pd.DataFrame, sweep: str) -> pd.DataFrame:
    """One sweep as a wide table: rows (target, method, setting value), columns the measures."""
    part = frame[frame["sweep"] == sweep]
    if part.empty:
        raise ValueError(f"no rows for sweep {sweep!r}")
    table = part.pivot_table(index=["target", "method", "x"], columns="measure", values="value", sort=False)
    table = table[[m for m in MEASURES if m in table.columns]]
    table.index = table.index.set_names(["target", "method", sweep])
    table.columns.name = None
    return table


def sweep_highlights(
    frame: pd.DataFrame,
    *,
    keep_level: float = 0.5,
    measures: Sequence[str] = ("efficacy", "generality", "retain", "scope", "real"),
) -> dict[str, float | int | str]:
    """Plain Python numbers (and strings) for a chapter's prose, keyed ``{sweep}_{target}_{method_id}_{what}``.

    For every curve: ``lo_x`` / ``hi_x`` (the smallest / largest swept value), ``lo_{m}`` / ``hi_{m}``
    (measure ``m`` there), ``lo_n`` / ``hi_n`` (persons or events forgotten there), ``min_retain``
    and ``min_retain_x`` (the lowest retain and where), ``retain_below`` / ``retain_above`` (the
    smallest swept value whose retain is under / at least ``keep_level``, as text, or
    ``"none of the swept values"``).
    Keys hold no dots, so they can be used in MyST glue roles.
    """
    values: dict[str, float | int | str] = {}
    for (sweep, target, method_id), part in frame.groupby(["sweep", "target", "method_id"], sort=False):
        prefix = f"{sweep}_{target}_{method_id}"
        wide = part.pivot_table(index="x", columns="measure", values="value").sort_index()
        counts = part.groupby("x")["forgotten"].first()
        for end, x in (("lo", wide.index.min()), ("hi", wide.index.max())):
            values[f"{prefix}_{end}_x"] = float(x)
            values[f"{prefix}_{end}_n"] = int(counts[x])
            values.update({f"{prefix}_{end}_{m}": float(wide.loc[x, m]) for m in measures})
        values[f"{prefix}_min_retain"] = float(wide["retain"].min())
        values[f"{prefix}_min_retain_x"] = float(wide["retain"].idxmin())
        below = wide.index[wide["retain"] < keep_level]
        values[f"{prefix}_retain_below"] = f"{below.min():g}" if len(below) else "none of the swept values"
        above = wide.index[wide["retain"] >= keep_level]
        values[f"{prefix}_retain_above"] = f"{above.min():g}" if len(above) else "none of the swept values"
    return values


def _method_colours(methods: Sequence[str]) -> dict[str, str]:
    """The colour of each display name, the same in every figure (set on each method's class;
    other names cycle through the rest)."""
    spare = iter(["C9", "C7", "C3", "C1"])
    registered = {method.label: method.colour for method in METHODS.values()}  # includes methods added later
    return {m: registered.get(m) or next(spare, "k") for m in methods}


def _tick_labels(part: pd.DataFrame, xs: Sequence[float], sweep: str) -> list[str]:
    """Tick labels of the swept values; forget ratios also show how many persons/events that is."""
    if sweep != "forget_ratio":
        return [f"{x:g}" for x in xs]
    counts = part.groupby("x")["forgotten"].first()
    return [f"{x:g}\n({int(counts[x])})" for x in xs]


def plot_sweep(
    frame: pd.DataFrame,
    panels: Sequence[tuple[str, str]],
    *,
    measures: Sequence[str] = MEASURES,
    reference: pd.DataFrame | None = None,
    reference_label: str = "Finetune",
    logx: Sequence[str] = ("lr", "beta"),
) -> Figure:
    """Curves of each measure against a swept setting: one row per (sweep, target) of ``panels``,
    one column per measure, one line per method; ``reference`` (from :func:`reference_levels`)
    adds a dashed level per target.

    Why: the paper's sensitivity question is whether more forgetting costs more of what should be
    kept; reading the forgetting columns next to the keeping ones on a shared x axis shows where
    each method pays.
    """
    import matplotlib.pyplot as plt

    methods = list(dict.fromkeys(frame["method"]))
    colours = _method_colours(methods)
    fig, axes = plt.subplots(
        len(panels),
        len(measures),
        squeeze=False,
        sharey=True,
        figsize=(2.55 * len(measures) + 1.2, 2.45 * len(panels) + 0.9),
    )
    for r, (sweep, target) in enumerate(panels):
        part = frame[(frame["sweep"] == sweep) & (frame["target"] == target)]
        if part.empty:
            raise ValueError(f"no rows for sweep {sweep!r} on target {target!r}")
        xs = sorted(part["x"].unique())
        for c, measure in enumerate(measures):
            ax = axes[r][c]
            for method in methods:
                line = part[(part["method"] == method) & (part["measure"] == measure)].sort_values("x")
                if not line.empty:
                    ax.plot(line["x"], line["value"], marker="o", ms=4, lw=1.4, color=colours[method], label=method)
            if reference is not None:
                level = reference[(reference["target"] == target) & (reference["measure"] == measure)]["value"]
                if not level.empty:
                    ax.axhline(float(level.iloc[0]), color="0.45", ls="--", lw=1, label=reference_label)
            if sweep in logx:
                ax.set_xscale("log")
                ax.minorticks_off()
            ax.set_xticks(xs)
            ax.set_xticklabels(_tick_labels(part, xs, sweep), fontsize=8, rotation=45 if len(xs) > 4 else 0)
            ax.set_ylim(-0.05, 1.05)
            if r == 0:
                ax.set_title(textwrap.fill(MEASURE_TITLES[measure], 22), fontsize=9.5)
            if c == 0:
                ax.set_ylabel(f"{target} unlearning\nscore", fontsize=9.5)
            ax.set_xlabel(SWEEP_AXES.get(sweep, sweep).format(target=target), fontsize=8.5)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="upper center", ncols=len(labels), fontsize=9, bbox_to_anchor=(0.5, 1.0), frameon=False
    )
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    return fig


# Where each method's point labels go (offset points), so that labels of nearby points of two
# methods fall on different sides.
_LABEL_OFFSETS = ((4, 4), (-4, 4), (4, -10), (-4, -10))


def plot_tradeoff(
    frame: pd.DataFrame,
    panels: Sequence[tuple[str, str]],
    *,
    x: str = "efficacy",
    y: str = "retain",
    reference: pd.DataFrame | None = None,
    ncols: int = 2,
) -> Figure:
    """Forgetting against keeping: one panel per (sweep, target), a line per method through its
    settings in increasing order, each point labelled with its setting value.

    Why: a setting that moves a method up and to the right (more forgotten, as much kept) is a free
    gain; one that moves it along a down-sloping line is the trade-off the paper describes.
    """
    import matplotlib.pyplot as plt

    methods = list(dict.fromkeys(frame["method"]))
    colours = _method_colours(methods)
    ncols = min(ncols, len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, figsize=(4.6 * ncols + 1.6, 4.2 * nrows))
    flat = list(axes.flat)
    for ax in flat[len(panels) :]:
        ax.set_visible(False)
    for ax, (sweep, target) in zip(flat, panels):
        part = frame[(frame["sweep"] == sweep) & (frame["target"] == target)]
        wide = part.pivot_table(index=["method", "x"], columns="measure", values="value", sort=False)
        for method in methods:
            if method not in wide.index.get_level_values(0):
                continue
            line = wide.loc[method].sort_index()
            ax.plot(line[x], line[y], marker="o", ms=4, lw=1.1, color=colours[method], label=method, alpha=0.85)
            # Settings that land on (nearly) the same spot share one label ("0.2/0.3") placed at the
            # first of them, instead of overprinting each other.
            spots: dict[tuple[int, int], tuple[tuple[float, float], list[str]]] = {}
            for value, row in line.iterrows():
                cell = (round(row[x] / 0.04), round(row[y] / 0.04))
                spots.setdefault(cell, ((row[x], row[y]), []))[1].append(f"{value:g}")
            dx, dy = _LABEL_OFFSETS[methods.index(method) % len(_LABEL_OFFSETS)]
            for (px, py), names in spots.values():
                ax.annotate(
                    "/".join(names),
                    (px, py),
                    textcoords="offset points",
                    xytext=(dx, dy),
                    fontsize=7.5,
                    color=colours[method],
                    ha="left" if dx > 0 else "right",
                )
        if reference is not None:
            ref = reference[reference["target"] == target].set_index("measure")["value"]
            if x in ref and y in ref:
                ax.plot([ref[x]], [ref[y]], marker="*", ms=10, color="0.3", ls="none", label="Finetune")
        ax.set(
            xlim=(-0.05, 1.1),
            ylim=(-0.05, 1.1),
            title=f"{SWEEPS.get(sweep, sweep).split(' (')[0]}, {target} unlearning",
            xlabel=MEASURE_TITLES[x].split(" (")[0].lower() + " (higher = more forgotten)",
            ylabel=MEASURE_TITLES[y].split(" (")[0].lower() + " (higher = better kept)",
        )
        ax.title.set_fontsize(10.5)
    handles, labels = flat[0].get_legend_handles_labels()
    for ax in flat[1 : len(panels)]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=9, frameon=False)
    fig.tight_layout()
    return fig


# -- qualitative examples ------------------------------------------------------------------------
def figure_one_image(person_split: ForgetSplit, event_split: ForgetSplit) -> str:
    """The paper's Figure 1 image: the first forgotten person *in* the first forgotten event
    (sorted ids), on a training image.

    Why this one: on it, the person question is a forget question of person unlearning and a
    scope question of event unlearning, and the event question the other way round, so every
    answer the figure needs was evaluated (and stored) by both runs. Both splits must come from
    the same dataset; with the same seed and ratio they draw the same persons and events.
    """
    if not person_split.persons or not event_split.events:
        raise ValueError("need a person-unlearning split with persons and an event-unlearning split with events")
    return person_split.dataset.first_image(min(person_split.persons), min(event_split.events))


def question(dataset: PEBenchDataset, image_id: str, kind: str) -> QAItem:
    """The question of ``kind`` (``"person"``, ``"event"``, ``"general"``) about ``image_id``."""
    for item in dataset.qa:
        if item.image_id == image_id and item.kind == kind:
            return item
    raise KeyError(f"image {image_id} has no {kind} question")


def spread_items(items: Sequence[QAItem], n: int) -> list[QAItem]:
    """Up to ``n`` items on distinct images, preferring new persons *and* new events, in order.

    Deterministic: a first pass keeps an item only if neither its person nor its event was kept
    yet, a second pass one whose person is new, a third anything on a new image.
    """
    chosen: list[QAItem] = []
    rules = [
        lambda i, ps, es: i.person_id not in ps and i.event_id not in es,
        lambda i, ps, es: i.person_id not in ps or i.event_id not in es,
        lambda i, ps, es: True,
    ]
    for rule in rules:
        for item in items:
            if len(chosen) >= n:
                return chosen
            persons = {c.person_id for c in chosen}
            events = {c.event_id for c in chosen}
            if item.image_id not in {c.image_id for c in chosen} and rule(item, persons, events):
                chosen.append(item)
    return chosen


class MissingAnswerError(KeyError):
    """A run did not evaluate a question, so its stored predictions hold no answer to it."""


def stored_answer(result: Mapping[str, Any], qa_id: str, label: str = "run") -> str:
    """The answer a cached run stored for ``qa_id``; :class:`MissingAnswerError` if it has none."""
    predictions = result["predictions"]
    if qa_id not in predictions:
        raise MissingAnswerError(
            f"{label} did not evaluate {qa_id}; compute the answer with pebench.metrics.predictions.predict "
            "on that model instead of guessing it"
        )
    return predictions[qa_id]


def answer_table(
    dataset: PEBenchDataset, items: Sequence[QAItem], results: Mapping[str, Mapping[str, Any]]
) -> pd.DataFrame:
    """One row per item: ``qa_id``, ``image``, ``person``, ``event``, ``split``, ``kind``, ``question``,
    ``reference``, then one column per entry of ``results`` (its label) with that run's answer."""
    rows = []
    for item in items:
        row = {
            "qa_id": item.qa_id,
            "image": item.image_id,
            "person": dataset.persons[item.person_id].name,
            "event": dataset.events[item.event_id].name,
            "split": item.split,
            "kind": item.kind,
            "question": item.question,
            "reference": item.answer,
        }
        row.update({label: stored_answer(result, item.qa_id, label) for label, result in results.items()})
        rows.append(row)
    return pd.DataFrame(
        rows, columns=["qa_id", "image", "person", "event", "split", "kind", "question", "reference", *results]
    )


def image_answers(dataset: PEBenchDataset, image_id: str, results: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Each run's stored answers to the person and event questions about ``image_id``: one row per
    label of ``results``, columns ``"person"`` and ``"event"`` (the input of :func:`plot_answer_panel`)."""
    items = {kind: question(dataset, image_id, kind) for kind in ("person", "event")}
    rows = {
        label: {kind: stored_answer(result, item.qa_id, label) for kind, item in items.items()}
        for label, result in results.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=["person", "event"])


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
    seed, keyed ``(target, method)``; built exactly as ``pebench.study.run_grid`` builds its runs
    (``forget_seed`` as there), so a grid a chapter already ran is read back, not recomputed."""
    unlearn = replace(unlearn or UnlearnConfig(), seed=seed)
    spec_seed = seed if forget_seed is None else forget_seed
    return {
        (target, method): runner(
            pipeline,
            Experiment(method, ForgetSpec(target, ratio, spec_seed), {}, unlearn, compare_to_oracle=compare_to_oracle),
        )
        for target in targets
        for method in methods
    }


def matches_reference(table: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Whether each answer has the reference's words in order (exact match), per label column."""
    return pd.DataFrame(
        {label: [bool(exact_match(a, r)) for a, r in zip(table[label], table["reference"])] for label in labels},
        index=table.index,
    )


def changed_from(table: pd.DataFrame, baseline: str, labels: Sequence[str]) -> pd.DataFrame:
    """Whether each answer differs (in its words) from the ``baseline`` column's answer, per label."""
    return pd.DataFrame(
        {label: [not exact_match(a, b) for a, b in zip(table[label], table[baseline])] for label in labels},
        index=table.index,
    )


def answer_summary(table: pd.DataFrame, baseline: str, labels: Sequence[str]) -> pd.DataFrame:
    """Per label: the share of answers with the reference's words (``correct``), the share that
    differ from the ``baseline`` column's (``changed``), and how many answers (``n``)."""
    correct = matches_reference(table, labels).mean()
    changed = changed_from(table, baseline, labels).mean()
    frame = pd.DataFrame({"correct": correct.astype(float), "changed": changed.astype(float)})
    frame["n"] = len(table)
    frame.index.name = "model"
    return frame


#: The kinds of answer :func:`answer_types` tells apart, in the order they are checked.
ANSWER_TYPES = ("reference", "empty", "refusal", "other known answer", "other text")


def answer_type(answer: str, reference: str, known: Collection[str]) -> str:
    """What an answer is: the ``reference`` (same words), ``empty``, a ``refusal``
    (:func:`pebench.metrics.is_refusal`), ``other known answer`` (the words of another answer in
    ``known``, e.g. another person's name) or ``other text`` (anything else: mixed or garbled)."""
    if exact_match(answer, reference):
        return "reference"
    if not words(answer):
        return "empty"
    if is_refusal(answer):
        return "refusal"
    if tuple(words(answer)) in {tuple(words(k)) for k in known}:
        return "other known answer"
    return "other text"


def answer_types(
    table: pd.DataFrame, labels: Sequence[str], known: Collection[str], *, goal: str | None = None
) -> pd.DataFrame:
    """Per label: the share of its answers of each :data:`ANSWER_TYPES`, how many distinct
    answers it gives (``distinct``), and, with ``goal``, the share identical to that column's
    answer (``same as goal``).

    Why: efficacy only says an answer is no longer the reference; *what* replaced it (nothing, a
    refusal, another person's name as a model that never learned the target would say, or word
    salad) tells the methods apart, and shows collapse (one answer for every question).
    """
    known = list(known)
    rows = {}
    for label in labels:
        kinds = [answer_type(a, r, known) for a, r in zip(table[label], table["reference"])]
        row = {t: kinds.count(t) / len(kinds) for t in ANSWER_TYPES}
        row["distinct"] = len({tuple(words(a)) for a in table[label]})
        if goal is not None:
            row["same as goal"] = float(np.mean([exact_match(a, g) for a, g in zip(table[label], table[goal])]))
        rows[label] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "model"
    return frame


def first_answer_of_type(table: pd.DataFrame, label: str, kind: str, known: Collection[str]) -> str | None:
    """The first answer of column ``label`` whose :func:`answer_type` is ``kind`` (``None`` if none):
    an example to quote, read from the results rather than typed."""
    known = list(known)
    for answer, reference in zip(table[label], table["reference"]):
        if answer_type(answer, reference, known) == kind:
            return answer
    return None


def interference_examples(table: pd.DataFrame, baseline: str, labels: Sequence[str], n: int) -> pd.DataFrame:
    """The ``n`` rows whose answer changed (from ``baseline``) under the most of ``labels``,
    ties in table order; rows no method changed are left out. Adds a ``changed_by`` column."""
    changed = changed_from(table, baseline, labels)
    counted = table.assign(changed_by=changed.sum(axis=1).astype(int))
    counted = counted[counted["changed_by"] > 0]
    order = np.lexsort((np.arange(len(counted)), -counted["changed_by"].to_numpy()))
    return counted.iloc[order[:n]]


#: Answer colours: the reference's words (still known) and anything else (forgotten, or damaged).
_MATCH_COLOURS = {True: "#1f4e9c", False: "#b35900"}
MARK_NOTE = (
    "✓ (blue): the reference answer, word for word; ✗ (orange): another answer, which is the goal "
    "for a forgotten concept and damage for anything else"
)


def _mark(answer: str, reference: str) -> tuple[str, str]:
    """The answer with a ✓ (same words as the reference) or ✗, and its colour."""
    ok = bool(exact_match(answer, reference))
    return f"{'✓' if ok else '✗'} {answer if answer else '(empty answer)'}", _MATCH_COLOURS[ok]


def plot_answer_panel(
    dataset: PEBenchDataset,
    image_id: str,
    answers: pd.DataFrame,
    *,
    factor: int = 6,
    wrap: int = 36,
    max_chars: int = 120,
    title: str | None = None,
) -> Figure:
    """The paper's Figure 1 at our scale: the image, and each model's answers to its person and
    event questions. ``answers`` has one row per model (the index is its label) and columns
    ``"person"`` and ``"event"`` (:func:`image_answers`). Answers with the reference's words
    carry ✓, others ✗ (:data:`MARK_NOTE`); answers over ``max_chars`` characters are cut with "…".
    """
    import matplotlib.pyplot as plt

    items = {kind: question(dataset, image_id, kind) for kind in ("person", "event")}
    rows = [("reference answer", items["person"].answer, "black", items["event"].answer, "black")]
    for label, row in answers.iterrows():
        person = _mark(_shorten(row["person"], max_chars), items["person"].answer)
        event = _mark(_shorten(row["event"], max_chars), items["event"].answer)
        rows.append((str(label), *person, *event))
    cells = [
        [textwrap.fill(label, 24), textwrap.fill(person, wrap), textwrap.fill(event, wrap)]
        for label, person, _, event, _ in rows
    ]
    heights = [max(text.count("\n") + 1 for text in cell) for cell in cells]
    gap, header = 0.8, 1.8
    total = header + sum(heights) + gap * len(rows)
    height = 0.18 * total + 0.5
    fig = plt.figure(figsize=(13, height))
    grid = fig.add_gridspec(1, 2, width_ratios=[1, 3.6], wspace=0.04, top=1 - 0.1 / height, bottom=0.4 / height)
    ax_image = fig.add_subplot(grid[0, 0])
    ax_image.imshow(upscaled(dataset, image_id, factor), interpolation="nearest")
    bare(ax_image)
    image = dataset.images[image_id]
    split = "training" if image.split == "train" else "held-out"
    person, event = dataset.persons[image.person_id].name, dataset.events[image.event_id].name
    caption = f"{image_id}, a {split} image: {person} at {event}"
    ax_image.set_xlabel(textwrap.fill(caption, 30), fontsize=9)
    ax = fig.add_subplot(grid[0, 1])
    ax.set_xlim(0, 1)
    ax.set_ylim(total, 0)
    ax.axis("off")
    columns = (0.0, 0.25, 0.62)
    for x, text in zip(columns, ("model", items["person"].question, items["event"].question)):
        ax.text(x, 0, text, fontsize=10, fontweight="bold", va="top")
    y = header
    for (label, _, pc, _, ec), cell, lines in zip(rows, cells, heights):
        ax.axhline(y - gap / 2, color="0.85", lw=0.8)
        style = "italic" if label == "reference answer" else "normal"
        ax.text(columns[0], y, cell[0], fontsize=10, va="top", style=style)
        ax.text(columns[1], y, cell[1], fontsize=10, va="top", color=pc)
        ax.text(columns[2], y, cell[2], fontsize=10, va="top", color=ec)
        y += lines + gap
    fig.text(0.5, 0.0, MARK_NOTE, ha="center", va="bottom", fontsize=8.5, color="0.3")
    if title:
        fig.suptitle(title, fontsize=12)
    return fig


def _shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with "…" when cut."""
    if len(text) <= limit:
        return text
    return textwrap.shorten(text, width=limit, placeholder=" …")


def plot_answer_grid(
    dataset: PEBenchDataset,
    table: pd.DataFrame,
    labels: Sequence[str],
    *,
    factor: int = 3,
    wrap: int = 16,
    max_chars: int = 90,
    caption: Callable[[pd.Series], str] | None = None,
) -> Figure:
    """A grid of examples: one row per row of ``table`` (from :func:`answer_table`), the image
    and its question first, then the reference and each label's answer (✓ when it has the
    reference's words, ✗ otherwise; :data:`MARK_NOTE`). Answers longer than ``max_chars``
    characters (degenerate repetitions) are cut with "…" in the figure; the table keeps them whole.
    """
    import matplotlib.pyplot as plt

    columns = ["reference", *labels]

    def cell(row: pd.Series, column: str) -> tuple[str, str]:
        if column == "reference":
            return textwrap.fill(str(row[column]), wrap), "black"
        body, colour = _mark(_shorten(str(row[column]), max_chars), row["reference"])
        return textwrap.fill(body, wrap), colour

    cells = [[cell(row, c) for c in columns] for _, row in table.iterrows()]
    line, image_side = 0.15, 1.05  # inches: one line of 8-point text, the image's side
    row_heights = [max(image_side, line * max(text.count("\n") + 1 for text, _ in row) + 0.12) for row in cells]
    height = sum(row_heights) + 0.1 * len(cells) + 0.45
    fig = plt.figure(figsize=(1.3 + 1.45 * len(columns), height))
    grid = fig.add_gridspec(
        len(table),
        len(columns) + 1,
        height_ratios=row_heights,
        width_ratios=[1.05] + [1.45] * len(columns),
        hspace=0.1 * len(cells) / sum(row_heights),
        wspace=0.06,
        top=1 - 0.3 / height,
        bottom=0.15 / height,
        left=0.03,
        right=0.99,
    )
    for r, (_, row) in enumerate(table.iterrows()):
        ax = fig.add_subplot(grid[r, 0])
        ax.imshow(upscaled(dataset, row["image"], factor), interpolation="nearest")
        ax.set_anchor("N")
        bare(ax)
        split = "training" if row["split"] == "train" else "held-out"
        ax.set_ylabel(caption(row) if caption else f"{row['kind']} question\n{split} image", fontsize=7.5)
        for c, ((text, colour), column) in enumerate(zip(cells[r], columns), start=1):
            ax = fig.add_subplot(grid[r, c])
            ax.axis("off")
            ax.text(
                0.02,
                1.0,
                text,
                fontsize=8,
                va="top",
                color=colour,
                transform=ax.transAxes,
                style="italic" if column == "reference" else "normal",
            )
            if r == 0:
                ax.set_title(column, fontsize=9.5, fontweight="bold")
    note = MARK_NOTE + (f"; answers over {max_chars} characters are cut (…)" if max_chars else "")
    fig.text(0.5, 0.0, note, ha="center", va="bottom", fontsize=8.5, color="0.3")
    return fig
