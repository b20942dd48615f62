"""The paper's Table 1/2 columns, and the extra metrics, from one pass over the evaluation sets.

Definitions (``k`` is a forgotten kind, "person" or "event"; quality is
``pebench.metrics.quality.answer_quality``, by the paper's scorers unless said otherwise: name
precision for persons, ROUGE-L for events):

* ``{k}_efficacy``   = 1 - quality on the forget questions on *training* images. Higher = more forgotten.
* ``{k}_generality`` = 1 - quality on the forget questions on *held-out* images. Higher = more forgotten.
* ``{k}_retain``     = quality on the same kind of question about non-forgotten persons/events
  (training images showing no target). Higher = better kept.
* ``{o}_scope``      = quality on the *other* kind ``o`` of question on the forget images
  (single-concept targets only): the cross-concept interference measure. Higher = less harm.
* ``{o}_elsewhere``  = quality on the other kind ``o`` of question on images *without* a target:
  the baseline for scope. ``{o}_elsewhere - {o}_scope`` is the damage that lands on the very
  images of the forgotten concept (single-concept targets only).
* ``{k}_real``       = quality on the "real" population's questions of kind ``k``, learned in
  pretraining (the paper's Real column, whose scorer follows the target). Higher = better kept.
* ``world_fact``     = exact match on the general questions (shirt colour, object count) on
  held-out real images (stand-in for the paper's general benchmark). Higher = better kept.
* ``{k}_efficacy_second`` = efficacy by the second scorers (names: exact match, events: keyword
  recall).
* ``{k}_efficacy_goal``   = agreement of the forget answers with the retrain oracle's (the *Goal*
  model's) answers to the same questions, by the paper's scorer with the oracle's answer as the
  reference: 1 = answers as a model that never learned the targets (only when the oracle is given).
* ``{k}_refusal``    = share of forget answers that are refusals.
* ``{k}_fluency``    = share of forget answers that are well formed: a name or a description the
  dataset holds, or a refusal, rather than a loop or a fragment (``pebench.metrics.fluency``).
* ``mia_loss_auc`` / ``mia_min_k_auc`` = membership-inference AUC, forget (train) vs held-out items
  of the targets; 0.5 = no leakage.
* ``forget_quality`` = KS-test p-value of the forget set's mean answer log-prob against the retrain
  oracle's (only when the oracle is given).

All values are means over QA items (each item weighs the same).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import torch

from pebench.data import QAItem
from pebench.encoding import Encoder
from pebench.metrics.fluency import fluency, well_formed_answers
from pebench.metrics.likelihood import likelihood_statistics
from pebench.metrics.predictions import answer_budget, predict
from pebench.metrics.privacy import forget_quality, membership_auc
from pebench.metrics.quality import SCORINGS, answer_quality
from pebench.metrics.refusal import refusal_rate
from pebench.metrics.text import PAIR_SCORERS
from pebench.profiling import stage
from pebench.targets import ForgetSplit

OTHER_KIND = {"person": "event", "event": "person"}


def evaluation_groups(split: ForgetSplit) -> dict[str, list[QAItem]]:
    """Every named group of questions the metrics need, for this split."""
    dataset = split.dataset
    groups: dict[str, list[QAItem]] = {}
    for kind in split.spec.kinds:
        groups[f"{kind}_forget"] = split.forget(kind, "train")
        groups[f"{kind}_heldout"] = split.forget(kind, "heldout")
        groups[f"{kind}_retain"] = split.retain(kind)
        if split.spec.target != "joint":
            other = OTHER_KIND[kind]
            groups[f"{other}_scope"] = split.scope(other)
            groups[f"{other}_elsewhere"] = split.retain(other)
        groups[f"{kind}_real"] = dataset.select(population="real", split="train", kind=kind)
    groups["world_fact"] = dataset.select(population="real", split="heldout", kind="general")
    return groups


@dataclass(frozen=True)
class GoalReference:
    """What the metrics compare an unlearned model with: the retrain oracle's (the Goal model's)
    per-item mean answer log-prob on the forget set (for ``forget_quality``) and its answers to the
    forget questions, by QA id (for ``{k}_efficacy_goal``)."""

    statistics: Sequence[float]
    answers: Mapping[str, str]


def goal_reference(model: torch.nn.Module, encoder: Encoder, split: ForgetSplit) -> GoalReference:
    """The :class:`GoalReference` of ``model``, the retrain oracle of ``split``."""
    items = split.forget()
    answers = predict(model, encoder, items, max_new_tokens=answer_budget(encoder, split.dataset))["prediction"]
    return GoalReference(
        likelihood_statistics(model, encoder, items)["mean_logp"].tolist(),
        dict(zip((item.qa_id for item in items), answers)),
    )


def evaluate(
    model: torch.nn.Module,
    encoder: Encoder,
    split: ForgetSplit,
    *,
    goal: GoalReference | None = None,
) -> tuple[dict[str, float], pd.DataFrame]:
    """All metrics for ``model`` on ``split``, and the per-item prediction table behind them
    (``goal``: the retrain oracle's reference, for the metrics that compare with it)."""
    groups = evaluation_groups(split)
    unique = {item.qa_id: item for items in groups.values() for item in items}
    with stage("evaluation: answers"):
        table = predict(
            model,
            encoder,
            list(unique.values()),
            keywords=split.dataset.keywords(),
            max_new_tokens=answer_budget(encoder, split.dataset),
        )
    table = table.set_index("qa_id", drop=False)
    metrics: dict[str, float] = {}
    for kind in split.spec.kinds:
        forget_rows = table.loc[[i.qa_id for i in groups[f"{kind}_forget"]]]
        metrics[f"{kind}_efficacy"] = 1.0 - answer_quality(forget_rows)
        metrics[f"{kind}_efficacy_second"] = 1.0 - answer_quality(forget_rows, "second")
        if goal is not None:
            agree = PAIR_SCORERS[SCORINGS["paper"][kind]]
            metrics[f"{kind}_efficacy_goal"] = float(
                sum(agree(row.prediction, goal.answers[row.qa_id]) for row in forget_rows.itertuples())
                / len(forget_rows)
            )
        metrics[f"{kind}_generality"] = 1.0 - answer_quality(table.loc[[i.qa_id for i in groups[f"{kind}_heldout"]]])
        metrics[f"{kind}_retain"] = answer_quality(table.loc[[i.qa_id for i in groups[f"{kind}_retain"]]])
        metrics[f"{kind}_refusal"] = refusal_rate(forget_rows["prediction"])
        metrics[f"{kind}_fluency"] = fluency(forget_rows["prediction"], well_formed_answers(split.dataset, kind))
        for group in (f"{OTHER_KIND[kind]}_scope", f"{OTHER_KIND[kind]}_elsewhere"):
            if group in groups:
                metrics[group] = answer_quality(table.loc[[i.qa_id for i in groups[group]]])
        metrics[f"{kind}_real"] = answer_quality(table.loc[[i.qa_id for i in groups[f"{kind}_real"]]])
    metrics["world_fact"] = answer_quality(table.loc[[i.qa_id for i in groups["world_fact"]]])

    with stage("evaluation: likelihoods"):
        members = likelihood_statistics(model, encoder, split.forget())
        non_members = likelihood_statistics(
            model, encoder, [i for kind in split.spec.kinds for i in groups[f"{kind}_heldout"]]
        )
    for attack, column in (("loss", "mean_logp"), ("min_k", "min_k_logp")):
        metrics[f"mia_{attack}_auc"] = membership_auc(members[column], non_members[column])
    if goal is not None:
        metrics["forget_quality"] = forget_quality(members["mean_logp"], goal.statistics)
    return metrics, table.reset_index(drop=True)
