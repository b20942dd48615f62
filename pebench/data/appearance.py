"""Choosing visually distinct looks for persons and scenes.

Unlearning one person must not be confounded with a look-alike, so no two persons
share the (skin, hair colour, hair style, eye colour, accessory) tuple and no two
events share the (palette, ground pattern, object shape, object colour) tuple. Beyond
uniqueness, tuples are picked greedily to differ in as many attributes as possible
(max-min Hamming distance), so small datasets get looks that differ in several ways.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from pebench.data import bust, render

_PERSON_KEYS = ("skin_tone", "hair_colour", "hair_style", "eye_colour", "accessory")
_PERSON_CHOICES = (bust.SKIN_TONES, bust.HAIR_COLOURS, bust.HAIR_STYLES, bust.EYE_COLOURS, bust.ACCESSORIES)
# Eyes are about one pixel wide at 32 px, so an eye-colour difference counts for half.
_PERSON_WEIGHTS = (1.0, 1.0, 1.0, 0.5, 1.0)

_SCENE_KEYS = ("palette", "ground_pattern", "object_shape", "object_colour")
_SCENE_CHOICES = (render.PALETTES, render.GROUND_PATTERNS, render.OBJECT_SHAPES, render.OBJECT_COLOURS)
# The palette fills most of the background, so events prefer differing in it first.
_SCENE_WEIGHTS = (2.0, 1.0, 1.0, 1.0)


def _spread_tuples(sizes: Sequence[int], n: int, rng: np.random.Generator, weights: Sequence[float]) -> np.ndarray:
    """Pick ``n`` distinct index tuples, each as far as possible from those already picked."""
    grid = np.array(list(itertools.product(*(range(k) for k in sizes))))
    if n > len(grid):
        raise ValueError(f"only {len(grid)} distinct looks exist, {n} requested")
    grid = grid[rng.permutation(len(grid))]  # random tie-breaking among equally distant tuples
    w = np.asarray(weights, dtype=np.float64)
    nearest = np.full(len(grid), np.inf)
    picked = []
    for _ in range(n):
        i = int(np.argmax(nearest))
        picked.append(i)
        nearest = np.minimum(nearest, ((grid != grid[i]) * w).sum(axis=1))
    return grid[picked]


def person_looks(n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    """``n`` person attribute dicts with pairwise distinct visual tuples."""
    options = [list(c) for c in _PERSON_CHOICES]
    rows = _spread_tuples([len(o) for o in options], n, rng, _PERSON_WEIGHTS)
    ratios = rng.uniform(0.72, 1.0, size=n)
    return [
        {**{k: o[j] for k, o, j in zip(_PERSON_KEYS, options, row)}, "face_ratio": round(float(r), 3)}
        for row, r in zip(rows, ratios)
    ]


def scene_specs(n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    """``n`` scene specs with pairwise distinct visual tuples."""
    options = [list(c) for c in _SCENE_CHOICES]
    rows = _spread_tuples([len(o) for o in options], n, rng, _SCENE_WEIGHTS)
    return [{k: o[j] for k, o, j in zip(_SCENE_KEYS, options, row)} for row in rows]
