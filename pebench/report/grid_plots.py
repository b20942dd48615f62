"""Figures of a grid of unlearning runs: the paper's columns as bars, forgetting against keeping,
cross-concept interference as a heat map, and one concept alone against both together.

Each function takes the frames :mod:`pebench.study` builds (long results, their summary, the
interference and alone-vs-together tables) and returns a figure; matplotlib and seaborn are
imported inside the functions only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from pebench.arms import BOUND_LABELS
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
    fig, axes = plt.subplots(2, 1, figsize=(13, 7.5), sharey=True)
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
    fig, axes = plt.subplots(1, 4, figsize=(16, 4), sharex=True, sharey=True)
    panels = [(target, keep) for target in KINDS for keep in ("retain", "scope")]
    for ax, (target, keep) in zip(axes, panels):
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
    axes[-1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
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
    fig, axes = plt.subplots(1, 2, figsize=(14, 4.8), sharey=True)
    for ax, forgotten in zip(axes, KINDS):
        rows = interference[interference["forgotten"] == forgotten].set_index("method")
        matrix = rows.loc[list(row_order), list(INTERFERENCE_COLUMNS)]
        sns.heatmap(
            matrix, annot=True, fmt="+.2f", center=0, vmin=-1, vmax=1, cmap="RdBu", cbar=forgotten == "event", ax=ax
        )
        other = "event descriptions" if forgotten == "person" else "names"
        ax.set(title=f"forgetting {forgotten}s (other concept = {other})", xlabel="change vs. Finetune", ylabel="")
        ax.tick_params(axis="x", rotation=20)
    fig.tight_layout()
    return fig


@styled("whitegrid")
def plot_alone_vs_together(conflict: pd.DataFrame) -> Figure:
    """Efficacy and retain of each concept forgotten alone and forgotten together with the other
    (:func:`pebench.study.alone_vs_together`), per method."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    conflict = conflict.reset_index()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    for ax, metric in zip(axes, ["efficacy", "retain"]):
        data = conflict[conflict["metric"] == metric].melt(
            id_vars=["method", "concept"], value_vars=["alone", "together"], var_name="setting"
        )
        data["group"] = data["method"] + " / " + data["concept"]
        sns.barplot(data=data, x="group", y="value", hue="setting", ax=ax, palette=["C0", "C3"])
        ax.set(title=f"{metric}: one concept alone vs both together", xlabel="", ylabel=metric, ylim=(0, 1.05))
    fig.tight_layout()
    return fig
