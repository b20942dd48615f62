r"""How much each scorer credits an answer about something else: its chance level, from the dataset alone.

A scorer's score means little without the score of a *wrong* answer beside it. Every event
description of the dataset is built from the same few sentence templates and shares words with
the others, so ROUGE-L gives another event's description a good part of the credit; a name shares
no words with another name, so name precision gives it none. The chance level of a scorer on
questions of one kind is the mean score of another concept's reference answer against the
reference, over pairs of questions of that kind about two different persons (or events):

.. math::

    c_\text{scorer, kind} = \mathbb{E}_{(a, b):\ \text{concept}(a) \ne \text{concept}(b)}
        \big[\operatorname{score}(\text{answer}_b,\ \text{reference}_a)\big]

(for keyword recall the reference is question ``a``'s event keywords; for the general questions,
which ask about a shirt's colour or a count rather than a concept, two different pictures asked the
same question: the score of a guess of the right type).
A model that has forgotten a concept and answers as it would about another one scores about
:math:`c`, not 0: an efficacy :math:`1 - q` read against 1 understates such forgetting by
:math:`c`. The mean is over a fixed random sample of pairs (all pairs of the dataset would take
minutes of pure-Python scoring for the event descriptions), with its standard error.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pebench.data import PEBenchDataset, QAItem
from pebench.metrics.quality import SCORINGS
from pebench.metrics.text import PAIR_SCORERS, keyword_recall

#: How many pairs of questions each chance level averages, and the seed that draws them.
PAIRS = 20_000
SEED = 0
#: Which field of a question names its concept, by question kind (None: every question is its own).
_CONCEPT = {"person": "person_id", "event": "event_id", "general": None}


def _readings(kind: str, scorer: str) -> str:
    """Which readings of :data:`pebench.metrics.quality.SCORINGS` score ``kind`` by ``scorer``."""
    return " and ".join(reading for reading, columns in SCORINGS.items() if columns[kind] == scorer)


def _pairs(items: list[QAItem], kind: str, count: int, seed: int) -> list[tuple[QAItem, QAItem]]:
    """``count`` ordered pairs of questions about two different concepts (general questions: two
    different pictures, the same question), drawn uniformly with replacement."""
    field = _CONCEPT[kind]
    concepts = [getattr(item, field) if field else item.qa_id for item in items]
    rng = np.random.default_rng(seed)
    pairs: list[tuple[QAItem, QAItem]] = []
    while len(pairs) < count:
        for a, b in rng.integers(0, len(items), size=(count, 2)).tolist():
            comparable = field is not None or items[a].question == items[b].question
            if concepts[a] != concepts[b] and comparable and len(pairs) < count:
                pairs.append((items[a], items[b]))
    return pairs


def chance_levels(
    dataset: PEBenchDataset, *, population: str = "fictitious", pairs: int = PAIRS, seed: int = SEED
) -> pd.DataFrame:
    """Every scorer's chance level on every kind of question of ``population`` (one row per kind and
    scorer: ``kind``, ``scorer``, ``readings`` that use it, ``chance``, ``standard_error``, ``pairs``).

    Deterministic on every machine: the pairs come from a seeded generator and the mean is an exactly
    rounded sum (``math.fsum``)."""
    keywords = dataset.keywords()
    rows = []
    for kind in _CONCEPT:
        items = [item for item in dataset.qa if item.kind == kind and item.population == population]
        drawn = _pairs(items, kind, pairs, seed)
        for scorer in dict.fromkeys(columns[kind] for columns in SCORINGS.values()):
            if scorer == "keywords":
                scores = [keyword_recall(b.answer, keywords[a.event_id]) for a, b in drawn]
            else:
                scores = [PAIR_SCORERS[scorer](b.answer, a.answer) for a, b in drawn]
            mean = math.fsum(scores) / len(scores)
            spread = math.sqrt(math.fsum((s - mean) ** 2 for s in scores) / (len(scores) - 1))
            rows.append((kind, scorer, _readings(kind, scorer), mean, spread / math.sqrt(len(scores)), len(scores)))
    return pd.DataFrame(rows, columns=["kind", "scorer", "readings", "chance", "standard_error", "pairs"])


#: The chance-scaled reading of efficacy: per kind, the efficacy it rescales and the scorer whose
#: chance level anchors it. Names by precision, as the paper scores them; events by keyword recall
#: (the paper's events carry keywords "used for evaluation"), whose chance level is low, rather than
#: ROUGE-L, whose chance level is near the calibration gate's threshold.
CHANCE_SCALE = {"person": ("person_efficacy", "precision"), "event": ("event_efficacy_second", "keywords")}


def chance_scaled(long: pd.DataFrame, levels: pd.DataFrame) -> pd.DataFrame:
    r"""``long`` (runs' results, one row per run and metric, column ``value``) with each run's
    efficacy on the chance scale added as ``{k}_efficacy_chance``: the reference answer at 0, an
    answer about another concept at 1,

    .. math:: \varepsilon = \operatorname{clip}\Big(\frac{1 - q}{1 - c},\ 0,\ 1\Big),

    with :math:`q` the run's mean score on its forget questions by the scorer of
    :data:`CHANCE_SCALE` and :math:`c` that scorer's chance level in ``levels``
    (:func:`chance_levels`). A model that answers about another concept reads 1, not :math:`1 - c`."""
    chance = levels.set_index(["kind", "scorer"])["chance"]
    scaled = []
    for kind, (metric, scorer) in CHANCE_SCALE.items():
        rows = long[long["metric"] == metric]
        value = (rows["value"] / (1.0 - chance[(kind, scorer)])).clip(0.0, 1.0)
        scaled.append(rows.assign(metric=f"{kind}_efficacy_chance", value=value))
    return pd.concat([long, *scaled], ignore_index=True)
