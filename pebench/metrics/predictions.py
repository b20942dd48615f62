"""Answer every QA item of a set and score it: the per-item table all metrics aggregate.

One generation pass gives a table with a row per QA item (who/what it asks about, the reference,
the model's answer and its score by every scorer of :mod:`pebench.metrics.text`); every metric is
then a grouping of that table, so a model is never asked the same question twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import torch

from pebench.data import PEBenchDataset, QAItem
from pebench.encoding import Encoder, as_examples
from pebench.inference import generate_answers
from pebench.metrics.text import PAIR_SCORERS, keyword_recall
from pebench.refusals import REFUSALS


def answer_budget(encoder: Encoder, dataset: PEBenchDataset) -> int:
    """How many tokens greedy decoding may take: the longest answer the dataset can hold, one of its
    reference answers or a refusal, with its end-of-answer token. A longer answer cannot be right, so
    decoding further would compute nothing a metric credits, only a longer wrong answer (a loop)."""
    question = dataset.qa[0].question
    refusals = (len(encoder.answer_ids(question, refusal)) for refusal in REFUSALS)
    return max(*refusals, *(len(encoder.answer_ids(item.question, item.answer)) for item in dataset.qa))


def predict(
    model: torch.nn.Module,
    encoder: Encoder,
    items: Sequence[QAItem],
    *,
    keywords: Mapping[str, Sequence[str]] | None = None,
    batch_size: int = 256,
    max_new_tokens: int = 24,
    progress: bool = False,
) -> pd.DataFrame:
    """One row per item: ids, kind, population, split, answer, prediction, and its scores against the
    answer (``exact``, ``precision``, ``rouge_l``) and, for an event question whose event has
    ``keywords`` (event id -> keywords, e.g. ``dataset.keywords()``), ``keywords`` (else NaN)."""
    keywords = keywords or {}
    predictions = generate_answers(
        model, encoder, as_examples(items), batch_size=batch_size, max_new_tokens=max_new_tokens, progress=progress
    )
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
            **{column: scorer(prediction, item.answer) for column, scorer in PAIR_SCORERS.items()},
            "keywords": keyword_recall(prediction, keywords.get(item.event_id, ()) if item.kind == "event" else ()),
        }
        for item, prediction in zip(items, predictions)
    ]
    return pd.DataFrame(rows)


def accuracy_table(predictions: pd.DataFrame) -> pd.DataFrame:
    """Mean exact match, ROUGE-L and keyword recall (events with keywords; else NaN) by population,
    split and question kind, and ``accuracy``: each kind read by its own scorer, names and general
    answers by exact match, events by keyword recall where they have keywords (a scene event is
    described in other words on each picture, so a right description need not match word for word)."""
    scores = predictions.assign(accuracy=predictions["keywords"].fillna(predictions["exact"]))
    return (
        scores.groupby(["population", "split", "kind"], sort=True)[["exact", "rouge_l", "keywords", "accuracy"]]
        .mean()
        .rename(columns={"exact": "exact_match"})
    )
