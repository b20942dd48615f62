"""Deterministic, endless mini-batch streams (epoch-wise shuffles from a seeded generator)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

import numpy as np

#: The type of the items a batch stream draws from.
T = TypeVar("T")


def shuffled_batches(items: Sequence[T], batch_size: int, seed: int) -> Iterator[list[T]]:
    """Yield batches forever; each pass over ``items`` is a fresh permutation.

    A batch may straddle two passes, so every batch has exactly ``batch_size`` items even when
    ``items`` is shorter than a batch (small forget sets).
    """
    if not items:
        raise ValueError("cannot draw batches from an empty set of examples")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    rng = np.random.default_rng(seed)
    order: list[int] = []
    while True:
        while len(order) < batch_size:
            order.extend(rng.permutation(len(items)).tolist())
        yield [items[i] for i in order[:batch_size]]
        del order[:batch_size]


def mixed_batches(
    main: Sequence[T], replay: Sequence[T], batch_size: int, replay_fraction: float, seed: int
) -> Iterator[list[T]]:
    """Batches that hold a fixed share of ``replay`` items beside the ``main`` ones."""
    if not 0.0 <= replay_fraction < 1.0:
        raise ValueError(f"replay_fraction must be in [0, 1), got {replay_fraction}")
    n_replay = round(batch_size * replay_fraction) if replay else 0
    main_stream = shuffled_batches(main, batch_size - n_replay, seed)
    if n_replay == 0:
        yield from main_stream
        return
    replay_stream = shuffled_batches(replay, n_replay, seed + 1)
    for head, tail in zip(main_stream, replay_stream):
        yield head + tail
