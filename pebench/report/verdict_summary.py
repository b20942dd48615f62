"""The verdicts as the verdict chapter shows them: one row per claim, each number with its source."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from pebench.verdicts import CONFIDENCE, Verdict


def _number(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:+.3f}" if value < 0 else f"{value:.3f}"


def verdict_summary(verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """Claim, its value on the paper's tables, the mean of the book's runs with its interval and
    the smallest distance from the threshold that interval can call definite beside the paper's own
    distance from it (its margin: the effect size a definite verdict has to resolve), the runs it holds in,
    the threshold, and the verdict with the calibration conditions that block it (numbers as text,
    for display)."""
    rows = [
        {
            "claim": f"{v.key}. {v.statement}" + (" (beyond the paper)" if v.beyond_paper else ""),
            "measure": v.measure,
            "paper": _number(v.paper),
            f"this book [{CONFIDENCE:.0%} interval]": _number(v.ours)
            + (f" [{_number(v.low)} to {_number(v.high)}]" if v.replicates > 1 else ""),
            "definite from": f"± {v.definite:.3f}" if v.replicates > 1 else "—",
            "paper's margin": _number(v.paper_margin),
            "holds in": f"{v.held} of {v.replicates}",
            "threshold": v.threshold,
            "verdict": v.verdict + (f", blocked by {v.blocked_by}" if v.blocked_by else ""),
        }
        for v in verdicts
    ]
    return pd.DataFrame(rows).set_index("claim")


def verdict_box(verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """The results box chapter 8 opens with: each claim's value on the paper's tables, this book's
    mean with its interval, and the verdict with what blocks it (columns of :func:`verdict_summary`)."""
    summary = verdict_summary(verdicts)
    return summary[[column for column in summary.columns if column in ("paper", "verdict") or "interval" in column]]
