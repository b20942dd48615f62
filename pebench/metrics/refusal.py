"""Refusal rate: how often the model answers a question with a refusal (what PO teaches)."""

from __future__ import annotations

from collections.abc import Iterable

from pebench.metrics.text import rouge_l_f1
from pebench.refusals import REFUSALS


def is_refusal(answer: str, threshold: float = 0.8) -> bool:
    """An answer close (ROUGE-L F1 >= ``threshold``) to one of the known refusals."""
    return any(rouge_l_f1(answer, refusal) >= threshold for refusal in REFUSALS)


def refusal_rate(answers: Iterable[str]) -> float:
    """Share of answers that are refusals; NaN when there are none."""
    flags = [is_refusal(answer) for answer in answers]
    return float(sum(flags) / len(flags)) if flags else float("nan")
