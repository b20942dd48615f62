"""Result tables and verdict rules on hand-made results (no model needed)."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from pebench.study import interference_table, paired_gain, paper_table, summarize, table_values
from pebench.verdicts import (
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    balancing_helps,
    cross_concept_interference,
    joint_is_harder,
    no_method_wins_everything,
)


def long_frame(values: dict[tuple[str, str, str], list[float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"method": m, "target": t, "metric": k, "base_seed": 0, "seed": seed, "value": v}
            for (m, t, k), vs in values.items()
            for seed, v in enumerate(vs)
        ]
    )


def test_summarize_and_tables():
    results = long_frame(
        {("A", "person", "person_efficacy"): [0.2, 0.4], ("B", "person", "person_efficacy"): [1.0, 1.0]}
    )
    summary = summarize(results)
    assert summary.set_index("method").loc["A", "mean"] == pytest.approx(0.3)
    assert summary.set_index("method").loc["A", "n"] == 2
    columns = {"person": [("Efficacy", "person_efficacy")]}
    values = table_values(summary, columns, ["B", "A"])
    assert list(values.index) == ["B", "A"] and values.iloc[1, 0] == pytest.approx(0.3)
    assert paper_table(summary, columns, ["A"]).iloc[0, 0] == "0.300 ± 0.141"


def test_paired_gain_pairs_by_seed():
    results = long_frame({("GD", "joint", "x"): [0.1, 0.5], ("GD+", "joint", "x"): [0.2, 0.7]})
    gain = paired_gain(results, "GD", "GD+").iloc[0]
    assert gain["mean"] == pytest.approx(0.15) and gain["std"] == pytest.approx(0.0707, abs=1e-3)


def single_target_summary(scope_drop: float) -> pd.DataFrame:
    """Finetune knows everything; method M forgets its target and loses ``scope_drop`` on the same images."""
    values = {}
    for method, target in itertools.product(["Finetune", "M", "N"], ["person", "event"]):
        other = "event" if target == "person" else "person"
        forgot = method != "Finetune"
        values[(method, target, f"{target}_efficacy")] = [1.0 if forgot else 0.0]
        values[(method, target, f"{target}_generality")] = [1.0 if forgot else 0.2]
        values[(method, target, f"{target}_retain")] = [0.9 if method == "M" else 0.5 if forgot else 1.0]
        values[(method, target, f"{other}_scope")] = [1.0 - (scope_drop if forgot else 0.0)]
        values[(method, target, f"{other}_elsewhere")] = [1.0]
        values[(method, target, "real")] = [0.7 if method == "N" else 1.0]
        values[(method, target, "world_fact")] = [0.6]
    return summarize(long_frame(values))


def test_interference_is_the_extra_drop_on_the_same_images():
    table = interference_table(single_target_summary(scope_drop=0.3)).set_index(["method", "forgotten"])
    assert table.loc[("M", "person"), "interference"] == pytest.approx(-0.3)
    assert table.loc[("M", "person"), "target concept"] == pytest.approx(-1.0)
    assert cross_concept_interference(table.reset_index(), ["M", "N"]).verdict == REPRODUCED
    no_drop = interference_table(single_target_summary(scope_drop=0.0))
    assert cross_concept_interference(no_drop, ["M", "N"]).verdict == NOT_REPRODUCED


def test_a_dominant_method_fails_finding_one():
    summary = single_target_summary(scope_drop=0.0)
    # M keeps retain better and ties everywhere else: it is best on every column.
    assert no_method_wins_everything(summary, ["M", "N"]).verdict == NOT_REPRODUCED
    assert no_method_wins_everything(summary[summary["method"] != "M"], ["N"]).verdict == NOT_REPRODUCED
    # Make M worse than N on Real: now each wins somewhere and neither wins everything.
    traded = summary.copy()
    traded.loc[(traded["method"] == "M") & (traded["metric"] == "real"), "mean"] = 0.5
    assert no_method_wins_everything(traded, ["M", "N"]).verdict == REPRODUCED


def joint_summaries(joint_score: float, balanced_score: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    single, joint = {}, {}
    for base in ("GD", "KL"):
        for target in ("person", "event"):
            single[(base, target, f"{target}_efficacy")] = [1.0]
            single[(base, target, f"{target}_retain")] = [0.8]
        for kind in ("person", "event"):
            for metric in ("efficacy", "retain"):
                joint[(base, "joint", f"{kind}_{metric}")] = [joint_score]
                joint[(f"{base}+", "joint", f"{kind}_{metric}")] = [balanced_score]
    return summarize(long_frame(single)), summarize(long_frame(joint))


def test_joint_and_balancing_verdicts():
    single, joint = joint_summaries(joint_score=0.6, balanced_score=0.8)
    assert joint_is_harder(single, joint, ["GD", "KL"]).verdict == REPRODUCED
    assert balancing_helps(joint, {"GD": "GD+", "KL": "KL+"}).verdict == REPRODUCED
    single, joint = joint_summaries(joint_score=0.9, balanced_score=0.9)
    assert joint_is_harder(single, joint, ["GD", "KL"]).verdict == NOT_REPRODUCED
    assert balancing_helps(joint, {"GD": "GD+", "KL": "KL+"}).verdict == NOT_REPRODUCED
    assert PARTLY not in (REPRODUCED, NOT_REPRODUCED)
