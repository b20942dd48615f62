"""The verdicts test the paper's claims: they hold on the paper's own tables, the directional ones
fail when persons and events are swapped, and a verdict counts the replicates a claim holds in."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from pebench import paper
from pebench.arms import LABELS
from pebench.metrics.chance import chance_scaled
from pebench.paper import PAPER_METHODS
from pebench.setting import Setting
from pebench.unlearn import METHODS
from pebench.verdicts import (
    CLAIMS,
    CONTRADICTED,
    INCONCLUSIVE,
    NOT_TESTABLE,
    REPRODUCED,
    Tables,
    calibration_margins,
    check_claim,
    interval_verdict,
    joint_budget_table,
    paper_findings,
    paper_tables,
    reading_table,
    replicate_interval,
)

#: Claims about which concept is which: they must fail on the paper's tables with the concepts swapped.
DIRECTIONAL = ("1b", "3a", "3b", "3c")
#: The paper's methods, by registry name (the book implements all six).
IMPLEMENTED = tuple(name for name in METHODS if LABELS[name] in PAPER_METHODS)


def swapped(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary`` with the person and event concepts exchanged (targets and metric names)."""
    swap = {"person": "event", "event": "person"}
    out = summary.copy()
    out["target"] = out["target"].map(lambda t: swap.get(t, t))
    out["metric"] = out["metric"].map(lambda m: re.sub("person|event", lambda x: swap[x.group()], m))
    return out


@pytest.mark.parametrize("key", [key for key, item in CLAIMS.items() if not item.beyond_paper])
def test_every_claim_of_the_paper_holds_on_its_own_tables(key):
    outcome = CLAIMS[key].test(paper_tables())
    assert outcome is not None and outcome.holds, outcome


@pytest.mark.parametrize("key", DIRECTIONAL)
def test_directional_claims_fail_with_persons_and_events_swapped(key):
    tables = paper_tables()
    exchanged = Tables(swapped(tables.single), swapped(tables.joint), tables.methods, tables.bases)
    outcome = CLAIMS[key].test(exchanged)
    assert outcome is not None and not outcome.holds, outcome


def findings(single: pd.DataFrame, joint: pd.DataFrame, setting: Setting) -> list:
    """The verdicts on the paper's scorers (``""``): the claims' logic, on tables of the paper's values."""
    return paper_findings(single, joint, setting, reading="")


def replicated(summary: pd.DataFrame, replicates: int = 3) -> pd.DataFrame:
    """A long results table in which each replicate (base model) gives the paper's values."""
    values = summary[["method", "target", "metric", "mean"]].rename(columns={"mean": "value"})
    return pd.concat([values.assign(base_seed=b, seed=0) for b in range(replicates)], ignore_index=True)


def test_a_claim_holding_in_every_replicate_is_reproduced_and_in_some_inconclusive():
    setting = Setting(methods=IMPLEMENTED)
    single, joint = replicated(paper.table1()), replicated(paper.table2())
    verdicts = {v.key: v for v in findings(single, joint, setting)}
    for key, item in CLAIMS.items():
        expected = NOT_TESTABLE if item.beyond_paper else REPRODUCED  # 2b, 5b need what the paper lacks
        assert verdicts[key].verdict == expected, verdicts[key]
    assert verdicts["3a"].held == verdicts["3a"].replicates == 3
    # In one replicate every method forgets events as well as persons: 3a holds in two of three.
    changed = (single["base_seed"] == 0) & (single["metric"] == "event_efficacy")
    single.loc[changed & ~single["method"].isin(["Finetune", "Goal (retrain)"]), "value"] = 1.0
    verdict = {v.key: v for v in findings(single, joint, setting)}["3a"]
    assert (verdict.verdict, verdict.held) == (INCONCLUSIVE, 2)
    assert verdict.low < -0.2 < verdict.high  # the interval straddles the threshold
    assert verdict.why.endswith("; run 1: person 0.998, event 1.000")  # the dissenting replicate's numbers


def test_each_reading_tests_the_claims_on_its_own_efficacy():
    """The readings table reads ``*_efficacy_second`` and ``*_efficacy_goal`` where the runs have them:
    here the second scorers give the paper's values with the concepts swapped, so 3a fails there,
    and the Goal reading is absent, so it is left out."""
    setting = Setting(methods=IMPLEMENTED)
    single, joint = replicated(paper.table1()), replicated(paper.table2())
    efficacy = single[single["metric"].str.endswith("_efficacy")]
    second = swapped(efficacy).assign(metric=lambda frame: frame["metric"] + "_second")
    table = reading_table(pd.concat([single, second], ignore_index=True), joint, setting).set_index(
        ["claim", "reading"]
    )
    assert list(table.index.get_level_values("reading").unique()) == [
        "paper's scorers vs the reference (verdicts until this version)",
        "second scorers vs the reference",
    ]
    assert table.loc[("3a", "paper's scorers vs the reference (verdicts until this version)"), "verdict"] == REPRODUCED
    assert table.loc[("3a", "second scorers vs the reference"), "verdict"] == CONTRADICTED
    assert table.loc[("3a", "second scorers vs the reference"), "ours"] == pytest.approx(0.54, abs=0.01)


def test_a_failed_calibration_condition_blocks_the_claims_that_read_its_quantity():
    """The Goal has not forgotten the persons: every claim that reads person efficacy is blocked,
    and says by what; the Scope claim, which does not read it, is still judged."""
    single, joint = replicated(paper.table1()), replicated(paper.table2())
    single.loc[(single["method"] == "Goal (retrain)") & (single["metric"] == "person_efficacy"), "value"] = 0.1
    verdicts = {v.key: v for v in findings(single, joint, Setting(methods=IMPLEMENTED))}
    assert verdicts["0"].verdict == CONTRADICTED and "Goal person_efficacy (by 0.65)" in verdicts["0"].why
    reading_person_efficacy = {"1a", "1b", "3a", "3b", "3c", "4", "5a", "5b"}
    for key in reading_person_efficacy:
        assert verdicts[key].verdict == NOT_TESTABLE
        assert verdicts[key].blocked_by == "Goal person_efficacy (contradicted)"
    assert verdicts["2a"].verdict == REPRODUCED and verdicts["2a"].blocked_by == ""


def test_a_failed_scope_condition_blocks_only_the_scope_claims():
    single, joint = replicated(paper.table1()), replicated(paper.table2())
    goal_scope = (single["method"] == "Goal (retrain)") & (single["metric"] == "event_scope")
    single.loc[goal_scope, "value"] = 0.0
    verdicts = {v.key: v for v in findings(single, joint, Setting(methods=IMPLEMENTED))}
    assert verdicts["2a"].verdict == NOT_TESTABLE
    assert verdicts["2a"].blocked_by == "Goal event_scope when person forgotten (contradicted)"
    assert all(verdicts[key].verdict == REPRODUCED for key in ("1a", "1b", "3a", "3b", "3c", "4", "5a"))


def test_claims_need_the_papers_methods():
    """With none of the paper's methods in the run, the method claims are not testable (not passed)."""
    tables = paper_tables()
    bare = Tables(tables.single, tables.joint, (), tables.bases)
    verdict = check_claim(CLAIMS["1a"], tables, [bare, bare])
    assert verdict.verdict == NOT_TESTABLE and verdict.paper_holds


def test_the_interval_is_students_t_over_the_replicates():
    """Mean 2, sd 1, three replicates: half-width t(0.975, 2) / sqrt(3) = 4.302653 / 1.732051."""
    mean, low, high = replicate_interval([1.0, 2.0, 3.0])
    assert mean == 2.0 and (high - low) / 2 == pytest.approx(2.484138, abs=1e-6)
    assert replicate_interval([0.3]) == (0.3, -math.inf, math.inf)  # one replicate decides nothing


@pytest.mark.parametrize(
    ("key", "low", "high", "expected"),
    [
        ("3a", -0.5, -0.3, REPRODUCED),  # holds at <= -0.2
        ("3a", -0.4, -0.2, REPRODUCED),  # the threshold itself holds
        ("3a", -0.3, -0.1, INCONCLUSIVE),
        ("3a", -0.19, 0.2, CONTRADICTED),
        ("1a", 0.5, 0.74, REPRODUCED),  # holds at < 0.75
        ("1a", 0.5, 0.75, INCONCLUSIVE),  # the threshold itself does not hold
        ("1a", 0.75, 0.9, CONTRADICTED),
        ("3c", 0.05, 0.3, REPRODUCED),  # holds at >= 0.05
        ("5b", 0.0, 0.3, INCONCLUSIVE),  # holds at > 0
        ("5b", -0.3, 0.0, CONTRADICTED),
    ],
)
def test_a_verdict_reads_where_the_interval_lies(key, low, high, expected):
    assert interval_verdict(CLAIMS[key], low, high) == expected


def test_a_verdict_has_an_interval_and_the_smallest_definite_effect():
    """Three replicates of the paper's values, one of them shifted: the interval and its half-width."""
    setting = Setting(methods=IMPLEMENTED)
    single, joint = replicated(paper.table1()), replicated(paper.table2())
    shifted = (single["base_seed"] == 0) & (single["metric"] == "event_efficacy")
    single.loc[shifted & ~single["method"].isin(["Finetune", "Goal (retrain)"]), "value"] += 0.1
    verdict = {v.key: v for v in findings(single, joint, setting)}["3a"]
    values = [CLAIMS["3a"].test(paper_tables()).value + d for d in (0.1, 0.0, 0.0)]
    assert verdict.ours == pytest.approx(sum(values) / 3)
    assert verdict.definite == pytest.approx(4.302653 * pd.Series(values).std() / math.sqrt(3), rel=1e-5)
    assert verdict.verdict == REPRODUCED and verdict.high < -0.2  # far from its threshold, still definite


def test_each_claim_holds_exactly_on_its_side_of_its_threshold():
    """A claim's test and its stated side agree (on the paper's tables and with the concepts swapped),
    and its threshold text states that side and bound."""
    tables = paper_tables()
    exchanged = Tables(swapped(tables.single), swapped(tables.joint), tables.methods, tables.bases)
    for item in CLAIMS.values():
        for t in (tables, exchanged):
            outcome = item.test(t)
            if outcome is not None:
                assert outcome.holds == item.holds_at(outcome.value), (item.key, outcome)
    assert CLAIMS["2a"].threshold == "≤ −0.05 for both targets"
    assert CLAIMS["1a"].threshold == "< 0.75 for both targets"
    assert CLAIMS["3c"].threshold == "≥ 0.05"


def test_the_chapter_counts_judged_reproduced_and_contradicted_claims():
    """On three replicates of the paper's values every claim of the paper is reproduced; with the
    Goal's person efficacy failing the gate, only the claim that does not read it is judged."""
    from pebench.report import verdict_highlights
    from pebench.study import summarize

    setting = Setting(methods=IMPLEMENTED)
    single, joint = replicated(paper.table1()), replicated(paper.table2())
    quoted = verdict_highlights(findings(single, joint, setting), summarize(single), summarize(joint))
    assert (quoted["n_claims"], quoted["n_testable"], quoted["n_reproduced"], quoted["n_contradicted"]) == (8, 8, 8, 0)
    assert quoted["interval_t"] == pytest.approx(4.302653, abs=1e-6) and quoted["definite_3a"] == 0.0
    single.loc[(single["method"] == "Goal (retrain)") & (single["metric"] == "person_efficacy"), "value"] = 0.1
    quoted = verdict_highlights(findings(single, joint, setting), summarize(single), summarize(joint))
    assert (quoted["verdict_0"], quoted["n_testable"], quoted["n_reproduced"]) == (CONTRADICTED, 1, 1)  # 2a


def test_the_chapter_names_the_blocked_claims_and_what_blocks_them():
    from pebench.report import verdict_highlights
    from pebench.study import summarize

    single, joint = replicated(paper.table1()), replicated(paper.table2())
    single.loc[(single["method"] == "Goal (retrain)") & (single["metric"] == "event_efficacy"), "value"] = 0.5
    setting = Setting(methods=IMPLEMENTED)
    quoted = verdict_highlights(findings(single, joint, setting), summarize(single), summarize(joint))
    assert (quoted["n_blocked"], quoted["blocked_claims"]) == (6, "1a, 3a, 3b, 3c, 4, 5a")  # of the paper's claims
    assert quoted["blocking_conditions"] == "Goal event_efficacy (contradicted)"
    assert (quoted["blocked_2a"], quoted["n_testable"]) == ("nothing", 2)  # 1b and 2a


def test_every_claim_names_quantities_the_gate_guards():
    guarded = {metric for metric, _ in calibration_margins(paper_tables()).values()}
    assert guarded == {f"{k}_{q}" for k in ("person", "event") for q in ("efficacy", "retain", "scope")}
    for key, item in CLAIMS.items():
        assert key == "0" or (item.reads and item.reads <= guarded), key


def levels(person: float, event_keywords: float) -> pd.DataFrame:
    """Chance levels as :func:`pebench.metrics.chance.chance_levels` gives them, for the scorers the chance scale reads."""
    return pd.DataFrame(
        {"kind": ["person", "event"], "scorer": ["precision", "keywords"], "chance": [person, event_keywords]}
    )


def test_the_verdicts_read_efficacy_on_the_chance_scale():
    """The Goal's event efficacy by ROUGE-L (0.70) fails the gate's 0.75; its keyword efficacy, 0.72
    against a chance level of 0.1 (0.72 / 0.9 = 0.8 on the chance scale), passes it. The verdicts
    read the chance scale: the gate holds there, and fails on the paper's scorers."""
    setting = Setting(methods=IMPLEMENTED)
    single, joint = replicated(paper.table1()), replicated(paper.table2())
    second = single[single["metric"].str.endswith("_efficacy")].assign(metric=lambda f: f["metric"] + "_second")
    single = pd.concat([single, second], ignore_index=True)
    joint = pd.concat(
        [joint, joint[joint["metric"] == "event_efficacy"].assign(metric="event_efficacy_second")], ignore_index=True
    )
    goal = single["method"] == "Goal (retrain)"
    single.loc[goal & (single["metric"] == "event_efficacy"), "value"] = 0.70
    single.loc[goal & (single["metric"] == "event_efficacy_second"), "value"] = 0.72
    on_chance = {v.key: v for v in paper_findings(single, joint, setting, levels=levels(0.0, 0.1))}
    assert on_chance["0"].verdict == REPRODUCED
    # results already on the chance scale are read as they are; the others are scaled
    scaled = chance_scaled(single, levels(0.0, 0.1))
    again = paper_findings(scaled, joint, setting, levels=levels(0.0, 0.1))
    assert [(v.key, v.verdict) for v in again] == [(v.key, v.verdict) for v in on_chance.values()]
    assert [v.ours for v in again] == pytest.approx([v.ours for v in on_chance.values()], nan_ok=True)
    assert {v.key: v for v in findings(single, joint, setting)}["0"].verdict == CONTRADICTED
    with pytest.raises(ValueError, match="chance levels"):
        paper_findings(single, joint, setting)
    with pytest.raises(ValueError, match="reading must be one of"):
        paper_findings(single, joint, setting, reading="_rouge")


def test_a_claims_paper_margin_is_its_distance_from_the_threshold_on_the_paper_side():
    """3a holds at ≤ −0.2; the paper's value there is about −0.54, so its margin is about +0.34."""
    verdict = {v.key: v for v in findings(replicated(paper.table1()), replicated(paper.table2()), Setting())}["3a"]
    assert verdict.paper_margin == pytest.approx(-0.2 - verdict.paper) and verdict.paper_margin > 0.3


def test_the_joint_claims_are_read_at_each_joint_budget():
    """At one budget the joint runs forget as much as the paper's; at the other the plain methods'
    joint efficacy is 0.3 higher (above forgetting alone): claim 4 is reproduced at the first and
    contradicted at the second, each row naming its budget."""
    setting = Setting(methods=IMPLEMENTED)
    single, joint = replicated(paper.table1()), replicated(paper.table2())
    higher = joint.copy()
    plain = higher["method"].isin(["GD", "KL"]) & higher["metric"].str.endswith("_efficacy")
    higher.loc[plain, "value"] += 0.3
    table = joint_budget_table(single, {"equal exposure": joint, "higher": higher}, setting, reading="")
    verdicts = table.set_index(["claim", "joint budget"])["verdict"]
    assert list(table["claim"]) == ["4", "5a", "4", "5a"]
    assert verdicts[("4", "equal exposure")] == REPRODUCED and verdicts[("4", "higher")] == CONTRADICTED
