"""The companion's pipeline as a flow diagram, with the dataset's counts in its boxes.

The paper shows its pipeline as a figure (descriptions, images, split, fine-tuned and goal models,
unlearning, metrics); ours has one more stage, pretraining on a "real" population. The diagram's
counts come from :func:`pebench.data.summary.statistics.pipeline_counts`, so it describes the data
it is drawn for. Matplotlib is imported inside the plotting function only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


# Colours of the pipeline figure's stages: data, training, models, unlearning and evaluation.
_STAGE_COLOURS = {"data": "#dbe9f6", "train": "#fde3c8", "model": "#d9f0d3", "unlearn": "#e8dcf0"}


def plot_pipeline(counts: dict[str, int]) -> Figure:
    """The pipeline of this companion as a flow diagram, with the dataset's counts in the boxes.

    Why: the paper's Figure 3 shows its pipeline (descriptions, images, split, fine-tuned and goal
    models, unlearning, metrics); ours has one more stage, pretraining on a "real" population,
    which gives a model trained from scratch the prior knowledge the paper's pretrained MLLM has.
    ``counts`` is :func:`~pebench.data.summary.statistics.pipeline_counts`.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    c = counts
    side = c["image_side"]
    # (row, column) -> (stage, title, body); rows run top to bottom, the middle row right to left.
    boxes = {
        (0, 0): (
            "data",
            "1  Procedural descriptions",
            f"{c['persons']} fictitious + {c['real_persons']} \u201creal\u201d persons\n(name + look)\n"
            f"{c['events']} + {c['real_events']} events from {c['domains']} domains",
        ),
        (0, 1): ("data", "2  Images", f"{c['images']:,} drawings, {side} × {side} px\none person in one event each"),
        (0, 2): (
            "data",
            "3  Train / held-out split + QA",
            f"{c['train_images']:,} train + {c['heldout_images']:,} held-out images\n"
            f"{c['questions']:,} questions\n(person, event, general)",
        ),
        (1, 2): (
            "train",
            "4  Pretraining",
            f"\u201creal\u201d population:\n{c['real_persons']} persons × {c['real_events']} events\n"
            f"{c['pretrain_questions']:,} questions incl. general ones"
            + (f"\n+ {c['captions']:,} captioned pictures" if c["captions"] else ""),
        ),
        (1, 1): (
            "train",
            "5  Fine-tuning",
            f"fictitious population:\n{c['persons']} persons × {c['events']} events\n"
            f"{c['finetune_questions']:,} person + event questions\n(+ replayed pretraining ones)",
        ),
        (1, 0): ("model", "6  Finetune model", "knows every fictitious\nperson and event\n(before unlearning)"),
        (2, 0): (
            "unlearn",
            "7  Unlearning",
            "forget persons, events or both\nGA · GD · KL · PO · NPO\n+ balanced (joint)",
        ),
        (2, 1): (
            "unlearn",
            "8  Metrics",
            f"efficacy (train images)\ngenerality ({c['heldout_questions']:,} held-out questions)\n"
            "retain · scope · real · world fact",
        ),
        (2, 2): ("model", "Goal model", "fine-tuned again\nwithout the forget set\n(retrain oracle)"),
    }
    width, height, dx, dy = 3.3, 1.55, 4.1, 2.3

    def centre(cell: tuple[int, int]) -> tuple[float, float]:
        return cell[1] * dx, -cell[0] * dy

    fig, ax = plt.subplots(figsize=(10, 6.2))
    for cell, (stage, title, body) in boxes.items():
        x, y = centre(cell)
        ax.add_patch(
            FancyBboxPatch(
                (x - width / 2, y - height / 2),
                width,
                height,
                boxstyle="round,pad=0.02,rounding_size=0.15",
                facecolor=_STAGE_COLOURS[stage],
                edgecolor="#555555",
                linewidth=1.0,
            )
        )
        ax.text(x, y + height / 2 - 0.2, title, ha="center", va="top", fontsize=10.5, fontweight="bold")
        ax.text(x, y - 0.12, body, ha="center", va="center", fontsize=9, linespacing=1.35)

    def arrow(a: tuple[int, int], b: tuple[int, int], label: str = "", rad: float = 0.0) -> None:
        (xa, ya), (xb, yb) = centre(a), centre(b)
        # Leave each box through the side that faces the other box.
        if ya == yb:
            sign = 1 if xb > xa else -1
            start, end = (xa + sign * width / 2, ya), (xb - sign * width / 2, yb)
        elif xa == xb:
            sign = 1 if yb > ya else -1
            start, end = (xa, ya + sign * height / 2), (xb, yb - sign * height / 2)
        else:
            start = (xa + width / 2 * 0.6, ya - height / 2)
            end = (xb - width / 2 * 0.6, yb + height / 2)
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=16,
                linewidth=1.4,
                color="#333333",
                connectionstyle=f"arc3,rad={rad}",
            )
        )
        if label:
            # Below-left of the arrow's middle: clear of a line that falls to the right.
            ax.text(
                (start[0] + end[0]) / 2 - 0.1,
                (start[1] + end[1]) / 2 - 0.08,
                label,
                fontsize=8.5,
                style="italic",
                ha="right",
                va="top",
                color="#333333",
            )

    for a, b in [
        ((0, 0), (0, 1)),
        ((0, 1), (0, 2)),
        ((0, 2), (1, 2)),
        ((1, 2), (1, 1)),
        ((1, 1), (1, 0)),
        ((1, 0), (2, 0)),
        ((2, 0), (2, 1)),
        ((2, 2), (2, 1)),
    ]:
        arrow(a, b)
    arrow((1, 1), (2, 2), "retrain without the forget set")
    ax.set_xlim(-width / 2 - 0.2, 2 * dx + width / 2 + 0.2)
    ax.set_ylim(-2 * dy - height / 2 - 0.2, height / 2 + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig
