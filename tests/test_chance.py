"""Chance levels of the scorers (pebench.metrics.chance): wrong concepts only, and the sampled
mean agrees with the mean over every pair of a small dataset."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest

from pebench.data import DatasetConfig, PEBenchDataset, ensure_dataset
from pebench.metrics.chance import chance_levels, chance_scaled
from pebench.metrics.text import keyword_recall, rouge_l_f1
from pebench.report import chance_highlights


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> PEBenchDataset:
    config = DatasetConfig(n_persons=6, n_events=4, n_real_persons=2, n_real_events=2, seed=0, caption_images=0)
    return PEBenchDataset.load(ensure_dataset(config, tmp_path_factory.mktemp("chance"), progress=False))


@pytest.fixture(scope="module")
def levels(dataset) -> pd.DataFrame:
    return chance_levels(dataset, pairs=4000).set_index(["kind", "scorer"])


def test_every_scorer_of_every_reading_has_a_level(levels):
    assert set(levels.index) == {
        ("person", "precision"),
        ("person", "exact"),
        ("event", "rouge_l"),
        ("event", "keywords"),
        ("general", "exact"),
    }
    assert levels.loc[("general", "exact"), "readings"] == "paper and second"
    assert (levels["pairs"] == 4000).all()


def test_another_persons_name_never_scores(levels):
    """Names are unique, so a pair of the same person (which would score 1) was never drawn."""
    assert levels.loc[("person", "precision"), "chance"] == 0.0
    assert levels.loc[("person", "exact"), "chance"] == 0.0


def test_general_questions_pair_the_same_question_so_a_guess_of_the_right_type_scores(levels, dataset):
    """A colour against a count never matches; a colour against another picture's colour sometimes does."""
    chance = levels.loc[("general", "exact"), "chance"]
    colours = {item.answer for item in dataset.qa if item.question.startswith("What colour")}
    assert 1 / len(colours) / 2 < chance < 0.6


def every_pair_mean(dataset: PEBenchDataset, score) -> float:
    """The mean over *every* ordered pair of fictitious event questions about two different events."""
    items = [q for q in dataset.qa if q.kind == "event" and q.population == "fictitious"]
    scores = [score(a, b) for a, b in itertools.product(items, items) if a.event_id != b.event_id]
    return math.fsum(scores) / len(scores)


def test_the_sampled_level_agrees_with_every_pair(levels, dataset):
    """The sample's mean lies within 4 of its standard errors of the mean over all pairs."""
    keywords = dataset.keywords()
    exact = {
        "rouge_l": every_pair_mean(dataset, lambda a, b: rouge_l_f1(b.answer, a.answer)),
        "keywords": every_pair_mean(dataset, lambda a, b: keyword_recall(b.answer, keywords[a.event_id])),
    }
    for scorer, mean in exact.items():
        row = levels.loc[("event", scorer)]
        assert 0 < row["standard_error"] < 0.02
        assert abs(row["chance"] - mean) <= 4 * row["standard_error"], (scorer, row["chance"], mean)


def test_the_levels_are_the_same_on_every_call_and_move_with_the_seed(dataset, levels):
    again = chance_levels(dataset, pairs=4000).set_index(["kind", "scorer"])
    pd.testing.assert_frame_equal(again, levels)
    other = chance_levels(dataset, pairs=4000, seed=1).set_index(["kind", "scorer"])
    assert other.loc[("event", "rouge_l"), "chance"] != levels.loc[("event", "rouge_l"), "chance"]


def test_the_chapter_quotes_each_level_and_the_efficacy_an_answer_at_chance_reads(levels):
    quoted = chance_highlights(levels.reset_index())
    assert quoted["chance_pairs"] == 4000
    assert quoted["chance_event_rouge_l"] == levels.loc[("event", "rouge_l"), "chance"]
    assert quoted["chance_event_rouge_l_efficacy"] == pytest.approx(1 - quoted["chance_event_rouge_l"])
    assert "chance_person_precision_efficacy" not in quoted


def test_the_chance_scale_puts_the_reference_at_0_and_an_answer_about_another_concept_at_1():
    """Events by keyword recall with chance level 0.2: a keyword recall of 1 reads 0, of 0.2 reads 1,
    of 0.6 reads 0.5, of 0 reads 1 (clipped); names by precision with chance 0 keep their efficacy."""
    levels = pd.DataFrame({"kind": ["person", "event"], "scorer": ["precision", "keywords"], "chance": [0.0, 0.2]})
    recall = [1.0, 0.2, 0.6, 0.0]
    long = pd.DataFrame(
        {
            "run": list(range(4)) * 2,
            "metric": ["event_efficacy_second"] * 4 + ["person_efficacy"] * 4,
            "value": [1 - r for r in recall] + [0.0, 0.3, 0.9, 1.0],
        }
    )
    scaled = chance_scaled(long, levels).set_index(["metric", "run"])["value"]
    assert scaled["event_efficacy_chance"].tolist() == pytest.approx([0.0, 1.0, 0.5, 1.0])
    assert scaled["person_efficacy_chance"].tolist() == pytest.approx([0.0, 0.3, 0.9, 1.0])
    assert len(scaled) == 16  # the runs' own rows are kept
