"""Figures of images with the answers models gave about them.

:func:`plot_answer_panel` draws the paper's Figure 1 at our scale (one image, each model's answers
to its person and event questions); :func:`plot_answer_grid` draws a grid of examples. Both mark
each answer as the reference's words or not (:data:`MARK_NOTE`) and cut degenerate long answers in
the figure only. Matplotlib is imported inside the plotting functions only.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from pebench.data import PEBenchDataset
from pebench.metrics.catalog import OTHER_KIND
from pebench.metrics.text import exact_match
from pebench.plotting import bare, upscaled
from pebench.report.examples import question

if TYPE_CHECKING:
    from matplotlib.figure import Figure


#: Answer colours: the reference's words (still known) and anything else (forgotten, or damaged).
_MATCH_COLOURS = {True: "#1f4e9c", False: "#b35900"}
#: The legend of the answer marks, printed under each figure.
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
    ``"person"`` and ``"event"`` (:func:`~pebench.report.answers.image_answers`). Answers with the
    reference's words carry ✓, others ✗ (:data:`MARK_NOTE`); answers over ``max_chars`` characters
    are cut with "…".
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


#: At most this many examples side by side in :func:`plot_answer_grid`; more continue in a block
#: below, so that the grid reads at the width of a page.
EXAMPLES_PER_ROW = 4
#: The grid rows of a block of :func:`plot_answer_grid` above its answers.
TITLES_ROW, IMAGES_ROW = "(titles)", "(images)"


def plot_answer_grid(
    dataset: PEBenchDataset,
    table: pd.DataFrame,
    labels: Sequence[str],
    *,
    factor: int = 3,
    wrap: int = 24,
    max_chars: int = 90,
    caption: Callable[[pd.Series], str] | None = None,
) -> Figure:
    """A grid of examples: one column per row of ``table`` (from
    :func:`~pebench.report.answers.answer_table`), its image and question on top, then a row for the
    reference and one per label with that label's answer (✓ when it has the reference's words, ✗
    otherwise; :data:`MARK_NOTE`). At most :data:`EXAMPLES_PER_ROW` examples stand side by side; more
    continue in a block below. Answers longer than ``max_chars`` characters (degenerate repetitions)
    are cut with "…" in the figure; the table keeps them whole.
    """
    import matplotlib.pyplot as plt

    names = ["reference", *labels]
    examples = [row for _, row in table.iterrows()]
    blocks = [examples[i : i + EXAMPLES_PER_ROW] for i in range(0, len(examples), EXAMPLES_PER_ROW)]
    width = min(EXAMPLES_PER_ROW, len(examples))

    def cell(row: pd.Series, name: str) -> tuple[str, str]:
        if name == "reference":
            return textwrap.fill(str(row[name]), wrap), "black"
        body, colour = _mark(_shorten(str(row[name]), max_chars), row["reference"])
        return textwrap.fill(body, wrap), colour

    def title(row: pd.Series) -> str:
        split = "training" if row["split"] == "train" else "held-out"
        return caption(row) if caption else f"{row['kind']} question\n{split} image"

    line, image_side = 0.15, 1.05  # inches: one line of 8-point text, the image's side
    # Each grid row: its block of examples and what it shows (their titles, their images, or one
    # label's answers), with its height in inches.
    layout: list[tuple[list[pd.Series], str]] = []
    heights: list[float] = []
    for block in blocks:
        layout += [(block, TITLES_ROW), (block, IMAGES_ROW)]
        heights += [line * max(title(row).count("\n") + 1 for row in block) + 0.05, image_side]
        for name in names:
            layout.append((block, name))
            heights.append(line * max(cell(row, name)[0].count("\n") + 1 for row in block) + 0.08)
    height = sum(heights) + 0.65
    fig = plt.figure(figsize=(1.25 + 1.75 * width, height))
    grid = fig.add_gridspec(
        len(heights),
        width + 1,
        height_ratios=heights,
        width_ratios=[0.95] + [1.75] * width,
        hspace=0.05,
        wspace=0.06,
        top=1 - 0.1 / height,
        bottom=0.5 / height,
        left=0.01,
        right=0.99,
    )
    for r, (block, name) in enumerate(layout):
        header = fig.add_subplot(grid[r, 0])
        header.axis("off")
        if name not in (TITLES_ROW, IMAGES_ROW):
            header.text(
                0.98, 1.0, name, fontsize=8.5, fontweight="bold", ha="right", va="top", transform=header.transAxes
            )
        for c, row in enumerate(block, start=1):
            ax = fig.add_subplot(grid[r, c])
            if name == IMAGES_ROW:
                ax.imshow(upscaled(dataset, row["image"], factor), interpolation="nearest")
                bare(ax)
                continue
            ax.axis("off")
            if name == TITLES_ROW:
                ax.text(0.5, 0.0, title(row), fontsize=7.5, ha="center", va="bottom", transform=ax.transAxes)
                continue
            text, colour = cell(row, name)
            ax.text(
                0.02,
                1.0,
                text,
                fontsize=8,
                va="top",
                color=colour,
                transform=ax.transAxes,
                style="italic" if name == "reference" else "normal",
            )
    note = MARK_NOTE + (f"; answers over {max_chars} characters are cut (…)" if max_chars else "")
    fig.text(0.5, 0.0, textwrap.fill(note, 12 * width + 20), ha="center", va="bottom", fontsize=8.5, color="0.3")
    return fig


def interference_caption(row: pd.Series) -> str:
    """The caption of an example of cross-concept interference: which question, after which unlearning."""
    return f"{row['kind']} question\nafter {OTHER_KIND[row['kind']]}\nunlearning"
