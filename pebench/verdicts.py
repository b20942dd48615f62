"""The paper's headline findings as computable checks, each with a measured value and a verdict.

Each check turns the result tables into one number, compares it with a stated threshold, and
returns ``reproduced``, ``partly`` or ``not at this scale`` with the reason spelled out, so the
verdict chapter never types a conclusion that the numbers do not carry. Thresholds are fixed
here, before looking at any particular run, and the book prints them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from pebench.arms import LABELS
from pebench.metrics.catalog import KINDS, table1_metrics
from pebench.setting import Setting
from pebench.study import interference_table

REPRODUCED, PARTLY, NOT_REPRODUCED = "reproduced", "partly", "not at this scale"

TABLE1_METRICS = {target: table1_metrics(target) for target in KINDS}
#: Differences smaller than this count as ties / noise (scores live in [0, 1]).
TOLERANCE = 0.02


@dataclass(frozen=True)
class Verdict:
    finding: str
    measure: str
    value: float
    threshold: str
    verdict: str
    why: str


def _means(summary: pd.DataFrame) -> pd.Series:
    return summary.set_index(["method", "target", "metric"])["mean"]


def no_method_wins_everything(summary: pd.DataFrame, methods: list[str]) -> Verdict:
    """Finding 1: every method trades efficacy against what it keeps; none is best on all columns."""
    means = _means(summary)
    winners = []
    for target, metrics in TABLE1_METRICS.items():
        for metric in metrics:
            scores = {m: means[(m, target, metric)] for m in methods}
            best = max(scores.values())
            winners.append({m for m, s in scores.items() if s >= best - TOLERANCE})
    everywhere = set(methods).intersection(*winners)
    dominant = len(everywhere)
    verdict = REPRODUCED if dominant == 0 else NOT_REPRODUCED
    why = (
        "no method is within the tolerance of the best score on all 12 Table-1 columns"
        if dominant == 0
        else f"{', '.join(sorted(everywhere))} is (tied) best on every column"
    )
    return Verdict(
        "1. Every method trades efficacy for scope; none is best on all metrics",
        "methods (tied) best on all 12 columns",
        float(dominant),
        "0 → reproduced",
        verdict,
        why,
    )


def cross_concept_interference(interference: pd.DataFrame, methods: list[str]) -> Verdict:
    """Finding 2: forgetting one concept degrades the other concept on the same images."""
    rows = interference[interference["method"].isin(methods)]
    means = rows.groupby("forgotten")["interference"].mean()
    hit = [t for t in ("person", "event") if means[t] < -TOLERANCE]
    verdict = REPRODUCED if len(hit) == 2 else PARTLY if hit else NOT_REPRODUCED
    why = (
        f"mean interference {means['person']:+.3f} when persons are forgotten, {means['event']:+.3f} "
        f"when events are forgotten (negative = the other concept drops more on the forget images than elsewhere)"
    )
    return Verdict(
        "2. Cross-concept interference",
        "mean interference, person / event forgotten",
        float(means.mean()),
        f"both < −{TOLERANCE} → reproduced; one → partly",
        verdict,
        why,
    )


def person_and_event_differ(summary: pd.DataFrame, methods: list[str]) -> Verdict:
    """Finding 3: person and event unlearning differ in difficulty (and in spread across methods)."""
    means = _means(summary)
    frames = {
        target: pd.Series({m: means[(m, target, f"{target}_efficacy")] for m in methods})
        for target in ("person", "event")
    }
    retain = {target: pd.Series({m: means[(m, target, f"{target}_retain")] for m in methods}) for target in frames}
    gap_efficacy = frames["event"].mean() - frames["person"].mean()
    gap_spread = frames["event"].std() - frames["person"].std()
    gap_retain = retain["event"].mean() - retain["person"].mean()
    largest = max(abs(gap_efficacy), abs(gap_spread), abs(gap_retain))
    verdict = REPRODUCED if largest >= 0.1 else PARTLY if largest >= 0.05 else NOT_REPRODUCED
    why = (
        f"event − person: mean efficacy {gap_efficacy:+.3f}, spread of efficacy across methods {gap_spread:+.3f}, "
        f"mean retain {gap_retain:+.3f}"
    )
    return Verdict(
        "3. Person and event unlearning differ in difficulty",
        "largest |event − person| gap",
        float(largest),
        "≥ 0.10 → reproduced; ≥ 0.05 → partly",
        verdict,
        why,
    )


def _balance_score(means: pd.Series, method: str, target: str, kinds: tuple[str, ...]) -> float:
    """Mean of forgetting (efficacy) and keeping (retain) over the forgotten kinds."""
    values = [means[(method, target, f"{kind}_{metric}")] for kind in kinds for metric in ("efficacy", "retain")]
    return float(sum(values) / len(values))


def joint_is_harder(single: pd.DataFrame, joint: pd.DataFrame, bases: list[str]) -> Verdict:
    """Finding 4: forgetting both concepts at once is harder than either alone."""
    single_means, joint_means = _means(single), _means(joint)
    drops = {}
    for base in bases:
        alone = (
            _balance_score(single_means, base, "person", ("person",))
            + _balance_score(single_means, base, "event", ("event",))
        ) / 2
        drops[base] = _balance_score(joint_means, base, "joint", ("person", "event")) - alone
    hit = [b for b, d in drops.items() if d < -TOLERANCE]
    verdict = REPRODUCED if len(hit) == len(bases) else PARTLY if hit else NOT_REPRODUCED
    why = "; ".join(f"{b}: (efficacy+retain)/2 jointly minus alone = {d:+.3f}" for b, d in drops.items())
    return Verdict(
        "4. Forgetting persons and events together is harder",
        "mean change, joint − alone",
        float(sum(drops.values()) / len(drops)),
        f"all < −{TOLERANCE} → reproduced; some → partly",
        verdict,
        why,
    )


def balancing_helps(joint: pd.DataFrame, pairs: dict[str, str]) -> Verdict:
    """Finding 5: the balanced method mitigates the conflict (better than its base on the joint task)."""
    means = _means(joint)
    gains = {
        variant: _balance_score(means, variant, "joint", ("person", "event"))
        - _balance_score(means, base, "joint", ("person", "event"))
        for base, variant in pairs.items()
    }
    hit = [v for v, g in gains.items() if g > TOLERANCE]
    verdict = REPRODUCED if len(hit) == len(gains) else PARTLY if hit else NOT_REPRODUCED
    why = "; ".join(f"{v}: (efficacy+retain)/2 gain {g:+.3f}" for v, g in gains.items())
    return Verdict(
        "5. The balanced method mitigates the conflict",
        "mean gain over the base method",
        float(sum(gains.values()) / len(gains)),
        f"all > +{TOLERANCE} → reproduced; some → partly",
        verdict,
        why,
    )


def verdict_table(verdicts: list[Verdict]) -> pd.DataFrame:
    return pd.DataFrame([asdict(v) for v in verdicts]).set_index("finding")


def paper_findings(single: pd.DataFrame, joint: pd.DataFrame, setting: Setting) -> list[Verdict]:
    """The five findings, checked on the summaries of the one-concept grid (``single``) and of the
    joint grid (``joint``) of ``setting`` (:func:`pebench.study.summarize`)."""
    names = [LABELS[m] for m in setting.methods]
    bases = [LABELS[b] for b in setting.joint_bases]
    return [
        no_method_wins_everything(single, names),
        cross_concept_interference(interference_table(single), names),
        person_and_event_differ(single, names),
        joint_is_harder(single, joint, bases),
        balancing_helps(joint, {base: f"{base} + balanced" for base in bases}),
    ]
