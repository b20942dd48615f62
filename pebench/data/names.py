"""Made-up person names built from syllables.

Names are the person question's answers, scored by match. They are built from one shared
inventory of syllables, as real names of one language share theirs. Every first name and
every last name is used by one person only, so a single correct name word already
identifies the person and partial answers are unambiguous. Names avoid a caller's
reserved words (e.g. the event descriptions' vocabulary) so that, under a
word-level tokenizer, a name token never doubles as an event token.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

_ONSETS = (
    "b",
    "d",
    "f",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "dr",
    "gr",
    "kr",
    "tr",
    "st",
    "th",
    "sh",
    "ch",
)
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ei", "ou")  # plain vowels twice as likely
_CODAS = ("", "", "n", "r", "l", "s", "th", "x")

# Far below the number of distinct words the syllables allow (tens of thousands),
# so drawing without replacement always finishes quickly.
NAME_CAPACITY = 3000


def _word(rng: np.random.Generator, syllables: int) -> str:
    parts = [_ONSETS[rng.integers(len(_ONSETS))] + _VOWELS[rng.integers(len(_VOWELS))] for _ in range(syllables)]
    return ("".join(parts) + _CODAS[rng.integers(len(_CODAS))]).capitalize()


def make_names(n: int, rng: np.random.Generator, *, reserved: Collection[str] = ()) -> list[str]:
    """Return ``n`` unique "First Last" names; no word is shared between two names.

    ``reserved`` holds words (compared case-insensitively) no name may contain.
    """
    if not 0 <= n <= NAME_CAPACITY:
        raise ValueError(f"n must be in [0, {NAME_CAPACITY}], got {n}")
    taken = {w.lower() for w in reserved}
    names = []
    while len(names) < n:
        first = _word(rng, 2)
        last = _word(rng, int(rng.integers(2, 4)))
        if first.lower() in taken or last.lower() in taken or first == last:
            continue
        taken.update((first.lower(), last.lower()))
        names.append(f"{first} {last}")
    return names


#: How many names of "the world" a subword tokenizer has read (:func:`world_names`): enough that
#: most two-syllable pieces of the inventory recur in them.
WORLD_NAMES = 500
_WORLD_SEED = 20250317  # a stream of its own, apart from every dataset's


def world_names(reserved: Collection[str] = ()) -> list[str]:
    """Names of the world outside the dataset, from the same syllables: what a subword tokenizer
    learned its name pieces from before the fictitious persons were made up.

    Fixed for every dataset (its own seed); ``reserved`` words (e.g. the dataset's names) are avoided,
    so no dataset name is among them.
    """
    return make_names(WORLD_NAMES, np.random.default_rng(_WORLD_SEED), reserved=reserved)
