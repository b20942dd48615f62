"""Describing a scene event in words: its keywords in one of several sentence templates.

The paper's reference answers are long descriptions written per event, with ten keywords each used
for evaluation. Here a description is built from the event's keywords, grouped as what happens,
where, what one sees and the mood (:class:`~pebench.data.scenes.SceneEvent`): a template orders the
groups and joins them with a few plain words, and the keywords inside each group come in a drawn
order. So every picture of an event may be described in other words than the next one (a
paraphrase), always with all ten keywords: keyword recall scores an answer the same way whatever
the paraphrase, and ROUGE-L against the picture's own description rewards its wording too.

Descriptions use letters, spaces, hyphens and commas only, so that every tokenizer splits them into
the same words.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

import numpy as np

from pebench.data.scenes import KEYWORD_GROUPS, SceneEvent

#: Sentence templates over the four keyword groups; each uses every group once.
TEMPLATES = (
    "{what} at the {where} with {details}, {mood}",
    "at the {where}, {what} among {details}, {mood}",
    "a {mood} scene of {what} at the {where} with {details}",
    "{details} around {what} at the {where}, {mood}",
)


def _join(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def describe(event: SceneEvent, rng: np.random.Generator) -> str:
    """One description of ``event``: a drawn template, each keyword group in a drawn order."""
    template = TEMPLATES[int(rng.integers(len(TEMPLATES)))]
    groups = {}
    for group in KEYWORD_GROUPS:
        words = getattr(event, group)
        groups[group] = _join([words[i] for i in rng.permutation(len(words))])
    return template.format(**groups)


def canonical_description(event: SceneEvent) -> str:
    """The event's description in the first template, its keywords in the order they are listed:
    the one description stored with the event (each picture's own is in its question's answer)."""
    return TEMPLATES[0].format(**{group: _join(getattr(event, group)) for group in KEYWORD_GROUPS})


def paraphrase_count(event: SceneEvent) -> int:
    """How many different descriptions :func:`describe` can give ``event``."""
    return len(TEMPLATES) * math.prod(math.factorial(len(getattr(event, group))) for group in KEYWORD_GROUPS)


def paraphrases(event: SceneEvent) -> Iterator[str]:
    """Every description :func:`describe` can give ``event`` (:func:`paraphrase_count` of them): what
    a model that describes the event in other words than the reference may fluently say."""
    orders = [list(itertools.permutations(getattr(event, group))) for group in KEYWORD_GROUPS]
    for template in TEMPLATES:
        for chosen in itertools.product(*orders):
            yield template.format(**{group: _join(words) for group, words in zip(KEYWORD_GROUPS, chosen)})
