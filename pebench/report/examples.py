"""Which questions to show as examples of what the models answer.

Examples are chosen by rule, not by hand, so that a rerun with other data or seeds shows the same
kind of example: :func:`figure_one_image` picks the image of the paper's Figure 1 (a forgotten
person *in* a forgotten event, so that both questions about it are evaluated by both the person-
and the event-unlearning runs), :func:`spread_items` picks varied items, and :func:`question`
finds the question of a kind about an image.
"""

from __future__ import annotations

from collections.abc import Sequence

from pebench.data import PEBenchDataset, QAItem
from pebench.targets import ForgetSplit


def figure_one_image(person_split: ForgetSplit, event_split: ForgetSplit) -> str:
    """The paper's Figure 1 image: the first forgotten person *in* the first forgotten event
    (sorted ids), on a training image.

    Why this one: on it, the person question is a forget question of person unlearning and a
    scope question of event unlearning, and the event question the other way round, so every
    answer the figure needs was evaluated (and stored) by both runs. Both splits must come from
    the same dataset; with the same seed and ratio they draw the same persons and events.
    """
    if not person_split.persons or not event_split.events:
        raise ValueError("need a person-unlearning split with persons and an event-unlearning split with events")
    return person_split.dataset.first_image(min(person_split.persons), min(event_split.events))


def question(dataset: PEBenchDataset, image_id: str, kind: str) -> QAItem:
    """The question of ``kind`` (``"person"``, ``"event"``, ``"general"``) about ``image_id``."""
    for item in dataset.qa:
        if item.image_id == image_id and item.kind == kind:
            return item
    raise KeyError(f"image {image_id} has no {kind} question")


def spread_items(items: Sequence[QAItem], n: int) -> list[QAItem]:
    """Up to ``n`` items on distinct images, preferring new persons *and* new events, in order.

    Deterministic: a first pass keeps an item only if neither its person nor its event was kept
    yet, a second pass one whose person is new, a third anything on a new image.
    """
    chosen: list[QAItem] = []
    rules = [
        lambda i, ps, es: i.person_id not in ps and i.event_id not in es,
        lambda i, ps, es: i.person_id not in ps or i.event_id not in es,
        lambda i, ps, es: True,
    ]
    for rule in rules:
        for item in items:
            if len(chosen) >= n:
                return chosen
            persons = {c.person_id for c in chosen}
            events = {c.event_id for c in chosen}
            if item.image_id not in {c.image_id for c in chosen} and rule(item, persons, events):
                chosen.append(item)
    return chosen
