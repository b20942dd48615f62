"""The paper's findings as falsifiable claims, tested on the paper's tables and on ours alike.

Each claim is a directional statement in the paper's terms (persons are over-forgotten; events are
harder to forget; forgetting both at once lowers efficacy; ...) turned into one number and a
threshold. The thresholds are fixed here, before any run, and were checked against the paper's own
Tables 1 and 2 (:mod:`pebench.paper`): every claim of the paper holds on them, and the directional
ones fail when the person and event columns are swapped (``tests/test_verdicts.py``). A claim that
cannot fail on any result is not a claim, so none is written as "some difference in some direction".

A claim is tested on the paper's tables (one value), on the mean of the book's runs, and on each
run's own tables separately. The book's runs are independent replicates of the whole pipeline
(pretraining, fine-tuning, forget draw, unlearning run; :func:`pebench.study.run_grid`); they read
efficacy on the chance scale (:data:`VERDICT_READING`), and the verdict comes from a :data:`CONFIDENCE` interval of the claim's value over them (Student's t,
:func:`replicate_interval`): **reproduced** when the interval lies wholly on the side of the
threshold the paper claims, **contradicted** when it lies wholly on the other side, **inconclusive**
when it straddles the threshold. Its half-width is the smallest distance from the threshold that
the book's replicates can call definite. A claim on the paper's methods is tested on those the book
implements (:data:`pebench.paper.PAPER_METHODS`; the others are compared in the chapters, not
here). Each condition of the calibration gate (claim 0: the bounds behave as bounds) that is not
reproduced blocks the claims that read the quantity it checks (:func:`blocking_conditions`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from pebench import paper
from pebench.arms import BOUND_LABELS, LABELS, balanced_label
from pebench.metrics.catalog import KINDS, OTHER_KIND
from pebench.metrics.chance import chance_scaled
from pebench.paper import PAPER_METHODS
from pebench.setting import Setting
from pebench.study import interference_table, summarize

REPRODUCED, CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE = "reproduced", "contradicted", "inconclusive", "not testable"
#: Every verdict word, and each definite verdict's opposite: a rerun that turns one into the other
#: has reversed a conclusion of the book (:func:`reversed_verdict`); any other change of verdict
#: (to or from inconclusive or not testable) weakens or firms one up.
VERDICTS = (REPRODUCED, CONTRADICTED, INCONCLUSIVE, NOT_TESTABLE)
OPPOSITE = {REPRODUCED: CONTRADICTED, CONTRADICTED: REPRODUCED}
#: The two-sided confidence level of a claim's interval over the replicates.
CONFIDENCE = 0.95
FINETUNE, GOAL = BOUND_LABELS["finetune"], BOUND_LABELS["retrain"]

# Thresholds, fixed before the runs (scores on 0-1). On the paper's tables: calibration +0.04,
# 1a 0.60, 1b 1.00, 2a -0.10, 3a -0.54, 3b +0.10 (events 0.60, persons 1.00 of the Goal), 3c +0.13,
# 4 -0.21, 5a +0.08.
#: Claim 0: Finetune has forgotten at most this much, the Goal at least ``GOAL_FORGETS``.
FINETUNE_FORGETS = 0.25
GOAL_FORGETS = 0.75
#: Claim 0: the Goal keeps (retain, scope) at least Finetune's, up to this much.
GOAL_KEEPS_SLACK = 0.05
#: Claim 1a: the best min(efficacy / Goal's, retain / Goal's) stays below this for both targets.
GOAL_CORNER = 0.75
#: Claim 1b: "over-forgotten" = efficacy at least this with retain at most half the Goal's.
OVER_FORGET_EFFICACY = 0.9
#: Claims 2a and 4: a drop counts from this size; claim 2b (beyond the paper) from this one.
DROP = 0.05
INTERFERENCE = 0.02
#: Claim 3a: mean event efficacy at least this much below mean person efficacy.
EVENT_GAP = 0.2
#: Claim 3b: "reaches the Goal" = at least this share of the Goal's efficacy.
REACHES_GOAL = 0.9
#: Claim 3c: the spread (sd) of event efficacy across methods exceeds the persons' by this much.
SPREAD_GAP = 0.05
#: Claim 5a: the balanced method raises each concept's efficacy over its base by at least this.
BALANCE_GAIN = 0.03
#: Claim 5b (beyond the paper): the balanced end point keeps more than the base's curve by more than this.
ABOVE_CURVE = 0.0
#: A claim's value is compared with its threshold rounded to this many decimals: scores are means of
#: at most a few hundred answers, so 0.95 - 1.0 + 0.05 is 0 (at its threshold), not -4e-17.
DECIMALS = 9


#: The chance scale (:func:`pebench.metrics.chance.chance_scaled`): names by precision, events by
#: keyword recall, the reference answer at 0 and an answer about another concept at 1.
CHANCE_READING = "_chance"
#: The reading the verdicts use. Until this version they read the paper's scorers against the
#: reference (``""``); the chance scale replaced it after the calibration gate had failed at chance
#: (an event ROUGE-L that another event's description already reaches), fixed before the runs whose
#: replicates each have their own pretraining, and first judged on them (CHANGELOG, "Unreleased").
VERDICT_READING = CHANCE_READING
#: The readings of efficacy, by label, the verdicts' first: the others show how much a claim
#: about efficacy hangs on the scorer (the paper's scorers vs the reference was the verdicts' own
#: until the chance scale replaced it).
READINGS = {
    "names by precision, events by keywords, on the chance scale (verdicts)": CHANCE_READING,
    "paper's scorers vs the reference (verdicts until this version)": "",
    "second scorers vs the reference": "_second",
    "paper's scorers vs the Goal's answers": "_goal",
}
#: The claims whose value a reading changes most (those that compare efficacy across methods and
#: concepts), and the calibration gate, which the former reading failed.
READING_CLAIMS = ("0", "3a", "3b", "3c")


def reversed_verdict(published: str, rerun: str) -> bool:
    """Whether ``rerun`` is the opposite definite verdict of ``published`` (reproduced <-> contradicted)."""
    return OPPOSITE.get(published) == rerun


def _signed(bound: float) -> str:
    """A threshold as the tables print it: ``−0.05`` with a true minus sign, ``0.75``."""
    return f"−{-bound:g}" if bound < 0 else f"{bound:g}"


def _rounded(value: float) -> float:
    return round(float(value), DECIMALS)


@dataclass(frozen=True)
class Tables:
    """One set of results a claim is tested on: the one-concept and joint summaries (columns
    ``method``, ``target``, ``metric``, ``mean``), with the paper's methods and joint bases in them."""

    single: pd.DataFrame
    joint: pd.DataFrame
    methods: tuple[str, ...]
    #: Each joint base method and its balanced variant, as display names.
    bases: tuple[tuple[str, str], ...]
    #: The joint runs' probe curves (``method``, ``metric`` as ``person_efficacy``..., ``step``,
    #: ``value``; :func:`pebench.study.run_curves`), averaged over the runs; None: not measured.
    curves: pd.DataFrame | None = None
    #: Which efficacy the claims read: ``""`` (the paper's scorers against the reference, as the
    #: paper's own tables are read), ``"_chance"`` (the book's verdicts, :data:`VERDICT_READING`),
    #: ``"_second"`` or ``"_goal"`` (see :data:`READINGS`).
    reading: str = ""

    def __call__(self, method: str, target: str, metric: str) -> float:
        """The mean of ``metric`` for ``method`` forgetting ``target`` (``"joint"``: the joint table)."""
        return float(self._means[(method, target, metric)])

    @cached_property
    def _means(self) -> pd.Series:
        """Both tables' means by (method, target, metric), indexed once: a claim reads dozens of cells."""
        both = pd.concat([self.single, self.joint], ignore_index=True)
        return both.set_index(["method", "target", "metric"])["mean"]

    def efficacy_metric(self, target: str) -> str:
        """The efficacy metric of ``target`` in this reading (``person_efficacy``, ...)."""
        return f"{target}_efficacy{self.reading}"

    def efficacy(self, target: str) -> pd.Series:
        """Each method's efficacy on ``target``, indexed by method."""
        return pd.Series({m: self(m, target, self.efficacy_metric(target)) for m in self.methods})

    def has(self, metric: str) -> bool:
        return bool((self.single["metric"] == metric).any())

    def ran(self, method: str) -> bool:
        """Whether ``method`` forgot one concept at a time in these tables."""
        return bool((self.single["method"] == method).any())

    def curve(self, method: str, kind: str) -> pd.DataFrame:
        """``method``'s joint probe curve for concept ``kind``: ``efficacy`` and ``retain`` by step."""
        curves = self.curves if self.curves is not None else pd.DataFrame(columns=["method", "metric", "step", "value"])
        names = {self.efficacy_metric(kind): "efficacy", f"{kind}_retain": "retain"}
        rows = curves[(curves["method"] == method) & curves["metric"].isin(names)]
        wide = rows.pivot_table(index="step", columns="metric", values="value")
        return wide.rename(columns=names).sort_index()


@dataclass(frozen=True)
class Outcome:
    """A claim's value on one set of tables, whether it holds there, and the numbers behind it."""

    value: float
    holds: bool
    detail: str


@dataclass(frozen=True)
class Claim:
    key: str
    statement: str
    measure: str
    threshold: str
    test: Callable[[Tables], Outcome | None]
    #: The side of the threshold on which the claim holds (``"<"``, ``"≤"``, ``">"``, ``"≥"``) and
    #: the threshold itself: a claim holds exactly when its value lies on that side.
    side: str
    bound: float
    #: The quantities it reads (``person_efficacy``, ``event_scope``, ...): a calibration condition
    #: on one of them that does not hold blocks it (:func:`blocking_conditions`).
    reads: frozenset[str] = frozenset()
    #: A claim the book adds (the paper's tables cannot test it).
    beyond_paper: bool = False

    def holds_at(self, value: float) -> bool:
        """Whether a value on the claim's scale lies on the side where it holds."""
        return _SIDES[self.side](_rounded(value), self.bound)

    def margin(self, value: float) -> float:
        """How far ``value`` lies from the threshold, positive on the side where the claim holds:
        on the paper's tables, the size of the effect the paper reports beyond the threshold."""
        return _rounded(value - self.bound if self.side in (">", "≥") else self.bound - value)


_SIDES: dict[str, Callable[[float, float], bool]] = {
    "<": lambda value, bound: value < bound,
    "≤": lambda value, bound: value <= bound,
    ">": lambda value, bound: value > bound,
    "≥": lambda value, bound: value >= bound,
}


CLAIMS: dict[str, Claim] = {}


def claim(
    key: str,
    statement: str,
    measure: str,
    side: str,
    bound: float,
    condition: str = "",
    *,
    reads: Sequence[str] = (),
    beyond_paper: bool = False,
):
    """Register a claim's test under ``key`` (``"1a"``, ...), in the order of the paper's findings:
    it holds when its value is ``side`` ``bound`` (``condition`` says where it is read); ``reads``
    names the quantities it reads, which the calibration gate's conditions guard."""
    if side not in _SIDES:
        raise ValueError(f"side must be one of {tuple(_SIDES)}, got {side!r}")
    threshold = f"{side} {_signed(bound)}" + (f" {condition}" if condition else "")

    def register(test: Callable[[Tables], Outcome | None]) -> Callable[[Tables], Outcome | None]:
        CLAIMS[key] = Claim(key, statement, measure, threshold, test, side, bound, frozenset(reads), beyond_paper)
        return test

    return register


@claim(
    "0",
    "Calibration: Finetune has not forgotten, the Goal has, and the Goal keeps what Finetune keeps",
    "smallest margin over 8 conditions (negative: one fails)",
    "≥",
    0.0,
    f"(Finetune efficacy ≤ {FINETUNE_FORGETS}, Goal efficacy ≥ {GOAL_FORGETS}, Goal retain and scope "
    f"≥ Finetune's − {GOAL_KEEPS_SLACK}, each target)",
)
def calibration(t: Tables) -> Outcome:
    margins = {name: margin for name, (_, margin) in calibration_margins(t).items()}
    failed = [f"{name} (by {-margin:.2f})" for name, margin in margins.items() if margin < 0]
    closest = min(margins, key=margins.__getitem__)
    detail = "failed: " + "; ".join(failed) if failed else f"all met; closest: {closest}"
    return Outcome(margins[closest], not failed, detail)


def calibration_margins(t: Tables) -> dict[str, tuple[str, float]]:
    """Each condition of the calibration gate, by name: the quantity it checks and its margin
    (negative: it fails). Per forgotten target ``k``: Finetune's efficacy at most
    :data:`FINETUNE_FORGETS`, the Goal's at least ``GOAL_FORGETS``, and the Goal's Retain of
    ``k`` and Scope of the other concept at least Finetune's minus :data:`GOAL_KEEPS_SLACK`."""
    margins = {}
    for k in KINDS:
        efficacy, retain, scope = f"{k}_efficacy", f"{k}_retain", f"{OTHER_KIND[k]}_scope"
        read = t.efficacy_metric(k)
        margins[f"Finetune {efficacy}"] = (efficacy, _rounded(FINETUNE_FORGETS - t(FINETUNE, k, read)))
        margins[f"Goal {efficacy}"] = (efficacy, _rounded(t(GOAL, k, read) - GOAL_FORGETS))
        for metric in (retain, scope):
            margins[f"Goal {metric} when {k} forgotten"] = (
                metric,
                _rounded(t(GOAL, k, metric) - t(FINETUNE, k, metric) + GOAL_KEEPS_SLACK),
            )
    return margins


def blocking_conditions(replicates: Sequence[Tables]) -> dict[str, tuple[str, str]]:
    """The calibration conditions that are not reproduced over ``replicates`` (each replicate's
    tables): their :data:`CONFIDENCE` interval does not lie wholly at or above 0. By name: the
    quantity each checks and its verdict. Each blocks only the claims that read that quantity."""
    per_replicate = [calibration_margins(t) for t in replicates]
    failing = {}
    for name, (metric, _) in (per_replicate[0] if per_replicate else {}).items():
        _, low, high = replicate_interval([margins[name][1] for margins in per_replicate])
        verdict = interval_verdict(CLAIMS["0"], low, high)
        if verdict != REPRODUCED:
            failing[name] = (metric, verdict)
    return failing


@claim(
    "1a",
    "No method gets near the Goal on forgetting and keeping at once",
    "best min(efficacy, retain) relative to the Goal, worse target",
    "<",
    GOAL_CORNER,
    "for both targets",
    reads=("person_efficacy", "event_efficacy", "person_retain", "event_retain"),
)
def nobody_reaches_the_goal(t: Tables) -> Outcome | None:
    if not t.methods:
        return None
    best = {}
    for k in KINDS:
        corner = {
            m: min(
                t(m, k, t.efficacy_metric(k)) / t(GOAL, k, t.efficacy_metric(k)),
                t(m, k, f"{k}_retain") / t(GOAL, k, f"{k}_retain"),
            )
            for m in t.methods
        }
        best[k] = max(corner.items(), key=lambda item: item[1])
    value = _rounded(max(score for _, score in best.values()))
    return Outcome(value, value < GOAL_CORNER, "; ".join(f"{k}: {m} {s:.2f}" for k, (m, s) in best.items()))


@claim(
    "1b",
    "Persons are over-forgotten: most methods forget them fully and lose most of the other persons",
    f"share of methods with person efficacy ≥ {OVER_FORGET_EFFICACY} and retain ≤ half the Goal's",
    ">",
    0.5,
    reads=("person_efficacy", "person_retain"),
)
def persons_over_forgotten(t: Tables) -> Outcome | None:
    if not t.methods:
        return None
    goal_retain = t(GOAL, "person", "person_retain")
    over = [
        m
        for m in t.methods
        if t(m, "person", t.efficacy_metric("person")) >= OVER_FORGET_EFFICACY
        and t(m, "person", "person_retain") <= goal_retain / 2
    ]
    share = len(over) / len(t.methods)
    return Outcome(share, share > 0.5, f"{', '.join(over) or 'none'} of {len(t.methods)} methods")


@claim(
    "2a",
    "Forgetting one concept lowers the other on the same images (Scope drops)",
    "mean Scope change vs Finetune over methods, weaker target",
    "≤",
    -DROP,
    "for both targets",
    reads=("person_scope", "event_scope"),
)
def scope_drops(t: Tables) -> Outcome | None:
    if not t.methods:
        return None
    change = {
        k: float(
            np.mean([t(m, k, f"{OTHER_KIND[k]}_scope") - t(FINETUNE, k, f"{OTHER_KIND[k]}_scope") for m in t.methods])
        )
        for k in KINDS
    }
    value = _rounded(max(change.values()))
    return Outcome(value, value <= -DROP, "; ".join(f"{k} forgotten: {c:+.3f}" for k, c in change.items()))


@claim(
    "2b",
    "The other concept drops more on the forget images than elsewhere (interference)",
    "mean interference over methods, weaker target",
    "≤",
    -INTERFERENCE,
    "for both targets",
    reads=("person_scope", "event_scope"),
    beyond_paper=True,
)
def interference_follows_the_images(t: Tables) -> Outcome | None:
    if not t.methods or not t.has("event_elsewhere"):
        return None
    rows = interference_table(t.single)
    rows = rows[rows["method"].isin(t.methods)]
    means = rows.groupby("forgotten")["interference"].mean()
    value = _rounded(means.max())
    return Outcome(value, value <= -INTERFERENCE, "; ".join(f"{k} forgotten: {means[k]:+.3f}" for k in KINDS))


@claim(
    "3a",
    "Events are harder to forget than persons",
    "mean event efficacy − mean person efficacy",
    "≤",
    -EVENT_GAP,
    reads=("person_efficacy", "event_efficacy"),
)
def events_are_harder(t: Tables) -> Outcome | None:
    if not t.methods:
        return None
    person, event = t.efficacy("person").mean(), t.efficacy("event").mean()
    gap = _rounded(event - person)
    return Outcome(gap, gap <= -EVENT_GAP, f"person {person:.3f}, event {event:.3f}")


@claim(
    "3b",
    "The best event method stays short of the Goal while the best person method reaches it",
    f"smaller margin of: {REACHES_GOAL} − best event efficacy relative to the Goal's; best person "
    f"efficacy relative to the Goal's − {REACHES_GOAL}",
    ">",
    0.0,
    f"(best event method < {REACHES_GOAL} of the Goal's, best person method above it)",
    reads=("person_efficacy", "event_efficacy"),
)
def best_event_method_falls_short(t: Tables) -> Outcome | None:
    """One margin for both conditions, so that an interval can be read against one threshold."""
    if not t.methods:
        return None
    relative = {k: t.efficacy(k) / t(GOAL, k, t.efficacy_metric(k)) for k in KINDS}
    event, person = _rounded(relative["event"].max()), _rounded(relative["person"].max())
    margin = _rounded(min(REACHES_GOAL - event, person - REACHES_GOAL))
    detail = f"event: {relative['event'].idxmax()} {event:.2f}; person: {relative['person'].idxmax()} {person:.2f}"
    return Outcome(margin, margin > 0, detail)


@claim(
    "3c",
    "Event efficacy varies more across methods than person efficacy",
    "sd of event efficacy − sd of person efficacy, across methods",
    "≥",
    SPREAD_GAP,
    reads=("person_efficacy", "event_efficacy"),
)
def event_efficacy_varies_more(t: Tables) -> Outcome | None:
    if len(t.methods) < 2:
        return None
    person, event = float(t.efficacy("person").std()), float(t.efficacy("event").std())
    spread = _rounded(event - person)
    return Outcome(spread, spread >= SPREAD_GAP, f"sd person {person:.3f}, event {event:.3f}")


@claim(
    "4",
    "Forgetting persons and events at once lowers each one's efficacy (GD and KL)",
    "efficacy jointly − alone, smallest drop over bases and concepts",
    "≤",
    -DROP,
    "for every base and concept",
    reads=("person_efficacy", "event_efficacy"),
)
def joint_lowers_efficacy(t: Tables) -> Outcome | None:
    bases = [b for b, _ in t.bases if t.ran(b)]
    if not bases:
        return None
    drops = {(b, k): t(b, "joint", t.efficacy_metric(k)) - t(b, k, t.efficacy_metric(k)) for b in bases for k in KINDS}
    value = _rounded(max(drops.values()))
    return Outcome(value, value <= -DROP, "; ".join(f"{b} {k}: {d:+.3f}" for (b, k), d in drops.items()))


@claim(
    "5a",
    "The balanced method raises both efficacies over its base method",
    "efficacy gain over the base, smallest over bases and concepts",
    "≥",
    BALANCE_GAIN,
    "for every base and concept",
    reads=("person_efficacy", "event_efficacy"),
)
def balancing_raises_efficacy(t: Tables) -> Outcome | None:
    if not t.bases:
        return None
    gains = {
        (b, k): t(balanced, "joint", t.efficacy_metric(k)) - t(b, "joint", t.efficacy_metric(k))
        for b, balanced in t.bases
        for k in KINDS
    }
    value = _rounded(min(gains.values()))
    return Outcome(value, value >= BALANCE_GAIN, "; ".join(f"{b} {k}: {g:+.3f}" for (b, k), g in gains.items()))


@claim(
    "5b",
    "The balanced method ends above its base method's efficacy-retain curve",
    "balanced retain − the base's best retain at no less efficacy, along the joint runs (probe), "
    "smallest over bases and concepts",
    ">",
    ABOVE_CURVE,
    "for every base and concept",
    reads=("person_efficacy", "event_efficacy", "person_retain", "event_retain"),
    beyond_paper=True,
)
def balancing_beats_more_steps(t: Tables) -> Outcome | None:
    """The base method traces a curve of (efficacy, retain) as it runs; balancing is worth more than
    running the base longer or shorter only if its end point keeps more than any point of that curve
    that forgets at least as much (or, when the base never forgets as much, than its most-forgetting point)."""
    if not t.bases or t.curves is None:
        return None
    margins = {}
    for base, balanced in t.bases:
        for k in KINDS:
            curve, end = t.curve(base, k), t.curve(balanced, k)
            if curve.empty or end.empty:
                return None
            last = end.iloc[-1]
            reach = curve[curve["efficacy"] >= last["efficacy"]]
            frontier = reach["retain"].max() if len(reach) else curve.loc[curve["efficacy"].idxmax(), "retain"]
            margins[(base, k)] = float(last["retain"] - frontier)
    value = _rounded(min(margins.values()))
    return Outcome(value, value > ABOVE_CURVE, "; ".join(f"{b} {k}: {m:+.3f}" for (b, k), m in margins.items()))


@dataclass(frozen=True)
class Verdict:
    """A claim's value on the paper's tables and on the book's, its interval over the replicates,
    the replicates it holds in, and the verdict."""

    key: str
    statement: str
    measure: str
    threshold: str
    beyond_paper: bool
    paper: float
    paper_holds: bool | None
    #: The paper's value beyond the threshold, on the side the claim holds (:meth:`Claim.margin`):
    #: the effect a definite verdict must be able to see.
    paper_margin: float
    #: The mean of the claim's value over the replicates, and its :data:`CONFIDENCE` interval.
    ours: float
    low: float
    high: float
    #: The interval's half-width: the smallest distance from the threshold these replicates can call
    #: definite (NaN: a single replicate, which cannot call anything definite).
    definite: float
    held: int
    replicates: int
    verdict: str
    why: str
    #: The calibration conditions on quantities the claim reads that are not reproduced, each with
    #: its verdict ("" when none blocks it).
    blocked_by: str = ""


def replicate_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    r"""The mean of ``values`` (one per independent replicate) and its two-sided ``confidence``
    interval, Student's t with ``n - 1`` degrees of freedom:

    .. math:: \bar v \pm t_{(1 + \gamma)/2,\, n-1}\, s / \sqrt{n}

    as ``(mean, low, high)``; with fewer than two values the interval is unbounded."""
    n = len(values)
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(np.mean(values))
    if n < 2:
        return mean, -math.inf, math.inf
    half = interval_factor(n, confidence) * float(np.std(values, ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half


def interval_factor(replicates: int, confidence: float = CONFIDENCE) -> float:
    """Student's t quantile that a ``confidence`` interval over ``replicates`` values multiplies
    ``s / sqrt(n)`` by (NaN for fewer than two)."""
    return float(stats.t.ppf((1 + confidence) / 2, replicates - 1)) if replicates > 1 else float("nan")


def interval_verdict(item: Claim, low: float, high: float) -> str:
    """Reproduced when the whole interval lies where ``item`` holds, contradicted when it lies wholly
    on the other side, inconclusive when it straddles the threshold."""
    if item.holds_at(low) and item.holds_at(high):
        return REPRODUCED
    if not item.holds_at(low) and not item.holds_at(high):
        return CONTRADICTED
    return INCONCLUSIVE


def paper_tables() -> Tables:
    """The paper's Tables 1 and 2, with its six methods and its two joint bases."""
    return Tables(paper.table1(), paper.table2(), PAPER_METHODS, _pairs(("gd", "kl")))


def _pairs(bases: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple((LABELS[b], balanced_label(b)) for b in bases)


def book_tables(
    single: pd.DataFrame,
    joint: pd.DataFrame,
    setting: Setting,
    curves: pd.DataFrame | None = None,
    reading: str = "",
) -> list[Tables]:
    """The book's tables from the long results of the one-concept and joint grids of ``setting``
    (:func:`pebench.study.run_grid`) and the joint runs' probe curves (:func:`pebench.study.run_curves`,
    optional), read with efficacy ``reading``: first the means over all runs, then each replicate's own."""
    methods = tuple(LABELS[m] for m in setting.methods if LABELS[m] in PAPER_METHODS)
    bases = _pairs(setting.joint_bases)
    replicate = ["base_seed", "seed"]

    def of(runs: pd.DataFrame, key: tuple | None = None) -> pd.DataFrame:
        if key is not None:
            runs = runs[(runs[replicate] == pd.Series(key, index=replicate)).all(axis=1)]
        return runs

    def mean_curves(key: tuple | None = None) -> pd.DataFrame | None:
        if curves is None:
            return None
        return of(curves, key).groupby(["method", "metric", "step"], as_index=False)["value"].mean()

    tables = [Tables(summarize(single), summarize(joint), methods, bases, mean_curves(), reading)]
    for key, runs in single.groupby(replicate, sort=True):
        tables.append(Tables(summarize(runs), summarize(of(joint, key)), methods, bases, mean_curves(key), reading))
    return tables


def check_claim(item: Claim, paper: Tables, ours: Sequence[Tables], *, blocked: Sequence[str] = ()) -> Verdict:
    """``item`` on the paper's tables and on the book's (``ours``: means first, then each replicate);
    not testable where ``blocked`` names calibration conditions that block it."""
    on_paper = None if item.beyond_paper else item.test(paper)
    mean, *replicates = (item.test(tables) for tables in ours)
    values = [o.value for o in replicates if o is not None]
    held = sum(o.holds for o in replicates if o is not None)
    # Where a replicate disagrees with the mean, its own numbers say why.
    dissent = [f"run {i}: {o.detail}" for i, o in enumerate(replicates, 1) if o and mean and o.holds != mean.holds]
    centre, low, high = replicate_interval(values)
    verdict = NOT_TESTABLE if mean is None or blocked or not values else interval_verdict(item, low, high)
    nan = float("nan")
    return Verdict(
        item.key,
        item.statement,
        item.measure,
        item.threshold,
        item.beyond_paper,
        on_paper.value if on_paper else nan,
        on_paper.holds if on_paper else None,
        item.margin(on_paper.value) if on_paper else nan,
        centre,
        low,
        high,
        (high - low) / 2 if len(values) > 1 else nan,
        held,
        len(values),
        verdict,
        "; ".join([mean.detail, *dissent]) if mean else "the methods or metrics it needs are not in this run",
        "; ".join(blocked),
    )


def paper_findings(
    single: pd.DataFrame,
    joint: pd.DataFrame,
    setting: Setting,
    curves: pd.DataFrame | None = None,
    *,
    levels: pd.DataFrame | None = None,
    reading: str = VERDICT_READING,
) -> list[Verdict]:
    """Every claim, tested on the paper's tables and on the long results of the one-concept
    (``single``) and joint (``joint``) grids of ``setting``, with the joint runs' probe ``curves``
    (claim 5b is not testable without them), efficacy read as ``reading`` (:data:`READINGS`; the
    chance scale needs the scorers' chance ``levels``, :func:`pebench.metrics.chance.chance_levels`).
    The calibration gate comes first; each of its conditions that is not reproduced blocks the
    claims that read its quantity (they are reported as not testable, with the condition that
    blocks them)."""
    single, joint, curves = _readable(single, joint, curves, levels, reading)
    paper, ours = paper_tables(), book_tables(single, joint, setting, curves, reading)
    failing = blocking_conditions(ours[1:])
    return [check_claim(CLAIMS["0"], paper, ours)] + [
        check_claim(item, paper, ours, blocked=_blocking(item, failing)) for key, item in CLAIMS.items() if key != "0"
    ]


def _readable(
    single: pd.DataFrame,
    joint: pd.DataFrame,
    curves: pd.DataFrame | None,
    levels: pd.DataFrame | None,
    reading: str,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """The results with the efficacy ``reading`` reads: each chance-scaled with ``levels`` when it is
    the chance scale and it lacks it; an error naming the reading when it cannot have it."""
    if reading not in READINGS.values():
        raise ValueError(f"reading must be one of {tuple(READINGS.values())}, got {reading!r}")

    def read(results: pd.DataFrame) -> pd.DataFrame:
        if reading != CHANCE_READING or _has_reading(results, reading):
            return results
        if levels is None:
            raise ValueError(
                "the chance-scale reading needs the scorers' chance levels: pass levels=chance_levels(dataset)"
            )
        return chance_scaled(results, levels)

    return read(single), read(joint), None if curves is None else read(curves)


def _has_reading(results: pd.DataFrame, reading: str) -> bool:
    """Whether long ``results`` hold the efficacy that ``reading`` reads."""
    return bool((results["metric"] == f"person_efficacy{reading}").any())


def _blocking(item: Claim, failing: dict[str, tuple[str, str]]) -> list[str]:
    """The failing calibration conditions on quantities ``item`` reads, as ``"name (verdict)"``."""
    return [f"{name} ({verdict})" for name, (metric, verdict) in failing.items() if metric in item.reads]


def reading_table(
    single: pd.DataFrame,
    joint: pd.DataFrame,
    setting: Setting,
    *,
    levels: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Claims :data:`READING_CLAIMS` on the book's runs under each of :data:`READINGS` (columns
    ``claim``, ``reading``, ``ours``, ``low``, ``high``, ``held``, ``verdict``); a reading whose
    metric the runs lack (``_goal`` without the retrain oracle) is left out. Under each reading its
    own calibration gate blocks claims, as in :func:`paper_findings`."""
    paper = paper_tables()
    rows = []
    for label, reading in READINGS.items():
        if reading == CHANCE_READING and levels is None and not _has_reading(single, reading):
            continue
        scored, joined, _ = _readable(single, joint, None, levels, reading)
        if not _has_reading(scored, reading):
            continue
        ours = book_tables(scored, joined, setting, reading=reading)
        failing = blocking_conditions(ours[1:])
        for key in READING_CLAIMS:
            blocked = _blocking(CLAIMS[key], failing) if key != "0" else []
            v = check_claim(CLAIMS[key], paper, ours, blocked=blocked)
            rows.append((key, label, v.ours, v.low, v.high, f"{v.held} of {v.replicates}", v.verdict))
    return pd.DataFrame(rows, columns=["claim", "reading", "ours", "low", "high", "held", "verdict"])


#: The claims on joint runs, whose value the joint budget changes (:func:`joint_budget_table`).
JOINT_CLAIMS = ("4", "5a")


def joint_budget_table(
    single: pd.DataFrame,
    joints: dict[str, pd.DataFrame],
    setting: Setting,
    *,
    levels: pd.DataFrame | None = None,
    reading: str = VERDICT_READING,
) -> pd.DataFrame:
    """Claims :data:`JOINT_CLAIMS` with the joint runs of each budget in ``joints`` (by label:
    ``"equal exposure"``, the verdicts', and ``"equal steps"``, where each concept sees about half
    its forget examples: dilution; :meth:`pebench.setting.Setting.grid`), read as the verdicts read
    efficacy (columns ``claim``, ``joint budget``, ``ours``, ``low``, ``high``, ``held``, ``verdict``)."""
    rows = []
    for budget, joint in joints.items():
        for v in paper_findings(single, joint, setting, levels=levels, reading=reading):
            if v.key in JOINT_CLAIMS:
                rows.append((v.key, budget, v.ours, v.low, v.high, f"{v.held} of {v.replicates}", v.verdict))
    return pd.DataFrame(rows, columns=["claim", "joint budget", "ours", "low", "high", "held", "verdict"])


def verdict_table(verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """The verdicts as a table, one row per claim. The replicates a claim holds in are written as
    text (``"2 of 3"``): a rerun reports a changed count, and fails only on a reversed verdict
    (:mod:`pebench_book.verify`)."""
    table = pd.DataFrame([asdict(v) for v in verdicts]).set_index("key")
    table["held"] = [f"{v.held} of {v.replicates}" for v in verdicts]
    table["paper_holds"] = table["paper_holds"].map({True: "yes", False: "no", None: "—"})
    return table.drop(columns="replicates")
