"""Text scorers on word tokens: the paper's (name precision, ROUGE-L) and a second one per concept.

The paper scores a name by *precision*, whether the name is given (:func:`name_precision`), and an
event answer by an LLM judge (G-Eval) over the event's keywords and by ROUGE-L. Offline we score
events by ROUGE-L (:func:`rouge_l_f1`) and, as the second reading, by the share of the event's
keywords the answer contains (:func:`keyword_recall`); names get exact match (:func:`exact_match`)
as theirs, since a right name followed by noise is precise but not exact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lower-cased alphanumeric words: punctuation and spacing never decide a score."""
    return _WORD.findall(text.lower())


def exact_match(prediction: str, reference: str) -> float:
    """1.0 when the two texts have the same words in the same order, else 0.0."""
    return float(words(prediction) == words(reference))


def contains(prediction: str, phrase: str) -> bool:
    """Whether the words of ``phrase`` occur in ``prediction``, consecutively and in order."""
    pred, wanted = words(prediction), words(phrase)
    n = len(wanted)
    return n > 0 and any(pred[i : i + n] == wanted for i in range(len(pred) - n + 1))


def name_precision(prediction: str, reference: str) -> float:
    """1.0 when the answer gives the reference (a name) anywhere, else 0.0: the paper's precision.

    An answer that names the person and then babbles still names them, so it is not forgotten.
    """
    return float(contains(prediction, reference))


def keyword_recall(prediction: str, keywords: Sequence[str]) -> float:
    """The share of ``keywords`` (words or phrases) that the answer contains; NaN without keywords."""
    if not keywords:
        return float("nan")
    return sum(contains(prediction, keyword) for keyword in keywords) / len(keywords)


def rouge_l_f1(prediction: str, reference: str) -> float:
    """ROUGE-L F1: longest common word subsequence, as a harmonic mean of precision and recall."""
    pred, ref = words(prediction), words(reference)
    if not pred or not ref:
        return float(pred == ref)
    previous = [0] * (len(ref) + 1)
    for p in pred:
        current = [0]
        for j, r in enumerate(ref):
            current.append(previous[j] + 1 if p == r else max(previous[j + 1], current[j]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(pred), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


#: The scorers that compare an answer with one reference text, by the prediction table's column name.
PAIR_SCORERS = {"exact": exact_match, "precision": name_precision, "rouge_l": rouge_l_f1}
