"""The stage profile of a full book run: where every second of a cold ``make book`` goes.

A full run at default parameters (``pebench book``, ``pebench chapters run``) profiles every process
that works for it (:mod:`pebench.profiling`): the shared base models first, then each chapter's
kernel and the worker processes it starts, then the site build. This module turns their records
into ``benchmarks/results/book_profile.json``, which the *Reproduce it* page shows
(:func:`profile_rows`).

Two clocks: a context's *wall* seconds (the shared models, a chapter, the site build) add up to the
book's time; a stage's *core* seconds add up its time over the processes that ran it, two at a time
on two cores, so they add up to about twice the wall time of the parallel parts. A chapter's *own
work* is its wall time less what its kernel spent in library stages (including waiting for its
workers): starting the kernel, reading results back, building tables and drawing figures.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pebench import profiling
from pebench.cache import atomic_write_json, read_json

#: The context of the base models every chapter shares, trained before the first chapter.
SHARED_MODELS = "shared models"
#: The context of building the website from the executed chapters.
SITE_BUILD = "site build"
#: A chapter's time outside the library's stages (see the module's docstring).
OWN_WORK = "chapter's own work (kernel, tables, figures)"


def read_records(folder: Path) -> list[dict[str, Any]]:
    """Every stage record the processes wrote into ``folder``."""
    records = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(json.loads(line))
    return records


def book_profile(records: list[dict[str, Any]], wall_seconds: Mapping[str, float]) -> dict[str, Any]:
    """The profile of a run whose contexts took ``wall_seconds`` (in order) and whose processes
    wrote ``records``: per context its wall seconds and the core seconds of each stage, and per
    chapter its own work."""
    stages: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    main: dict[str, float] = defaultdict(float)
    for record in records:
        stages[record["context"]][record["stage"]] += record["seconds"]
        if record["role"] == profiling.MAIN_ROLE:
            main[record["context"]] += record["seconds"]
    contexts = {}
    for name, wall in wall_seconds.items():
        measured = {stage: round(seconds, 1) for stage, seconds in sorted(stages.get(name, {}).items())}
        if name.endswith(".ipynb"):
            measured[OWN_WORK] = round(max(0.0, wall - main.get(name, 0.0)), 1)
        contexts[name] = {"wall_seconds": round(wall, 1), "core_seconds": measured}
    return {
        "what": (
            "Where the seconds of a cold full book run went: each context's wall-clock seconds (they add up "
            "to the run), and the core-seconds of each library stage in it, summed over the processes that "
            "ran it (pebench.profiling, pebench_book.profile)"
        ),
        # A list: the record is written with sorted keys, and the stages keep the pipeline's order.
        "stages": [
            {"stage": name, "what": what}
            for name, what in {**profiling.STAGES, OWN_WORK: "a chapter's wall time outside library stages"}.items()
        ],
        "contexts": contexts,
        "total_wall_seconds": round(sum(wall_seconds.values()), 1),
        "machine": machine(),
        "cache": "cold" if stages.get(SHARED_MODELS) else "warm (the shared models were in the cache)",
    }


def machine(checkout: Path | None = None) -> dict[str, Any]:
    """What the record was measured on: the CPU, its cores, the numerics fingerprint, the commit of
    ``checkout`` (default: this one), the date."""
    from pebench import numerics

    return {
        **numerics.cpu_description(),
        "cpu_count": os.cpu_count(),
        "numerics_mode": numerics.mode(),
        "fingerprint": numerics.fingerprint(),
        "commit": _commit(checkout or Path(__file__).parent),
        "date": datetime.date.today().isoformat(),
    }


def _commit(checkout: Path) -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, cwd=checkout
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def add_site_build(path: Path, seconds: float) -> None:
    """Add the site build's seconds to the profile at ``path`` (written by the chapters' run)."""
    record = read_json(path)
    record["contexts"][SITE_BUILD] = {"wall_seconds": round(seconds, 1), "core_seconds": {}}
    record["total_wall_seconds"] = round(sum(c["wall_seconds"] for c in record["contexts"].values()), 1)
    atomic_write_json(path, record)


def profile_path(times: Path) -> Path:
    """Where a full run records its profile: beside its chapter times."""
    return times.with_name("book_profile.json")


def profile_rows(record: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The profile as a table: a row per stage with its core minutes per context group and in all,
    and a last row with each group's wall-clock minutes (what the *Reproduce it* page shows).
    Waiting for workers is left out: the workers' own stages count that time."""
    contexts = record["contexts"]
    groups = {SHARED_MODELS: [SHARED_MODELS], "chapters": [c for c in contexts if c.endswith(".ipynb")]}
    columns = ["stage", "shared models (core min)", "chapters (core min)", "all (core min)", "share of all"]
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for group, members in groups.items():
        for name in members:
            for stage, seconds in contexts.get(name, {}).get("core_seconds", {}).items():
                if stage != profiling.WAITING:
                    totals[stage][group] += seconds
    everything = sum(sum(by_group.values()) for by_group in totals.values()) or 1.0
    named = [entry["stage"] for entry in record["stages"]]
    order = [*named, *sorted(set(totals) - set(named))]
    rows = []
    for stage in order:
        if stage not in totals:
            continue
        by_group = totals[stage]
        total = sum(by_group.values())
        rows.append(
            [
                stage,
                _minutes(by_group.get(SHARED_MODELS)),
                _minutes(by_group.get("chapters")),
                _minutes(total),
                f"{100 * total / everything:.0f} %",
            ]
        )
    wall = {
        group: sum(contexts.get(name, {}).get("wall_seconds", 0.0) for name in members)
        for group, members in groups.items()
    }
    site = contexts.get(SITE_BUILD, {}).get("wall_seconds")
    rows.append(
        [
            "wall clock (min)",
            _minutes(wall[SHARED_MODELS]),
            _minutes(wall["chapters"]),
            _minutes(record["total_wall_seconds"]) + (f" (site build {_minutes(site)})" if site is not None else ""),
            "",
        ]
    )
    return columns, rows


def _minutes(seconds: float | None) -> str:
    return "" if not seconds else f"{seconds / 60:.1f}"
