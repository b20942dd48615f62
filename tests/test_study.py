"""Result tables on hand-made results (no model needed)."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from pebench import study
from pebench.study import OURS_ROW, PAPER_ROW, interference_table, paired_gain, paper_table, summarize, table_values


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


def test_the_papers_values_sit_under_ours_and_its_own_methods_before_the_goal():
    results = long_frame(
        {(m, "person", "person_efficacy"): [0.5, 0.7] for m in ("Finetune", "GA", "NPO", "Goal (retrain)")}
    )
    paper = pd.DataFrame(
        [
            (m, "person", "person_efficacy", v)
            for m, v in (("Finetune", 0.0), ("GA", 1.0), ("SIU", 0.9), ("Goal (retrain)", 1.0))
        ],
        columns=["method", "target", "metric", "mean"],
    )
    table = paper_table(summarize(results), {"person": [("Efficacy", "person_efficacy")]}, paper=paper)
    assert list(table.index) == [
        ("Finetune", OURS_ROW),
        ("Finetune", PAPER_ROW),
        ("GA", OURS_ROW),
        ("GA", PAPER_ROW),
        ("NPO", OURS_ROW),
        ("SIU", PAPER_ROW),
        ("Goal (retrain)", OURS_ROW),
        ("Goal (retrain)", PAPER_ROW),
    ]
    assert table.loc[("GA", PAPER_ROW)].iloc[0] == "1.000" and table.loc[("GA", OURS_ROW)].iloc[0] == "0.600 ± 0.141"


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
    no_drop = interference_table(single_target_summary(scope_drop=0.0)).set_index(["method", "forgotten"])
    assert no_drop.loc[("M", "person"), "interference"] == pytest.approx(0.0)


def test_paper_tables_cut_the_columns_into_tables_that_fit() -> None:
    """Table 1 in one table per target, Table 2 (one target) in person columns, then the rest."""
    parts = study.display_parts(study.TABLE1_COLUMNS)
    assert [list(part) for part in parts] == [["person"], ["event"]]
    assert parts[0]["person"] == study.TABLE1_COLUMNS["person"]
    joint = study.display_parts(study.TABLE2_COLUMNS)
    metrics = [[metric for _, metric in part["joint"]] for part in joint]
    assert all(metric.startswith("person_") for metric in metrics[0])
    assert not any(metric.startswith("person_") for metric in metrics[1]) and "world_fact" in metrics[1]
    assert sum(metrics, []) == [metric for _, metric in study.TABLE2_COLUMNS["joint"]]
