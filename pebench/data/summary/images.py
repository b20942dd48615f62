"""Figures of a dataset's images: persons against events, and training against held-out pictures.

Every image pairs one person with one event. Seen side by side, a row shares a person's look and
a column an event's scene, and a held-out picture differs from a trained one only in its nuisance
parameters; these figures make both visible. Matplotlib is imported inside the plotting functions
only, so that the tables need no plotting stack.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pebench.data.dataset import PEBenchDataset
from pebench.data.schema import SPLITS
from pebench.data.summary.statistics import SPLIT_LABELS
from pebench.plotting import bare, upscaled

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _event_title(dataset: PEBenchDataset, event_id: str) -> str:
    event = dataset.events[event_id]
    return f"{textwrap.fill(event.name, 16)}\n({event.domain})"


def plot_sample_grid(
    dataset: PEBenchDataset,
    person_ids: Sequence[str],
    event_ids: Sequence[str],
    *,
    split: str = "train",
    factor: int = 4,
) -> Figure:
    """A grid of images: one row per person (named on the left), one column per event (titled).

    Why: every image pairs one person with one event, and a row shares the person's look while a
    column shares the event's scene; seen side by side, both concepts are visibly separable.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        len(person_ids),
        len(event_ids),
        squeeze=False,
        figsize=(1.55 * len(event_ids) + 0.9, 1.55 * len(person_ids) + 0.7),
    )
    for (r, pid), (c, eid) in itertools.product(enumerate(person_ids), enumerate(event_ids)):
        ax = axes[r][c]
        ax.imshow(upscaled(dataset, dataset.first_image(pid, eid, split), factor), interpolation="nearest")
        bare(ax)
        if r == 0:
            ax.set_title(_event_title(dataset, eid), fontsize=9)
        if c == 0:
            ax.set_ylabel(textwrap.fill(dataset.persons[pid].name, 12), fontsize=10)
    fig.tight_layout()
    return fig


def plot_train_vs_heldout(
    dataset: PEBenchDataset, person_id: str, event_ids: Sequence[str], *, factor: int = 4
) -> Figure:
    """One person's training images (top row) against its held-out images (bottom row), per event.

    Why: held-out pictures show the same person in the same event but drawn with other nuisance
    parameters (position, size, tilt, lighting, shirt, objects), and are never trained on; a model
    that still names the person on them has learned the identity, not one picture, and unlearning
    that also silences them generalises.
    """
    import matplotlib.pyplot as plt

    rows = [
        (split, f"{SPLIT_LABELS[split]}\n({'fine-tuned on' if split == 'train' else 'never trained on'})")
        for split in SPLITS
    ]
    fig, axes = plt.subplots(
        len(rows), len(event_ids), squeeze=False, figsize=(1.55 * len(event_ids) + 1.0, 1.55 * len(rows) + 1.0)
    )
    for (r, (split, label)), (c, eid) in itertools.product(enumerate(rows), enumerate(event_ids)):
        ax = axes[r][c]
        ax.imshow(upscaled(dataset, dataset.first_image(person_id, eid, split), factor), interpolation="nearest")
        bare(ax)
        if r == 0:
            ax.set_title(_event_title(dataset, eid), fontsize=9)
        if c == 0:
            ax.set_ylabel(label, fontsize=10)
    fig.suptitle(dataset.persons[person_id].name, fontsize=12)
    fig.tight_layout()
    return fig


def plot_captions(dataset: PEBenchDataset, count: int = 6, *, columns: int = 3, factor: int = 4) -> Figure:
    """The first ``count`` captioned pictures (:mod:`pebench.data.captions`), each above its caption.

    Why: pretraining's captioning corpus is what gives the model a prior over the parts of persons
    and scenes before it meets the fictitious ones; seen next to their captions, the pictures show
    that a caption says what is drawn, and nothing about who or which event.
    """
    import matplotlib.pyplot as plt

    captions = dataset.captions[:count]
    if not captions:
        raise ValueError("the dataset has no captioned pictures (DatasetConfig.caption_images is 0)")
    rows = -(-len(captions) // columns)
    fig, axes = plt.subplots(rows, columns, squeeze=False, figsize=(3.2 * columns, 4.4 * rows))
    for ax in axes.flat:
        bare(ax)
        ax.axis("off")
    for ax, item in zip(axes.flat, captions):
        ax.axis("on")
        ax.imshow(upscaled(dataset, item.image_id, factor), interpolation="nearest")
        ax.set_xlabel(textwrap.fill(item.answer, 40), fontsize=8)
    fig.tight_layout()
    return fig
