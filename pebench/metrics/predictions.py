"""Answer every QA item of a set and score it: the per-item table all metrics aggregate.

One generation pass gives a table with a row per QA item (who/what it asks about, the reference,
the model's answer, exact match and ROUGE-L); every metric is then a grouping of that table,
so a model is never asked the same question twice.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import torch

from pebench.data import QAItem
from pebench.encoding import Encoder, as_examples
from pebench.inference import generate_answers
from pebench.metrics.text import exact_match, rouge_l_f1


def predict(
    model: torch.nn.Module,
    encoder: Encoder,
    items: Sequence[QAItem],
    *,
    batch_size: int = 256,
    progress: bool = False,
) -> pd.DataFrame:
    """One row per item: ids, kind, population, split, answer, prediction, ``exact``, ``rouge_l``."""
    predictions = generate_answers(model, encoder, as_examples(items), batch_size=batch_size, progress=progress)
    rows = [
        {
            "qa_id": item.qa_id,
            "image_id": item.image_id,
            "person_id": item.person_id,
            "event_id": item.event_id,
            "kind": item.kind,
            "population": item.population,
            "split": item.split,
            "answer": item.answer,
            "prediction": prediction,
            "exact": exact_match(prediction, item.answer),
            "rouge_l": rouge_l_f1(prediction, item.answer),
        }
        for item, prediction in zip(items, predictions)
    ]
    return pd.DataFrame(rows)


def accuracy_table(predictions: pd.DataFrame) -> pd.DataFrame:
    """Mean exact match and ROUGE-L by population, split and question kind."""
    return (
        predictions.groupby(["population", "split", "kind"], sort=True)[["exact", "rouge_l"]]
        .mean()
        .rename(columns={"exact": "exact_match", "rouge_l": "rouge_l"})
    )
