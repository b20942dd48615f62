"""The answers runs stored, as tables: one answer per question and run, never a guessed one.

Every answer shown comes from the ``predictions`` a cached run stored (``{qa_id: answer}``, every
question the metric suite evaluates). A question a run did not evaluate has no stored answer, and
asking for it raises :class:`MissingAnswerError` instead of producing one that was not computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pebench.data import PEBenchDataset, QAItem
from pebench.report.examples import question


class MissingAnswerError(KeyError):
    """A run did not evaluate a question, so its stored predictions hold no answer to it."""


def stored_answer(result: Mapping[str, Any], qa_id: str, label: str = "run") -> str:
    """The answer a cached run stored for ``qa_id``; :class:`MissingAnswerError` if it has none."""
    predictions = result["predictions"]
    if qa_id not in predictions:
        raise MissingAnswerError(
            f"{label} did not evaluate {qa_id}; compute the answer with pebench.metrics.predictions.predict "
            "on that model instead of guessing it"
        )
    return predictions[qa_id]


def answer_table(
    dataset: PEBenchDataset, items: Sequence[QAItem], results: Mapping[str, Mapping[str, Any]]
) -> pd.DataFrame:
    """One row per item: ``qa_id``, ``image``, ``person``, ``event``, ``split``, ``kind``, ``question``,
    ``reference``, then one column per entry of ``results`` (its label) with that run's answer."""
    rows = []
    for item in items:
        row = {
            "qa_id": item.qa_id,
            "image": item.image_id,
            "person": dataset.persons[item.person_id].name,
            "event": dataset.events[item.event_id].name,
            "split": item.split,
            "kind": item.kind,
            "question": item.question,
            "reference": item.answer,
        }
        row.update({label: stored_answer(result, item.qa_id, label) for label, result in results.items()})
        rows.append(row)
    return pd.DataFrame(
        rows, columns=["qa_id", "image", "person", "event", "split", "kind", "question", "reference", *results]
    )


def image_answers(dataset: PEBenchDataset, image_id: str, results: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Each run's stored answers to the person and event questions about ``image_id``: one row per
    label of ``results``, columns ``"person"`` and ``"event"`` (the input of
    :func:`~pebench.report.answer_plots.plot_answer_panel`)."""
    items = {kind: question(dataset, image_id, kind) for kind in ("person", "event")}
    rows = {
        label: {kind: stored_answer(result, item.qa_id, label) for kind, item in items.items()}
        for label, result in results.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=["person", "event"])
