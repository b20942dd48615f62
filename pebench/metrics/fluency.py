"""Fluency: is an answer well formed (a name, a description, a refusal) or degenerate?

The paper's Figure 1 shows an unlearned model giving a *fluent* wrong answer. Efficacy cannot tell
that apart from babble: "two two two teams chase a ball" is as far from the reference as another
event's description. Gradient ascent pushes down every token of the reference, the end of the
answer included, so an over-pushed model loops or splices pieces of answers together; fluency
counts how often that happens.

An answer is sorted into one of :data:`FORMS`, checked in this order:

- ``answer``: word for word an answer the dataset gives a question of this kind (any person's
  name, any event's description, the reference included) or, for an event drawn as a scene, any
  paraphrase of its description (:func:`well_formed_answers`): what a fluent model says;
- ``refusal``: :func:`pebench.metrics.refusal.is_refusal`;
- ``empty``: no words;
- ``loop``: a repetition loop (:func:`is_loop`);
- ``fragment``: anything else: a truncated name, a name followed by other words, pieces of two
  descriptions spliced together.

The first two are well formed (:data:`WELL_FORMED`). The list of known answers makes this exact
for the procedural dataset, whose answers come from a closed grammar; a real model's free-text
answers would need a judge instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from pebench.data import PEBenchDataset
from pebench.data.describe import paraphrases
from pebench.data.scenes import SCENE_EVENTS, SceneEvent
from pebench.metrics.refusal import is_refusal
from pebench.metrics.text import words

#: The forms an answer can take, in the order :func:`answer_form` checks them.
FORMS = ("answer", "refusal", "empty", "loop", "fragment")
#: The forms that count as fluent.
WELL_FORMED = ("answer", "refusal")
#: A run of this many words that occurs twice in one answer is a loop (no answer in the dataset
#: repeats one: ``tests/test_metrics.py`` checks).
LOOP_SPAN = 3

KnownAnswers = frozenset[tuple[str, ...]]


def known_answers(answers: Iterable[str]) -> KnownAnswers:
    """The words of each of ``answers`` (for a dataset: ``PEBenchDataset.answers(kind)``), the form
    :func:`answer_form` looks answers up in."""
    return frozenset(tuple(words(answer)) for answer in answers)


@cache
def _paraphrase_words(event: SceneEvent) -> KnownAnswers:
    return known_answers(paraphrases(event))


def well_formed_answers(dataset: PEBenchDataset, kind: str) -> KnownAnswers:
    """The known answers to questions of ``kind``: every answer ``dataset`` holds for the kind and,
    for an event question, every paraphrase of each of its scene events (:mod:`pebench.data.scenes`),
    whose pictures are each described in other words, so a valid description need not be one the
    dataset happens to hold."""
    known = known_answers(dataset.answers(kind))
    if kind == "event":
        scene_events = {event.name: event for event in SCENE_EVENTS}
        for event in dataset.events.values():
            scene_event = scene_events.get(event.name)
            if scene_event is not None and event.scene == scene_event.scene_spec():
                known |= _paraphrase_words(scene_event)
    return known


def is_loop(answer: str) -> bool:
    """Whether ``answer`` repeats itself: one word three times in a row ("two two two"), a pair of
    words straight after itself ("a long a long"), or a run of :data:`LOOP_SPAN` words twice (which
    covers every longer run straight after itself)."""
    tokens = words(answer)
    if any(tokens[i] == tokens[i + 1] == tokens[i + 2] for i in range(len(tokens) - 2)):
        return True
    if any(tokens[i : i + 2] == tokens[i + 2 : i + 4] for i in range(len(tokens) - 3)):
        return True
    runs = [tuple(tokens[i : i + LOOP_SPAN]) for i in range(len(tokens) - LOOP_SPAN + 1)]
    return len(set(runs)) < len(runs)


def answer_form(answer: str, known: KnownAnswers) -> str:
    """Which of :data:`FORMS` ``answer`` takes, given the ``known`` answers of its question's kind."""
    tokens = tuple(words(answer))
    if tokens in known:
        return "answer"
    if is_refusal(answer):
        return "refusal"
    if not tokens:
        return "empty"
    return "loop" if is_loop(answer) else "fragment"


def fluency(answers: Iterable[str], known: KnownAnswers) -> float:
    """The share of ``answers`` that are well formed: a known answer of the kind or a refusal."""
    forms = [answer_form(answer, known) for answer in answers]
    if not forms:
        raise ValueError("fluency needs at least one answer")
    return sum(form in WELL_FORMED for form in forms) / len(forms)
