"""What the stored answers are: right or not, changed by unlearning or not, and of which kind.

Efficacy only says an answer is no longer the reference. Comparing each answer with the reference
and with a baseline model's answer (:func:`answer_summary`, :func:`interference_examples`), and
sorting answers into kinds (:func:`answer_types`: another known answer, a refusal, or a
degenerate answer: empty, a loop, a fragment), shows what replaced the forgotten answer and what
unlearning changed that it should not have. Answers are compared by their words
(:func:`pebench.metrics.text.exact_match`), as the metrics compare them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pebench.metrics.fluency import KnownAnswers, answer_form, fluency
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


#: The kinds of answer :func:`answer_types` tells apart: the reference, then the forms of
#: :mod:`pebench.metrics.fluency` (a known answer other than the reference is "other known answer").
ANSWER_TYPES = ("reference", "other known answer", "refusal", "empty", "loop", "fragment")


def answer_type(answer: str, reference: str, known: KnownAnswers) -> str:
    """What an answer is: the ``reference`` (same words), ``other known answer`` (the words of
    another answer in ``known``, e.g. another person's name; see
    :func:`~pebench.metrics.fluency.well_formed_answers`), a ``refusal``, ``empty``, a repetition ``loop``
    or a ``fragment`` (:func:`pebench.metrics.fluency.answer_form`)."""
    if exact_match(answer, reference):
        return "reference"
    form = answer_form(answer, known)
    return "other known answer" if form == "answer" else form


def answer_types(
    table: pd.DataFrame, labels: Sequence[str], known: KnownAnswers, *, goal: str | None = None
) -> pd.DataFrame:
    """Per label: the share of its answers of each :data:`ANSWER_TYPES`, how many distinct
    answers it gives (``distinct``), and, with ``goal``, the share identical to that column's
    answer (``same as goal``).

    Why: efficacy only says an answer is no longer the reference; *what* replaced it (nothing, a
    refusal, another person's name as a model that never learned the target would say, or word
    salad) tells the methods apart, and shows collapse (one answer for every question).
    """
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


def first_answer_of_type(table: pd.DataFrame, label: str, kind: str, known: KnownAnswers) -> str | None:
    """The first answer of column ``label`` whose :func:`answer_type` is ``kind`` (``None`` if none):
    an example to quote, read from the results rather than typed."""
    for answer, reference in zip(table[label], table["reference"]):
        if answer_type(answer, reference, known) == kind:
            return answer
    return None


def fluency_examples(table: pd.DataFrame, labels: Sequence[str], known: KnownAnswers) -> pd.DataFrame:
    """Per label: the share of its answers that are well formed (:func:`pebench.metrics.fluency.fluency`,
    the ``{k}_fluency`` metric on these answers) and its first repetition loop and first fragment
    (empty when it gives none): what a degenerate answer of each method looks like."""
    rows = {
        label: {
            "fluency": fluency(table[label], known),
            "a loop": first_answer_of_type(table, label, "loop", known) or "",
            "a fragment": first_answer_of_type(table, label, "fragment", known) or "",
        }
        for label in labels
    }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "model"
    return frame


def interference_examples(table: pd.DataFrame, baseline: str, labels: Sequence[str], n: int) -> pd.DataFrame:
    """The ``n`` rows whose answer changed (from ``baseline``) under the most of ``labels``,
    ties in table order; rows no method changed are left out. Adds a ``changed_by`` column."""
    changed = changed_from(table, baseline, labels)
    counted = table.assign(changed_by=changed.sum(axis=1).astype(int))
    counted = counted[counted["changed_by"] > 0]
    order = np.lexsort((np.arange(len(counted)), -counted["changed_by"].to_numpy()))
    return counted.iloc[order[:n]]
