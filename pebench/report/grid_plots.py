"""Figures of a grid of unlearning runs: the paper's columns as bars, forgetting against keeping,
cross-concept interference as a heat map, and one concept alone against both together (at the
end of the runs and along them).

Each function takes the frames :mod:`pebench.study` builds (long results, their summary, the
interference and alone-vs-together tables) and returns a figure; matplotlib and seaborn are
imported inside the functions only.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pandas as pd

from pebench.arms import BOUND_LABELS
from pebench.budget import TARGET_EFFICACY, BudgetCalibration
from pebench.metrics.catalog import KINDS, OTHER_KIND, table_columns
from pebench.report.style import cycle_colour, styled

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@styled("whitegrid")
def plot_metric_bars(results: pd.DataFrame) -> Figure:
    """Table 1 as bars: one panel per forgotten concept, the paper's six columns, one bar per
    method (in the order of ``results``) with its standard deviation over the runs."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    headers = {target: dict((metric, header) for header, metric in table_columns(target)) for target in KINDS}
    long = results[[metric in headers[target] for target, metric in zip(results["target"], results["metric"])]].copy()
    long["label"] = [headers[target][metric] for target, metric in zip(long["target"], long["metric"])]
    order = [header for header, _ in table_columns(KINDS[0])]
    row_order = list(dict.fromkeys(results["method"]))
    n_runs = long.groupby(["method", "target", "metric"]).size().max()
    fig, axes = plt.subplots(2, 1, figsize=(10, 7.5), sharey=True)
    for ax, target in zip(axes, KINDS):
        sns.barplot(
            data=long[long["target"] == target],
            x="label",
            y="value",
            hue="method",
            order=order,
            hue_order=row_order,
            errorbar="sd",
            capsize=0.05,
            err_kws={"linewidth": 1},
            ax=ax,
            palette="tab10",
        )
        ax.set(title=f"{target} unlearning (mean ± sd over {n_runs} runs)", xlabel="", ylabel="score", ylim=(0, 1.08))
        ax.legend_.remove()
    axes[0].legend(ncols=5, fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.12))
    fig.tight_layout()
    return fig


@styled("whitegrid")
def plot_forgetting_vs_keeping(summary: pd.DataFrame) -> Figure:
    """Efficacy against Retain and against Scope, per forgotten concept: a point per method (in the
    order of ``summary``) with its standard deviation in both directions. Upper right is the goal:
    forgotten and kept."""
    import matplotlib.pyplot as plt

    row_order = list(dict.fromkeys(summary["method"]))
    fig, axes = plt.subplots(2, 2, figsize=(8, 7.2), sharex=True, sharey=True)
    panels = [(target, keep) for target in KINDS for keep in ("retain", "scope")]
    for ax, (target, keep) in zip(axes.flat, panels):
        x_metric = f"{target}_efficacy"
        y_metric = f"{target}_retain" if keep == "retain" else f"{OTHER_KIND[target]}_scope"
        for i, method in enumerate(row_order):
            rows = summary[(summary["method"] == method) & (summary["target"] == target)]
            x, y = rows[rows["metric"] == x_metric], rows[rows["metric"] == y_metric]
            colour = cycle_colour(f"C{i}")
            ax.errorbar(
                x["mean"], y["mean"], xerr=x["std"], yerr=y["std"], fmt="o", color=colour, label=method, capsize=2
            )
        ax.set(
            title=f"{target} unlearning: {keep}",
            xlabel="efficacy (forgotten)",
            ylabel=keep,
            xlim=(-0.05, 1.05),
            ylim=(-0.05, 1.05),
        )
    axes[0][1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.tight_layout()
    return fig


#: The columns of the interference table (:func:`pebench.study.interference_table`) shown as a heat map.
INTERFERENCE_COLUMNS = ("target concept", "other concept, same images", "other concept, other images", "interference")


@styled("white")
def plot_interference(interference: pd.DataFrame, *, reference: str = BOUND_LABELS["finetune"]) -> Figure:
    """Each method's change against ``reference``, per forgotten concept: the forgotten concept, the
    other one on the same images and on other images, and their difference (interference)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    row_order = [method for method in dict.fromkeys(interference["method"]) if method != reference]
    fig, axes = plt.subplots(2, 1, figsize=(8.5, 9), sharex=True)
    for ax, forgotten in zip(axes, KINDS):
        rows = interference[interference["forgotten"] == forgotten].set_index("method")
        matrix = rows.loc[list(row_order), list(INTERFERENCE_COLUMNS)]
        sns.heatmap(
            matrix, annot=True, fmt="+.2f", center=0, vmin=-1, vmax=1, cmap="RdBu", cbar=forgotten == "event", ax=ax
        )
        other = "event descriptions" if forgotten == "person" else "names"
        ax.set(title=f"forgetting {forgotten}s (other concept = {other})", xlabel="", ylabel="")
    # the columns' names wrapped, horizontal: read at page width without turning the head
    axes[-1].set_xticklabels([textwrap.fill(column, 16) for column in INTERFERENCE_COLUMNS], rotation=0)
    axes[-1].set_xlabel("change vs. Finetune")
    fig.tight_layout()
    return fig


@styled("whitegrid")
def plot_alone_vs_together(conflict: pd.DataFrame) -> Figure:
    """Efficacy and retain of each concept forgotten alone and forgotten together with the other
    (:func:`pebench.study.alone_vs_together`), per method."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    conflict = conflict.reset_index()
    fig, axes = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True)
    for ax, metric in zip(axes, ["efficacy", "retain"]):
        data = conflict[conflict["metric"] == metric].melt(
            id_vars=["method", "concept"], value_vars=["alone", "together"], var_name="setting"
        )
        data["group"] = data["method"] + " / " + data["concept"]
        sns.barplot(data=data, x="group", y="value", hue="setting", ax=ax, palette=["C0", "C3"])
        ax.set(title=f"{metric}: one concept alone vs both together", xlabel="", ylabel=metric, ylim=(0, 1.05))
    axes[1].legend_.remove()  # the first panel's legend names both settings
    fig.tight_layout()
    return fig


#: Line style and colour of each setting in :func:`plot_curves_alone_vs_together` (as in the bars).
_SETTING_STYLES = {"alone": ("-", "C0"), "together": ("--", "C3"), "together, balanced": (":", "C2")}


@styled("whitegrid")
def plot_curves_alone_vs_together(curves: pd.DataFrame) -> Figure:
    """Efficacy and retain along the runs (:func:`pebench.study.curves_alone_vs_together`): a row per
    base method, a panel per concept and measure, a line per setting (mean, band ±1 sd over runs)."""
    import matplotlib.pyplot as plt

    methods = list(dict.fromkeys(curves["method"]))
    panels = [(concept, metric) for metric in ("efficacy", "retain") for concept in KINDS]
    fig, axes = plt.subplots(
        len(methods),
        len(panels),
        figsize=(2.4 * len(panels), 2.3 * len(methods)),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    for row, method in zip(axes, methods):
        for ax, (concept, metric) in zip(row, panels):
            for setting, (style, colour) in _SETTING_STYLES.items():
                line = curves.query(
                    "method == @method and concept == @concept and metric == @metric and setting == @setting"
                )
                spread = line["std"].fillna(0.0)
                ax.plot(line["exposure"], line["mean"], style, color=colour, label=setting)
                ax.fill_between(
                    line["exposure"], line["mean"] - spread, line["mean"] + spread, alpha=0.15, color=colour
                )
            ax.set(title=f"{method}: {concept} {metric}", ylim=(-0.05, 1.05))
        row[0].set_ylabel("probe value")
    for ax in axes[-1]:
        ax.set_xlabel("forget examples seen\n(one-concept steps)")
    axes[0][0].legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


@styled("whitegrid")
def plot_budget_calibration(calibration: BudgetCalibration) -> Figure:
    """The calibration run of the budget rule (:mod:`pebench.budget`): GD's person efficacy and
    retain on the probe set after every step, the target efficacy and the budget it gives."""
    import matplotlib.pyplot as plt

    curve = calibration.curve
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    ax.plot(curve["step"], curve["efficacy"], "-o", ms=3, color="C1", label="person efficacy (forgotten)")
    ax.plot(curve["step"], curve["retain"], "-s", ms=3, color="C0", label="person retain (kept)")
    ax.axhline(TARGET_EFFICACY, color="C7", ls="--", lw=1, label=f"target efficacy {TARGET_EFFICACY:g}")
    if calibration.steps is not None:
        ax.axvline(calibration.steps, color="C3", lw=1, label=f"budget: {calibration.steps} steps")
    ax.set(xlabel="unlearning step (GD, calibration forget draw)", ylabel="probe value", ylim=(-0.05, 1.05))
    ax.legend(loc="center right", fontsize="small")
    fig.tight_layout()
    return fig
