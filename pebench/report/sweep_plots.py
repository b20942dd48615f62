"""Figures of a sweep: each measure against the swept setting, and forgetting against keeping.

The sensitivity question is whether more forgetting costs more of what should be kept.
:func:`plot_sweep` puts the forgetting measures next to the keeping ones on a shared x axis;
:func:`plot_tradeoff` plots one against the other, a point per setting. Each method keeps its
colour in every figure (set on its class in :mod:`pebench.unlearn`). Matplotlib is imported inside
the plotting functions only.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from pebench.arms import BOUND_LABELS
from pebench.report.measures import MEASURE_TITLES, MEASURES
from pebench.report.style import cycle_colour, styled
from pebench.unlearn import METHODS

if TYPE_CHECKING:
    from matplotlib.figure import Figure


#: At most this many measures side by side in :func:`plot_sweep`; more wrap onto the next row.
MEASURES_PER_ROW = 3

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


def _method_colours(methods: Sequence[str]) -> dict[str, tuple[float, float, float, float]]:
    """The colour of each display name, the same in every figure (set on each method's class;
    other names cycle through the rest)."""
    spare = iter(["C9", "C7", "C3", "C1"])
    registered = {method.label: method.colour for method in METHODS.values()}  # includes methods added later
    return {m: cycle_colour(registered.get(m) or next(spare, "k")) for m in methods}


def _tick_labels(part: pd.DataFrame, xs: Sequence[float], sweep: str) -> list[str]:
    """Tick labels of the swept values; forget ratios also show how many persons/events that is."""
    if sweep != "forget_ratio":
        return [f"{x:g}" for x in xs]
    counts = part.groupby("x")["forgotten"].first()
    return [f"{x:g}\n({int(counts[x])})" for x in xs]


@styled("whitegrid")
def plot_sweep(
    frame: pd.DataFrame,
    panels: Sequence[tuple[str, str]],
    *,
    measures: Sequence[str] = MEASURES,
    reference: pd.DataFrame | None = None,
    reference_label: str = BOUND_LABELS["finetune"],
    logx: Sequence[str] = ("lr", "beta"),
) -> Figure:
    """Curves of each measure against a swept setting: a block of rows per (sweep, target) of
    ``panels``, a panel per measure (at most :data:`MEASURES_PER_ROW` side by side, so that the figure
    reads at page width), one line per method; ``reference`` (from
    :func:`~pebench.report.runs.reference_levels`) adds a dashed level per target.

    Why: the paper's sensitivity question is whether more forgetting costs more of what should be
    kept; reading the forgetting columns next to the keeping ones on a shared x axis shows where
    each method pays.
    """
    import matplotlib.pyplot as plt

    methods = list(dict.fromkeys(frame["method"]))
    colours = _method_colours(methods)
    columns = min(MEASURES_PER_ROW, len(measures))
    block = -(-len(measures) // columns)  # rows per (sweep, target)
    fig, axes = plt.subplots(
        len(panels) * block,
        columns,
        squeeze=False,
        sharey=True,
        figsize=(2.75 * columns + 1.2, 2.6 * len(panels) * block + 0.9),
    )
    for r, (sweep, target) in enumerate(panels):
        part = frame[(frame["sweep"] == sweep) & (frame["target"] == target)]
        if part.empty:
            raise ValueError(f"no rows for sweep {sweep!r} on target {target!r}")
        xs = sorted(part["x"].unique())
        for spare in range(len(measures), block * columns):
            axes[r * block + spare // columns][spare % columns].set_visible(False)
        for c, measure in enumerate(measures):
            ax = axes[r * block + c // columns][c % columns]
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
            ax.set_title(textwrap.fill(MEASURE_TITLES[measure], 26), fontsize=9.5)
            if c % columns == 0:
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


@styled("whitegrid")
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
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, figsize=(3.9 * ncols + 1.6, 3.7 * nrows))
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
                ax.plot([ref[x]], [ref[y]], marker="*", ms=10, color="0.3", ls="none", label=BOUND_LABELS["finetune"])
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
