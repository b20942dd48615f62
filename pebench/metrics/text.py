"""Text scorers: exact match for names and descriptions, ROUGE-L F1 for descriptions.

The paper scores event answers with an LLM judge (G-Eval) and ROUGE-L; offline and at our scale
we use ROUGE-L on word tokens and exact match, and the book says so.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lower-cased alphanumeric words: punctuation and spacing never decide a score."""
    return _WORD.findall(text.lower())


def exact_match(prediction: str, reference: str) -> float:
    """1.0 when the two texts have the same words in the same order, else 0.0."""
    return float(words(prediction) == words(reference))


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
