"""Answer quality per question kind: the scoring rules every accuracy-type metric uses.

Two readings, side by side (:data:`SCORINGS`). The *paper's*: a person answer is right when it
gives the name (precision), an event answer scores its ROUGE-L F1 against the reference
description (the paper also uses an LLM judge, G-Eval, which we cannot run offline), a general
answer by exact match. The *second*: names by exact match (a right name followed by noise counts
as wrong) and events by keyword recall. Higher is better; range [0, 1].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Which column of the prediction table scores each question kind, per reading.
SCORINGS = {
    "paper": {"person": "precision", "event": "rouge_l", "general": "exact"},
    "second": {"person": "exact", "event": "keywords", "general": "exact"},
}


def answer_quality(predictions: pd.DataFrame, scoring: str = "paper") -> float:
    """Mean score of the rows, each scored by its kind's rule in ``scoring``; NaN for an empty selection."""
    if scoring not in SCORINGS:
        raise ValueError(f"scoring must be one of {tuple(SCORINGS)}, got {scoring!r}")
    if predictions.empty:
        return float("nan")
    columns = SCORINGS[scoring]
    kinds = predictions["kind"].to_numpy()
    if unknown := set(kinds) - set(columns):
        raise ValueError(f"kind must be one of {tuple(columns)}, got {sorted(unknown)}")
    scores = np.select(
        [kinds == kind for kind in columns], [predictions[column].to_numpy() for column in columns.values()]
    )
    return float(scores.mean())
