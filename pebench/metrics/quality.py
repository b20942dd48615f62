"""Answer quality per question kind: the one scoring rule every accuracy-type metric uses.

Person questions are scored by exact name match (the paper's precision), event questions by
ROUGE-L F1 against the reference description (the paper also uses an LLM judge, G-Eval, which
we cannot run offline), general questions by exact match. Higher is better; range [0, 1].
"""

from __future__ import annotations

import pandas as pd

#: Which column of the prediction table scores each question kind.
SCORE_COLUMN = {"person": "exact", "event": "rouge_l", "general": "exact"}


def answer_quality(predictions: pd.DataFrame) -> float:
    """Mean score of the rows, each scored by its kind's rule; NaN for an empty selection."""
    if predictions.empty:
        return float("nan")
    scores = pd.Series(
        [predictions[column].to_numpy()[i] for i, column in enumerate(predictions["kind"].map(SCORE_COLUMN))]
    )
    return float(scores.mean())
