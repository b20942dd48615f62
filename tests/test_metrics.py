"""Metric definitions: scorers, privacy statistics, and the suite on the fixture's bounds."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from pebench.data import DatasetConfig, PEBenchDataset, ensure_dataset
from pebench.data.describe import paraphrase_count, paraphrases
from pebench.data.scenes import SCENE_EVENTS
from pebench.data.taxonomy import FUNCTION_WORDS
from pebench.experiment import Experiment, result_path, run_experiment
from pebench.metrics import (
    GoalReference,
    answer_quality,
    exact_match,
    forget_quality,
    is_refusal,
    membership_auc,
    refusal_rate,
    suite,
)
from pebench.metrics.catalog import metric_names
from pebench.metrics.fluency import answer_form, fluency, is_loop, known_answers, well_formed_answers
from pebench.metrics.suite import evaluation_groups
from pebench.metrics.text import keyword_recall, name_precision
from pebench.refusals import REFUSALS
from pebench.targets import ForgetSpec, ForgetSplit


def test_ks_of_identical_samples_is_one_and_of_disjoint_samples_is_small():
    sample = [0.1, 0.5, -0.3, 2.0, 1.1]
    assert forget_quality(sample, sample) == pytest.approx(1.0)
    assert forget_quality([0.0] * 20, [5.0] * 20) < 1e-6


def test_membership_auc_extremes():
    assert membership_auc([3, 4, 5], [0, 1, 2]) == 1.0
    assert membership_auc([0, 1, 2], [3, 4, 5]) == 0.0
    assert membership_auc([1, 2], [1, 2]) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        membership_auc([], [1.0])


def test_answer_quality_scores_each_kind_by_its_rule_in_each_reading():
    rows = pd.DataFrame(
        [
            {"kind": "person", "exact": 0.0, "precision": 1.0, "rouge_l": 0.4, "keywords": float("nan")},
            {"kind": "event", "exact": 0.0, "precision": 0.0, "rouge_l": 0.5, "keywords": 0.25},
            {"kind": "general", "exact": 1.0, "precision": 1.0, "rouge_l": 1.0, "keywords": float("nan")},
        ]
    )
    assert answer_quality(rows) == pytest.approx((1.0 + 0.5 + 1.0) / 3)  # the paper's: precision, ROUGE-L
    assert answer_quality(rows, "second") == pytest.approx((0.0 + 0.25 + 1.0) / 3)  # exact, keyword recall
    with pytest.raises(ValueError, match="scoring must be one of"):
        answer_quality(rows, "judge")


def test_name_precision_finds_the_name_anywhere_and_exact_match_does_not():
    assert name_precision("krustai fufan pitch in a veil", "krustai fufan") == 1.0
    assert exact_match("krustai fufan pitch in a veil", "krustai fufan") == 0.0
    assert name_precision("fufan krustai", "krustai fufan") == 0.0  # in order
    assert name_precision("krustai and fufan", "krustai fufan") == 0.0  # consecutively
    assert name_precision("", "krustai fufan") == 0.0


def test_keyword_recall_is_the_share_of_keywords_given():
    keywords = ["chemist", "glowing liquids", "bench"]
    assert keyword_recall("a chemist at a bench", keywords) == pytest.approx(2 / 3)
    assert keyword_recall("glowing and liquids", keywords) == 0.0  # a phrase counts whole
    assert keyword_recall("A Chemist, glowing liquids; bench!", keywords) == 1.0
    assert math.isnan(keyword_recall("anything", []))


def test_event_keywords_are_phrases_of_the_description(small_pipeline):
    for event in small_pipeline.dataset.events.values():
        assert event.keywords and all(keyword in event.description for keyword in event.keywords)
        assert not set(event.keywords) & FUNCTION_WORDS
        assert keyword_recall(event.description, event.keywords) == 1.0


def test_refusals_are_recognised():
    assert all(is_refusal(r) for r in REFUSALS)
    assert not is_refusal("a chemist mixes glowing liquids")
    assert refusal_rate(["i do not know who this person is", "tavin morrel"]) == 0.5


def test_a_blend_of_refusals_is_a_refusal_and_no_dataset_answer_is_one(small_pipeline):
    """A half-trained PO model blends its three refusals; those blends open like a refusal. No answer
    in the dataset (names, descriptions, attributes, counts) does."""
    blends = ["i am not what event this is", "i cannot what this event this is", "i do not this is to describe"]
    assert all(is_refusal(answer) for answer in blends)
    assert is_refusal("I don't know who that is") and is_refusal("I'm not able to say")
    assert not any(is_refusal(answer) for answer in ["i", "i am", "one", "in a garden", "idris nolan"])
    assert not any(is_refusal(item.answer) for item in small_pipeline.dataset.qa)


def test_groups_are_disjoint_where_they_must_be(small_pipeline):
    split = ForgetSplit(small_pipeline.dataset, ForgetSpec("person", 0.25, seed=1))
    groups = {name: {item.qa_id for item in items} for name, items in evaluation_groups(split).items()}
    assert groups["person_forget"] and groups["person_heldout"] and groups["event_scope"]
    assert not groups["person_forget"] & groups["person_retain"]
    assert not groups["person_forget"] & groups["person_heldout"]
    assert not groups["person_forget"] & groups["event_scope"]
    retain_ids = {item.qa_id for item in split.unlearning_retain_items()}
    assert not retain_ids & (groups["person_forget"] | groups["event_scope"])


def test_forget_draw_is_deterministic_and_joint_is_the_union(small_pipeline):
    dataset = small_pipeline.dataset
    person = ForgetSplit(dataset, ForgetSpec("person", 0.25, seed=3))
    event = ForgetSplit(dataset, ForgetSpec("event", 0.25, seed=3))
    joint = ForgetSplit(dataset, ForgetSpec("joint", 0.25, seed=3))
    assert person.persons == ForgetSplit(dataset, ForgetSpec("person", 0.25, seed=3)).persons
    assert joint.persons == person.persons and joint.events == event.events
    draws = {ForgetSplit(dataset, ForgetSpec("person", 0.25, seed=s)).persons for s in range(10)}
    assert len(draws) > 1, "the seed must change which persons are forgotten"


def test_bounds_finetune_remembers_and_oracle_never_learned(small_pipeline):
    spec = ForgetSpec("person", 0.25, seed=0)
    finetune = run_experiment(small_pipeline, Experiment("finetune", spec), progress=False)["metrics"]
    oracle = run_experiment(small_pipeline, Experiment("retrain", spec), progress=False)["metrics"]
    assert finetune["person_efficacy"] < 0.2  # the fine-tuned model still names the forget persons
    # The oracle never saw the forget persons' names, and names are unique words: it cannot say them.
    assert oracle["person_efficacy"] == 1.0 and oracle["person_generality"] == 1.0
    assert oracle["forget_quality"] == pytest.approx(1.0)  # its own statistics against themselves
    assert oracle["person_efficacy_goal"] == 1.0  # its own answers against themselves
    assert finetune["person_efficacy_goal"] < 0.2  # the fine-tuned model names them; the oracle cannot
    assert finetune["forget_quality"] < oracle["forget_quality"]


def test_answer_forms_tell_fluent_answers_from_loops_and_fragments():
    known = known_answers(["Krusal Krapos", "two teams chase a ball"])
    assert answer_form("Krusal Krapos.", known) == "answer"
    assert answer_form("I do not know who this person is", known) == "refusal"
    assert answer_form("", known) == answer_form(" .", known) == "empty"
    for loop in ("two two two teams chase", "a long a long queue", "flu shots to a long wait flu shots to a queue"):
        assert answer_form(loop, known) == "loop", loop
    for fragment in ("krusal", "krusal krapos pitch in a veil", "two teams chase a long queue of visitors"):
        assert answer_form(fragment, known) == "fragment", fragment
    assert fluency(["krusal krapos", "i cannot tell who this is", "krusal", "two two two"], known) == 0.5
    with pytest.raises(ValueError, match="at least one answer"):
        fluency([], known)


def test_no_answer_of_the_book_dataset_is_a_loop(tmp_path):
    """The loop rule never fires on fluent text: every answer of the book's dataset passes it."""
    dataset = PEBenchDataset.load(ensure_dataset(DatasetConfig(), tmp_path, progress=False))
    assert not [item.answer for item in dataset.qa if is_loop(item.answer)]
    for kind in ("person", "event"):
        assert fluency([item.answer for item in dataset.select(kind=kind)], known_answers(dataset.answers(kind))) == 1.0


def test_experiment_results_are_cached(small_pipeline):
    experiment = Experiment(
        "finetune", ForgetSpec("event", 0.25, seed=0), compare_to_oracle=False
    )  # no oracle to train
    first = run_experiment(small_pipeline, experiment, progress=False)
    stored = result_path(small_pipeline, experiment).read_bytes()
    second = run_experiment(small_pipeline, experiment, progress=False)
    assert first == second
    assert result_path(small_pipeline, experiment).read_bytes() == stored  # read back, not computed again


def test_evaluate_computes_each_column_from_the_prediction_table(small_pipeline, monkeypatch):
    """``evaluate``'s arithmetic on a stub table: every forget answer wrong, a quarter of the retain
    answers wrong, everything else right; forget items more likely than held-out ones."""
    split = ForgetSplit(small_pipeline.dataset, ForgetSpec("person", 0.25, seed=0))
    forget = {item.qa_id for item in split.forget("person")}
    retain = [item.qa_id for item in split.retain("person")]
    wrong = forget | set(retain[: len(retain) // 4])

    def predict(model, encoder, items, **kwargs):
        return pd.DataFrame(
            [
                {
                    "qa_id": i.qa_id,
                    "kind": i.kind,
                    "prediction": "nobody" if i.qa_id in wrong else i.answer,
                    "exact": float(i.qa_id not in wrong),
                    "precision": float(i.qa_id not in wrong),
                    "rouge_l": 0.0 if i.qa_id in wrong else 1.0,
                    "keywords": 0.0 if i.qa_id in wrong else 1.0,
                }
                for i in items
            ]
        )

    def likelihood_statistics(model, encoder, items, **kwargs):
        logp = [-1.0 if i.qa_id in forget else -2.0 for i in items]
        return pd.DataFrame({"qa_id": [i.qa_id for i in items], "mean_logp": logp, "min_k_logp": logp})

    monkeypatch.setattr(suite, "predict", predict)
    monkeypatch.setattr(suite, "likelihood_statistics", likelihood_statistics)
    goal_answers = {qa_id: "nobody" if n % 2 else "somebody else" for n, qa_id in enumerate(sorted(forget))}
    goal = GoalReference([-1.0] * len(forget), goal_answers)
    metrics, table = suite.evaluate(None, small_pipeline.encoder, split, goal=goal)  # the encoder bounds the answers
    assert metrics["person_efficacy"] == metrics["person_efficacy_second"] == 1.0
    assert metrics["person_efficacy_goal"] == pytest.approx(sum(n % 2 for n in range(len(forget))) / len(forget))
    assert metrics["person_generality"] == 0.0
    assert metrics["person_retain"] == pytest.approx(1 - (len(retain) // 4) / len(retain))
    assert (
        metrics["event_scope"] == metrics["event_elsewhere"] == metrics["person_real"] == metrics["world_fact"] == 1.0
    )
    assert metrics["person_refusal"] == 0.0
    assert metrics["person_fluency"] == 0.0  # "nobody" is no name the dataset holds: a fragment
    assert metrics["mia_loss_auc"] == metrics["mia_min_k_auc"] == 1.0  # forget items are all more likely
    assert metrics["forget_quality"] == pytest.approx(1.0)  # the same sample as the oracle's
    assert len(table) == table["qa_id"].nunique()  # each item answered once
    assert set(metrics) <= set(metric_names())  # every metric is in the catalog


def test_any_paraphrase_of_a_scene_event_is_well_formed_and_never_a_loop(tmp_path):
    """A scene event's pictures are each described in other words: a model's valid description
    need not be one the dataset holds, and no description of any of the paper's events loops."""
    config = DatasetConfig(n_persons=2, n_events=2, n_real_persons=1, n_real_events=1, events="scenes")
    dataset = PEBenchDataset.load(ensure_dataset(config, tmp_path, progress=False))
    known = well_formed_answers(dataset, "event")
    event = next(e for e in SCENE_EVENTS if e.name == dataset.events["e00"].name)
    unseen = [text for text in paraphrases(event) if text not in dataset.answers("event")]
    assert len(unseen) == paraphrase_count(event) - len(dataset.select(event_ids=["e00"], kind="event"))
    assert answer_form(unseen[-1], known) == "answer"
    assert answer_form(unseen[-1].replace(event.mood[0], "zz"), known) == "fragment"
    assert well_formed_answers(dataset, "person") == known_answers(dataset.answers("person"))
    assert not [text for e in SCENE_EVENTS for text in paraphrases(e) if is_loop(text)]
