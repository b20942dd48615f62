"""Drawing helpers the book's figures share: enlarged dataset pictures in bare axes.

The dataset's pictures are a few dozen pixels wide; figures show them enlarged with
nearest-neighbour resampling so that each pixel stays a visible square, in axes without ticks or
frame. Used by the dataset figures (:mod:`pebench.data.summary.images`) and the answer figures
(:mod:`pebench.report.answer_plots`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from pebench.data import PEBenchDataset


def upscaled(dataset: PEBenchDataset, image_id: str, factor: int = 6) -> np.ndarray:
    """The image enlarged ``factor`` times with nearest-neighbour resampling (pixels stay visible)."""
    image = dataset.image(image_id)
    return np.asarray(image.resize((image.width * factor, image.height * factor), Image.NEAREST))


def bare(ax: Any) -> None:
    """Remove the ticks and the frame of ``ax`` (a picture needs no axes)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
