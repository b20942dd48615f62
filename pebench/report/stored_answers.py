"""The answers of one forget draw's runs, read back from the cache and laid out for reading.

What models answer once they have unlearned is read from the runs a grid already made
(:func:`~pebench.report.runs.grid_results`): every model of the comparison (Finetune, the methods,
Goal) on both single-concept targets, for one base model and its forget draw. This class keeps
those results with the forget splits they were computed on, so that a question set (the forget
questions, their held-out images, the other concept's questions) becomes one table of answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pebench.arms import LABELS
from pebench.data import PEBenchDataset, QAItem
from pebench.metrics.catalog import KINDS, OTHER_KIND
from pebench.metrics.fluency import well_formed_answers
from pebench.pipeline import Pipeline
from pebench.report.answer_analysis import answer_summary, answer_types, fluency_examples, interference_examples
from pebench.report.answers import answer_table, image_answers
from pebench.report.examples import figure_one_image, spread_items
from pebench.report.runs import Runner, grid_results
from pebench.setting import Setting
from pebench.targets import ForgetSpec, ForgetSplit


@dataclass(frozen=True)
class StoredAnswers:
    """Every model's stored answers for one forget draw, with the splits they were computed on."""

    dataset: PEBenchDataset
    methods: tuple[str, ...]
    splits: dict[str, ForgetSplit]
    results: dict[tuple[str, str], dict[str, Any]]

    @classmethod
    def read(
        cls,
        pipeline: Pipeline,
        setting: Setting,
        *,
        seed: int = 0,
        forget_seed: int | None = None,
        runner: Runner | None = None,
    ) -> StoredAnswers:
        """The runs of ``setting``'s models with unlearning seed ``seed`` on the forget draw
        ``forget_seed`` (default: ``seed``), read back from the cache (computed if missing).
        ``runner`` replaces :func:`pebench.experiment.run_experiment` (tests record the runs instead)."""
        models = ["finetune", *setting.methods, "retrain"]
        results = grid_results(
            pipeline,
            models,
            KINDS,
            seed=seed,
            ratio=setting.forget_ratio,
            unlearn=setting.unlearn,
            forget_seed=forget_seed,
            **({} if runner is None else {"runner": runner}),
        )
        draw = seed if forget_seed is None else forget_seed
        splits = {
            target: ForgetSplit(pipeline.dataset, ForgetSpec(target, setting.forget_ratio, draw)) for target in KINDS
        }
        return cls(pipeline.dataset, setting.methods, splits, results)

    @property
    def models(self) -> list[str]:
        return ["finetune", *self.methods, "retrain"]

    @property
    def labels(self) -> list[str]:
        """Every model's display name: Finetune, the methods, Goal (retrain)."""
        return [LABELS[m] for m in self.models]

    @property
    def method_labels(self) -> list[str]:
        """The unlearning methods' display names."""
        return [LABELS[m] for m in self.methods]

    def runs(self, target: str) -> dict[str, dict[str, Any]]:
        """Every model's stored results for one unlearning target, under its display name."""
        return {LABELS[m]: self.results[(target, m)] for m in self.models}

    def table(self, target: str, items: Sequence[QAItem]) -> pd.DataFrame:
        """The answers to ``items`` of every model that unlearned ``target``."""
        return answer_table(self.dataset, items, self.runs(target))

    def forget(self, target: str, split: str = "train") -> pd.DataFrame:
        """Every model's answers to the forget questions of ``target`` (on ``split`` images)."""
        return self.table(target, self.splits[target].forget(target, split))

    def examples(self, targets: Sequence[str], n: int, split: str = "train") -> pd.DataFrame:
        """``n`` forget questions of each of ``targets`` spread over the forget set, with every answer."""
        tables = [self.table(t, spread_items(self.splits[t].forget(t, split), n)) for t in targets]
        return pd.concat(tables, ignore_index=True)

    def scope(self, target: str) -> pd.DataFrame:
        """Every model's answers to the other concept's questions on the forget images of ``target``."""
        return self.table(target, self.splits[target].scope(OTHER_KIND[target]))

    def interference_examples(self, n: int) -> pd.DataFrame:
        """Per target, the ``n`` questions about the other concept whose answers the most methods
        changed (:func:`~pebench.report.answer_analysis.interference_examples`)."""
        tables = [interference_examples(self.scope(t), LABELS["finetune"], self.method_labels, n) for t in KINDS]
        return pd.concat(tables, ignore_index=True)

    def figure_one(self, method: str) -> tuple[str, pd.DataFrame]:
        """The paper's Figure 1 for ``method``: an image showing a forgotten person at a forgotten
        event, and the person and event answers before unlearning, after each unlearning, and of
        the two goals (:data:`FIGURE_ONE_ROWS`)."""
        image_id = figure_one_image(self.splits["person"], self.splits["event"])
        rows = {
            label.format(method=LABELS[method]): (target, model.format(method=method))
            for _, label, target, model in FIGURE_ONE_ROWS
        }
        return image_id, image_answers(
            self.dataset, image_id, {label: self.results[key] for label, key in rows.items()}
        )

    def answer_types(self) -> pd.DataFrame:
        """Per target and model, what the answers to the forget questions are
        (:func:`~pebench.report.answer_analysis.answer_types`)."""
        types = {
            f"{t} unlearning": answer_types(
                self.forget(t), self.labels, well_formed_answers(self.dataset, t), goal=LABELS["retrain"]
            )
            for t in KINDS
        }
        return pd.concat(types, names=["target", "model"])

    def fluency_examples(self) -> pd.DataFrame:
        """Per target and model, the fluency of the forget answers and an example of each degenerate
        form (:func:`~pebench.report.answer_analysis.fluency_examples`)."""
        examples = {
            f"{t} unlearning": fluency_examples(self.forget(t), self.labels, well_formed_answers(self.dataset, t))
            for t in KINDS
        }
        return pd.concat(examples, names=["target", "model"])

    def scope_summary(self) -> pd.DataFrame:
        """Per target: each model's share of the other concept's answers that stayed right or changed."""
        return pd.concat(
            {
                f"{target} unlearning: {OTHER_KIND[target]} answers": answer_summary(
                    self.scope(target), LABELS["finetune"], self.labels
                )
                for target in KINDS
            },
            axis=1,
        )


#: The rows of Figure 1: (highlight key, row label, unlearning target, model); ``{method}`` is filled in.
FIGURE_ONE_ROWS = (
    ("before", "Finetune (before unlearning)", "person", "finetune"),
    ("person_unlearning", "{method}, person unlearning", "person", "{method}"),
    ("event_unlearning", "{method}, event unlearning", "event", "{method}"),
    ("goal_person", "Goal, retrained without the persons", "person", "retrain"),
    ("goal_event", "Goal, retrained without the events", "event", "retrain"),
)
