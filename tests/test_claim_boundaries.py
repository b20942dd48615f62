"""Every claim's documented threshold, checked from both sides on the paper's own tables.

Each test edits the paper's Tables 1 and 2 so that a claim's value (or the one cell a condition
reads) lies 0.01 inside and then 0.01 outside the threshold that ``pebench.verdicts`` documents,
and checks that the claim holds on the first and fails on the second. The thresholds are written
here as numbers, as the verdicts' table prints them, not imported: a threshold changed in the code
without its documentation fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import pytest

from pebench.metrics.catalog import KINDS, OTHER_KIND
from pebench.verdicts import CLAIMS, Tables, paper_tables

#: How far inside and outside a threshold the edited tables put a claim's value.
STEP = 0.01
FINETUNE, GOAL = "Finetune", "Goal (retrain)"


def edited(tables: Tables, where: Callable[[pd.DataFrame], pd.Series], change: Callable, joint: bool = False) -> Tables:
    """``tables`` with ``change(means)`` applied to the ``mean`` of the rows ``where`` selects."""
    frame = (tables.joint if joint else tables.single).copy()
    rows = where(frame)
    frame.loc[rows, "mean"] = change(frame.loc[rows])
    return replace(tables, joint=frame) if joint else replace(tables, single=frame)


def methods(frame: pd.DataFrame) -> pd.Series:
    """The rows of the unlearning methods (not Finetune, not the Goal)."""
    return ~frame["method"].isin([FINETUNE, GOAL])


def cell(tables: Tables, method: str, target: str, metric: str) -> float:
    return tables(method, target, metric)


def amount_for(value: Callable[[float], float], target: float, low: float, high: float) -> float:
    """The edit amount at which a claim's ``value`` (monotone in it) equals ``target``, by bisection."""
    rising = value(high) > value(low)
    assert (value(low) <= target <= value(high)) if rising else (value(high) <= target <= value(low)), (
        f"{target} not between {value(low)} and {value(high)}"
    )
    for _ in range(50):
        middle = (low + high) / 2
        if (value(middle) < target) == rising:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def check_both_sides(
    key: str,
    edit: Callable[[float], Tables],
    threshold: float,
    holds_below: bool,
    amounts: tuple[float, float] = (-5, 5),
) -> None:
    """Claim ``key`` holds with its value ``STEP`` inside ``threshold`` and fails ``STEP`` outside it."""

    def value(amount: float) -> float:
        return CLAIMS[key].test(edit(amount)).value

    inside, outside = (threshold - STEP, threshold + STEP) if holds_below else (threshold + STEP, threshold - STEP)
    for target, expected in ((inside, True), (outside, False)):
        outcome = CLAIMS[key].test(edit(amount_for(value, target, *amounts)))
        assert outcome.value == pytest.approx(target, abs=1e-6)
        assert outcome.holds is expected, (key, target, outcome)


PAPER = paper_tables()


@pytest.mark.parametrize(
    ("kind", "bound_cell", "threshold", "holds_below"),
    [
        ("person", (FINETUNE, "person_efficacy"), 0.25, True),
        ("event", (FINETUNE, "event_efficacy"), 0.25, True),
        ("person", (GOAL, "person_efficacy"), 0.75, False),
        ("event", (GOAL, "event_efficacy"), 0.75, False),
    ],
)
def test_calibration_bounds_forget_at_their_documented_levels(kind, bound_cell, threshold, holds_below):
    """Claim 0: Finetune's efficacy at most 0.25, the Goal's at least 0.75, for each target."""
    method, metric = bound_cell
    for value, expected in ((threshold - STEP, holds_below), (threshold + STEP, not holds_below)):
        tables = edited(PAPER, lambda f: (f["method"] == method) & (f["metric"] == metric), lambda _, v=value: v)
        assert CLAIMS["0"].test(tables).holds is expected, (method, metric, value)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("kept", ["retain", "scope"])
def test_calibration_lets_the_goal_keep_up_to_005_less_than_finetune(kind, kept):
    """Claim 0: the Goal's Retain and Scope at least Finetune's - 0.05."""
    metric = f"{kind}_retain" if kept == "retain" else f"{OTHER_KIND[kind]}_scope"
    finetune = cell(PAPER, FINETUNE, kind, metric)
    for value, expected in ((finetune - 0.05 + STEP, True), (finetune - 0.05 - STEP, False)):
        rows = lambda f: (f["method"] == GOAL) & (f["target"] == kind) & (f["metric"] == metric)  # noqa: E731
        assert CLAIMS["0"].test(edited(PAPER, rows, lambda _, v=value: v)).holds is expected, (metric, value)


def test_1a_no_method_reaches_075_of_the_goal_corner():
    """1a: < 0.75. One method forgets and keeps ``amount`` times the Goal's, on persons."""
    goal_efficacy, goal_retain = (
        cell(PAPER, GOAL, "person", "person_efficacy"),
        cell(PAPER, GOAL, "person", "person_retain"),
    )

    def edit(amount: float) -> Tables:
        ga = lambda f: (f["method"] == "GA") & (f["target"] == "person")  # noqa: E731
        tables = edited(PAPER, lambda f: ga(f) & (f["metric"] == "person_efficacy"), lambda _: amount * goal_efficacy)
        return edited(tables, lambda f: ga(f) & (f["metric"] == "person_retain"), lambda _: amount * goal_retain)

    check_both_sides("1a", edit, 0.75, holds_below=True)


def test_1b_over_forgotten_means_efficacy_09_and_retain_half_the_goals_in_more_than_half_the_methods():
    """1b: share > 0.5 of methods with efficacy >= 0.9 and retain <= half the Goal's. On the paper's
    tables all six are; two are made to remember, so a third decides between 3 of 6 and 4 of 6."""
    person = lambda f, m, metric: (f["method"] == m) & (f["target"] == "person") & (f["metric"] == metric)  # noqa: E731
    tables = PAPER
    for method in PAPER.methods[:2]:
        tables = edited(tables, lambda f, m=method: person(f, m, "person_efficacy"), lambda _: 0.0)
    assert CLAIMS["1b"].test(tables).value == pytest.approx(4 / 6)
    third = PAPER.methods[2]
    half_goal = cell(PAPER, GOAL, "person", "person_retain") / 2
    for metric, value, expected in (
        ("person_efficacy", 0.9 + STEP, True),
        ("person_efficacy", 0.9 - STEP, False),
        ("person_retain", half_goal - STEP, True),
        ("person_retain", half_goal + STEP, False),
    ):
        outcome = CLAIMS["1b"].test(edited(tables, lambda f, m=metric: person(f, third, m), lambda _, v=value: v))
        assert outcome.holds is expected and outcome.value == pytest.approx(4 / 6 if expected else 3 / 6)


def test_2a_scope_drops_by_at_least_005():
    """2a: <= -0.05 for both targets (the weaker drop). Every method's Scope moves by ``amount``."""

    def edit(amount: float) -> Tables:
        return edited(
            PAPER, lambda f: methods(f) & f["metric"].str.endswith("_scope"), lambda rows: rows["mean"] + amount
        )

    check_both_sides("2a", edit, -0.05, holds_below=True)


def test_2b_interference_of_at_least_002():
    """2b (beyond the paper): <= -0.02. The paper has no *elsewhere* column: each method's is its
    Scope plus ``amount`` (Finetune's equal to its Scope), so interference is ``-amount``."""
    scope = PAPER.single[PAPER.single["metric"].str.endswith("_scope")]
    elsewhere = scope.assign(metric=scope["metric"].str.replace("_scope", "_elsewhere"))
    base = replace(PAPER, single=pd.concat([PAPER.single, elsewhere], ignore_index=True))

    def edit(amount: float) -> Tables:
        return edited(base, lambda f: methods(f) & f["metric"].str.endswith("_elsewhere"), lambda r: r["mean"] + amount)

    check_both_sides("2b", edit, -0.02, holds_below=True)


def test_3a_events_trail_persons_by_at_least_02():
    """3a: mean event efficacy - mean person efficacy <= -0.2. Every method's event efficacy moves."""

    def edit(amount: float) -> Tables:
        rows = lambda f: methods(f) & (f["metric"] == "event_efficacy")  # noqa: E731
        return edited(PAPER, rows, lambda r: r["mean"] + amount)

    check_both_sides("3a", edit, -0.2, holds_below=True)


def test_3b_the_best_event_method_stays_below_09_of_the_goal():
    """3b: the smaller margin of (0.9 - best event efficacy relative to the Goal's) and (best
    person's - 0.9) > 0. Every method's event efficacy is set to ``amount`` times the Goal's; the
    paper's best person method reaches the Goal, so the event margin decides."""
    goal = cell(PAPER, GOAL, "event", "event_efficacy")

    def edit(amount: float) -> Tables:
        return edited(PAPER, lambda f: methods(f) & (f["metric"] == "event_efficacy"), lambda _: amount * goal)

    check_both_sides("3b", edit, 0.0, holds_below=False, amounts=(0.5, 1.5))
    for share, expected in ((0.9 - STEP, True), (0.9 + STEP, False)):
        assert CLAIMS["3b"].test(edit(share)).holds is expected, share


def test_3b_needs_the_best_person_method_at_09_of_the_goal():
    """3b's second condition: the best person method reaches >= 0.9 of the Goal's efficacy."""
    goal = cell(PAPER, GOAL, "person", "person_efficacy")
    for share, expected in ((0.9 + STEP, True), (0.9 - STEP, False)):
        rows = lambda f: methods(f) & (f["metric"] == "person_efficacy")  # noqa: E731
        assert CLAIMS["3b"].test(edited(PAPER, rows, lambda _, s=share: s * goal)).holds is expected, share


def test_3c_event_efficacy_spreads_at_least_005_more():
    """3c: sd of event efficacy - sd of person efficacy >= 0.05. Event efficacies are spread
    around their mean by a factor ``amount``."""
    events = PAPER.single[methods(PAPER.single) & (PAPER.single["metric"] == "event_efficacy")]["mean"]

    def edit(amount: float) -> Tables:
        rows = lambda f: methods(f) & (f["metric"] == "event_efficacy")  # noqa: E731
        return edited(PAPER, rows, lambda r: events.mean() + amount * (r["mean"] - events.mean()))

    check_both_sides("3c", edit, 0.05, holds_below=False, amounts=(0, 5))


def test_4_joint_forgetting_lowers_efficacy_by_at_least_005():
    """4: jointly - alone <= -0.05 for every base and concept. The bases' joint efficacies move."""
    bases = [base for base, _ in PAPER.bases]

    def edit(amount: float) -> Tables:
        rows = lambda f: f["method"].isin(bases) & f["metric"].str.endswith("_efficacy")  # noqa: E731
        return edited(PAPER, rows, lambda r: r["mean"] + amount, joint=True)

    check_both_sides("4", edit, -0.05, holds_below=True)


def test_5a_balancing_gains_at_least_003():
    """5a: balanced - base >= +0.03 for every base and concept. The balanced joint efficacies move."""
    balanced = [b for _, b in PAPER.bases]

    def edit(amount: float) -> Tables:
        rows = lambda f: f["method"].isin(balanced) & f["metric"].str.endswith("_efficacy")  # noqa: E731
        return edited(PAPER, rows, lambda r: r["mean"] + amount, joint=True)

    check_both_sides("5a", edit, 0.03, holds_below=False)


def test_5b_the_balanced_end_point_must_keep_more_than_the_base_curve():
    """5b (beyond the paper): > 0. The base's curve passes (0.5, 0.8); the balanced run ends at
    efficacy 0.5 with retain 0.8 + ``amount``."""
    (base, balanced), *_ = PAPER.bases

    def points(method: str, curve: list[tuple[int, float, float]]) -> list[dict]:
        return [
            {"method": method, "metric": f"{k}_{name}", "step": step, "value": value}
            for step, efficacy, retain in curve
            for k in KINDS
            for name, value in (("efficacy", efficacy), ("retain", retain))
        ]

    def edit(amount: float) -> Tables:
        curves = points(base, [(0, 0.0, 1.0), (1, 0.5, 0.8), (2, 1.0, 0.2)])
        curves += points(balanced, [(0, 0.0, 1.0), (2, 0.5, 0.8 + amount)])
        return replace(PAPER, bases=PAPER.bases[:1], curves=pd.DataFrame(curves))

    check_both_sides("5b", edit, 0.0, holds_below=False)
    on_the_curve = CLAIMS["5b"].test(edit(0.0))
    assert on_the_curve.value == pytest.approx(0.0) and not on_the_curve.holds  # on the curve is not above it


def test_every_claim_has_a_boundary_test():
    """A claim added to the registry needs its boundary test here."""
    tested = {"0", "1a", "1b", "2a", "2b", "3a", "3b", "3c", "4", "5a", "5b"}
    assert set(CLAIMS) == tested
