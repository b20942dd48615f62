"""Figures of training a base model: its learning curves and what it answers right afterwards."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from pebench.report.style import cycle_colour, styled

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The accuracy probes logged during fine-tuning: (column, legend label, line style).
_PROBES = (
    ("acc_train_person", "person, training images", "-"),
    ("acc_heldout_person", "person, held-out images", "--"),
    ("acc_train_event", "event, training images", "-"),
    ("acc_heldout_event", "event, held-out images", "--"),
)


@styled("whitegrid")
def plot_learning_curves(pretrain_log: pd.DataFrame, finetune_log: pd.DataFrame) -> Figure:
    """The answer loss of pretraining and of fine-tuning, and the fine-tuning accuracy probes on
    training and held-out images (:meth:`pebench.pipeline.Pipeline.history`)."""
    import matplotlib.pyplot as plt

    curves = finetune_log.dropna(subset=["acc_train_person"])
    fig, axes = plt.subplots(1, 3, figsize=(10.2, 3.4))
    axes[0].plot(pretrain_log["step"], pretrain_log["loss"], lw=0.8)
    axes[0].set(title="pretraining (real population)", xlabel="step", ylabel="answer NLL", yscale="log")
    axes[1].plot(finetune_log["step"], finetune_log["loss"], lw=0.8, color=cycle_colour("C1"))
    axes[1].set(title="fine-tuning (fictitious population)", xlabel="step", ylabel="answer NLL", yscale="log")
    for column, label, style in _PROBES:
        color = cycle_colour("C0" if "person" in column else "C2")
        axes[2].plot(curves["step"], curves[column], style, color=color, marker="o", ms=3, label=label)
    axes[2].set(title="fine-tuning accuracy (exact match)", xlabel="step", ylabel="accuracy", ylim=(-0.02, 1.02))
    axes[2].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


@styled("whitegrid")
def plot_accuracy(accuracy: pd.DataFrame) -> Figure:
    """Accuracy per population and question kind (events by keyword recall where they have keywords),
    training against held-out images (:func:`pebench.metrics.predictions.accuracy_table`)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    plot_data = accuracy.reset_index()
    plot_data["group"] = plot_data["population"] + " / " + plot_data["kind"]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    sns.barplot(data=plot_data, x="group", y="accuracy", hue="split", ax=ax, palette=["C0", "C7"])
    ax.set(xlabel="", ylabel="accuracy", ylim=(0, 1.05), title="accuracy of the fine-tuned model")
    ax.tick_params(axis="x", rotation=20)
    fig.tight_layout()
    return fig
