"""Answer quality per question kind: the one scoring rule every accuracy-type metric uses.

Person questions are scored by exact name match (the paper's precision), event questions by
ROUGE-L F1 against the reference description (the paper also uses an LLM judge, G-Eval, which
we cannot run offline), general questions by exact match. Higher is better; range [0, 1].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Which column of the prediction table scores each question kind.
SCORE_COLUMN = {"person": "exact", "event": "rouge_l", "general": "exact"}


def answer_quality(predictions: pd.DataFrame) -> float:
    """Mean score of the rows, each scored by its kind's rule; NaN for an empty selection."""
    if predictions.empty:
        return float("nan")
    kinds = predictions["kind"].to_numpy()
    if unknown := set(kinds) - set(SCORE_COLUMN):
        raise ValueError(f"kind must be one of {tuple(SCORE_COLUMN)}, got {sorted(unknown)}")
    scores = np.select(
        [kinds == kind for kind in SCORE_COLUMN], [predictions[column].to_numpy() for column in SCORE_COLUMN.values()]
    )
    return float(scores.mean())
