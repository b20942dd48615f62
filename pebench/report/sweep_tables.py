"""A sweep's frame as tables and as the plain numbers that prose quotes.

:func:`pebench.report.runs.run_sweep` returns one long frame; a reader wants one table per swept
setting (:func:`sweep_table`), and prose that states a number should read it from the results, not
retype it (:func:`sweep_highlights`, keyed so that MyST glue roles can use the keys).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pebench.report.measures import MEASURES


def sweep_table(frame: pd.DataFrame, sweep: str) -> pd.DataFrame:
    """One sweep as a wide table: rows (target, method, setting value), columns the measures."""
    part = frame[frame["sweep"] == sweep]
    if part.empty:
        raise ValueError(f"no rows for sweep {sweep!r}")
    table = part.pivot_table(index=["target", "method", "x"], columns="measure", values="value", sort=False)
    table = table[[m for m in MEASURES if m in table.columns]]
    table.index = table.index.set_names(["target", "method", sweep])
    table.columns.name = None
    return table


def sweep_highlights(
    frame: pd.DataFrame,
    *,
    keep_level: float = 0.5,
    measures: Sequence[str] = ("efficacy", "generality", "retain", "scope", "real"),
) -> dict[str, float | int | str]:
    """Plain Python numbers (and strings) for a chapter's prose, keyed ``{sweep}_{target}_{method_id}_{what}``.

    For every curve: ``lo_x`` / ``hi_x`` (the smallest / largest swept value), ``lo_{m}`` / ``hi_{m}``
    (measure ``m`` there), ``lo_n`` / ``hi_n`` (persons or events forgotten there), ``min_retain``
    and ``min_retain_x`` (the lowest retain and where), ``retain_below`` / ``retain_above`` (the
    smallest swept value whose retain is under / at least ``keep_level``, as text, or
    ``"none of the swept values"``).
    Keys hold no dots, so they can be used in MyST glue roles.
    """
    values: dict[str, float | int | str] = {}
    for (sweep, target, method_id), part in frame.groupby(["sweep", "target", "method_id"], sort=False):
        prefix = f"{sweep}_{target}_{method_id}"
        wide = part.pivot_table(index="x", columns="measure", values="value").sort_index()
        counts = part.groupby("x")["forgotten"].first()
        for end, x in (("lo", wide.index.min()), ("hi", wide.index.max())):
            values[f"{prefix}_{end}_x"] = float(x)
            values[f"{prefix}_{end}_n"] = int(counts[x])
            values.update({f"{prefix}_{end}_{m}": float(wide.loc[x, m]) for m in measures})
        values[f"{prefix}_min_retain"] = float(wide["retain"].min())
        values[f"{prefix}_min_retain_x"] = float(wide["retain"].idxmin())
        below = wide.index[wide["retain"] < keep_level]
        values[f"{prefix}_retain_below"] = f"{below.min():g}" if len(below) else "none of the swept values"
        above = wide.index[wide["retain"] >= keep_level]
        values[f"{prefix}_retain_above"] = f"{above.min():g}" if len(above) else "none of the swept values"
    return values


def forget_sizes(frame: pd.DataFrame) -> pd.DataFrame:
    """How many persons (events) each forget ratio of the forget-size sweep forgets, per target."""
    part = frame[frame["sweep"] == "forget_ratio"]
    sizes = part.groupby(["target", "x"])["forgotten"].first().unstack("target")
    return sizes.rename_axis("forget ratio").rename(columns=lambda target: f"{target}s forgotten")


def present_panels(frame: pd.DataFrame, sweeps: Sequence[str], targets: Sequence[str]) -> list[tuple[str, str]]:
    """The ``(sweep, target)`` panels of ``sweeps`` on ``targets`` that ``frame`` holds (a sweep
    given no values has no rows, and no panel)."""
    held = set(frame["sweep"])
    return [(sweep, target) for target in targets for sweep in sweeps if sweep in held]
