"""What to forget: a deterministic draw of fictitious persons and/or events, and the QA sets it implies.

For a forget target the paper's columns need four disjoint groups of questions:

* **forget** (efficacy): the forgotten concept's questions on *training* images;
* **generality**: the same questions on *held-out* images of the forgotten persons/events;
* **retain**: the same kind of questions about persons/events that are not forgotten, on training
  images that show no forgotten person or event;
* **scope** (cross-concept interference): the *other* concept's questions on the training images
  that show a forgotten person or event (event descriptions when persons are forgotten, names
  when events are forgotten).

The unlearning retain set (what GD, KL, ... descend on) is the fine-tuning data minus every
question on an image that shows a forget target, so scope stays a genuine held-out test.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from pebench.data import PEBenchDataset, QAItem
from pebench.train.stages import finetuning_items

#: The forget targets: persons, events, or both.
TARGETS = ("person", "event", "joint")


@dataclass(frozen=True)
class ForgetSpec:
    """Which share of fictitious persons and/or events to forget, drawn with ``seed``.

    ``ratio`` is the fraction of persons (and of events) forgotten; at least one of each
    forgotten kind is always drawn. ``target="joint"`` forgets persons and events at once.
    """

    target: str = "person"
    ratio: float = 0.1
    seed: int = 0

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}, got {self.target!r}")
        if isinstance(self.ratio, bool) or not isinstance(self.ratio, numbers.Real) or not 0.0 < self.ratio < 1.0:
            raise ValueError(f"ratio must be a number in (0, 1) (exclusive), got {self.ratio!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral):
            raise ValueError(f"seed must be an integer, got {self.seed!r}")

    @property
    def kinds(self) -> tuple[str, ...]:
        """The question kinds that are forgotten: ``("person",)``, ``("event",)`` or both."""
        return ("person", "event") if self.target == "joint" else (self.target,)


def _draw(ids: list[str], ratio: float, rng: np.random.Generator) -> frozenset[str]:
    count = min(len(ids) - 1, max(1, round(ratio * len(ids))))
    if count < 1:
        raise ValueError(f"cannot forget part of a population of {len(ids)}: need at least 2 ids")
    return frozenset(rng.choice(ids, size=count, replace=False).tolist())


class ForgetSplit:
    """The forget targets of a ``ForgetSpec`` on a dataset, and every question group they define."""

    def __init__(self, dataset: PEBenchDataset, spec: ForgetSpec) -> None:
        self.dataset, self.spec = dataset, spec
        rng = np.random.default_rng([spec.seed, 2503_12545])
        persons = dataset.person_ids("fictitious")
        events = dataset.event_ids("fictitious")
        drawn_persons, drawn_events = _draw(persons, spec.ratio, rng), _draw(events, spec.ratio, rng)
        self.persons: frozenset[str] = drawn_persons if "person" in spec.kinds else frozenset()
        self.events: frozenset[str] = drawn_events if "event" in spec.kinds else frozenset()

    def shows_target(self, item: QAItem) -> bool:
        """Whether the item's image shows a forgotten person or event."""
        return item.person_id in self.persons or item.event_id in self.events

    def is_forget_question(self, item: QAItem) -> bool:
        """A question about a forgotten concept (its name or its description)."""
        return (item.kind == "person" and item.person_id in self.persons) or (
            item.kind == "event" and item.event_id in self.events
        )

    def _identity_items(self, split: str) -> list[QAItem]:
        return [
            item
            for kind in ("person", "event")
            for item in self.dataset.select(population="fictitious", split=split, kind=kind)
        ]

    def forget(self, kind: str | None = None, split: str = "train") -> list[QAItem]:
        """Forget questions (``split="train"``: efficacy; ``"heldout"``: generality)."""
        return [
            item for item in self._identity_items(split) if self.is_forget_question(item) and kind in (None, item.kind)
        ]

    def retain(self, kind: str, split: str = "train") -> list[QAItem]:
        """Questions of ``kind`` on images with no forgotten person or event."""
        return [i for i in self._identity_items(split) if i.kind == kind and not self.shows_target(i)]

    def scope(self, kind: str, split: str = "train") -> list[QAItem]:
        """Questions of ``kind`` that are *not* forget questions but share an image with a target."""
        return [
            i
            for i in self._identity_items(split)
            if i.kind == kind and self.shows_target(i) and not self.is_forget_question(i)
        ]

    @cached_property
    def forget_qa_ids(self) -> frozenset[str]:
        """QA ids removed from fine-tuning for the retrain oracle."""
        return frozenset(item.qa_id for item in self.forget())

    def unlearning_retain_items(self) -> list[QAItem]:
        """The retain data methods may train on: fine-tuning data on images without a target."""
        return [item for item in finetuning_items(self.dataset) if not self.shows_target(item)]

    def __repr__(self) -> str:
        return (
            f"ForgetSplit({self.spec.target}, persons={sorted(self.persons)}, events={sorted(self.events)}, "
            f"forget={len(self.forget())} QA)"
        )
