"""What the stored answers are: right or not, changed by unlearning or not, and of which kind.

Efficacy only says an answer is no longer the reference. Comparing each answer with the reference
and with a baseline model's answer (:func:`answer_summary`, :func:`interference_examples`), and
sorting answers into kinds (:func:`answer_types`: empty, a refusal, another known answer, other
text), shows what replaced the forgotten answer and what unlearning changed that it should not
have. Answers are compared by their words (:func:`pebench.metrics.text.exact_match`), as the
metrics compare them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from pebench.metrics.refusal import is_refusal
from pebench.metrics.text import exact_match, words


def matches_reference(table: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Whether each answer has the reference's words in order (exact match), per label column."""
    return pd.DataFrame(
        {label: [bool(exact_match(a, r)) for a, r in zip(table[label], table["reference"])] for label in labels},
        index=table.index,
    )


def changed_from(table: pd.DataFrame, baseline: str, labels: Sequence[str]) -> pd.DataFrame:
    """Whether each answer differs (in its words) from the ``baseline`` column's answer, per label."""
    return pd.DataFrame(
        {label: [not exact_match(a, b) for a, b in zip(table[label], table[baseline])] for label in labels},
        index=table.index,
    )


def answer_summary(table: pd.DataFrame, baseline: str, labels: Sequence[str]) -> pd.DataFrame:
    """Per label: the share of answers with the reference's words (``correct``), the share that
    differ from the ``baseline`` column's (``changed``), and how many answers (``n``)."""
    correct = matches_reference(table, labels).mean()
    changed = changed_from(table, baseline, labels).mean()
    frame = pd.DataFrame({"correct": correct.astype(float), "changed": changed.astype(float)})
    frame["n"] = len(table)
    frame.index.name = "model"
    return frame


#: The kinds of answer :func:`answer_types` tells apart, in the order they are checked.
ANSWER_TYPES = ("reference", "empty", "refusal", "other known answer", "other text")


def answer_type(answer: str, reference: str, known: Collection[str]) -> str:
    """What an answer is: the ``reference`` (same words), ``empty``, a ``refusal``
    (:func:`pebench.metrics.refusal.is_refusal`), ``other known answer`` (the words of another answer in
    ``known``, e.g. another person's name) or ``other text`` (anything else: mixed or garbled)."""
    if exact_match(answer, reference):
        return "reference"
    if not words(answer):
        return "empty"
    if is_refusal(answer):
        return "refusal"
    if tuple(words(answer)) in {tuple(words(k)) for k in known}:
        return "other known answer"
    return "other text"


def answer_types(
    table: pd.DataFrame, labels: Sequence[str], known: Collection[str], *, goal: str | None = None
) -> pd.DataFrame:
    """Per label: the share of its answers of each :data:`ANSWER_TYPES`, how many distinct
    answers it gives (``distinct``), and, with ``goal``, the share identical to that column's
    answer (``same as goal``).

    Why: efficacy only says an answer is no longer the reference; *what* replaced it (nothing, a
    refusal, another person's name as a model that never learned the target would say, or word
    salad) tells the methods apart, and shows collapse (one answer for every question).
    """
    known = list(known)
    rows = {}
    for label in labels:
        kinds = [answer_type(a, r, known) for a, r in zip(table[label], table["reference"])]
        row = {t: kinds.count(t) / len(kinds) for t in ANSWER_TYPES}
        row["distinct"] = len({tuple(words(a)) for a in table[label]})
        if goal is not None:
            row["same as goal"] = float(np.mean([exact_match(a, g) for a, g in zip(table[label], table[goal])]))
        rows[label] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "model"
    return frame


def first_answer_of_type(table: pd.DataFrame, label: str, kind: str, known: Collection[str]) -> str | None:
    """The first answer of column ``label`` whose :func:`answer_type` is ``kind`` (``None`` if none):
    an example to quote, read from the results rather than typed."""
    known = list(known)
    for answer, reference in zip(table[label], table["reference"]):
        if answer_type(answer, reference, known) == kind:
            return answer
    return None


def interference_examples(table: pd.DataFrame, baseline: str, labels: Sequence[str], n: int) -> pd.DataFrame:
    """The ``n`` rows whose answer changed (from ``baseline``) under the most of ``labels``,
    ties in table order; rows no method changed are left out. Adds a ``changed_by`` column."""
    changed = changed_from(table, baseline, labels)
    counted = table.assign(changed_by=changed.sum(axis=1).astype(int))
    counted = counted[counted["changed_by"] > 0]
    order = np.lexsort((np.arange(len(counted)), -counted["changed_by"].to_numpy()))
    return counted.iloc[order[:n]]
