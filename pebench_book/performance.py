"""The performance targets of the project, read from the committed benchmark results.

The scripts in ``benchmarks/`` measure; this module only reads what they wrote
(``benchmarks/results/*.json``) and states each target next to the measured value, so that the
book's "Reproduce it" page shows the numbers of the last benchmark run, never typed ones. A result
file that is missing is reported as not measured rather than skipped silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

#: The whole book, cold cache, default parameters, 2 cores: the project's budget (aim: 30 minutes).
BOOK_BUDGET_SECONDS = 45 * 60
#: ``make test`` on 2 cores, by the state of the cache: with an earlier run's cache on the same
#: machine, and empty (CI allows 90 minutes).
SUITE_BUDGET_SECONDS = {"warm": 10 * 60, "cold": 60 * 60}


@dataclass(frozen=True)
class Headline:
    """One target: what is measured, the measured value, the target, whether it is met."""

    measure: str
    value: str
    target: str
    met: bool | None  # None: not measured (the result file is missing)
    source: str


def _load(folder: Path, name: str) -> dict | None:
    path = folder / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _missing(measure: str, target: str, name: str) -> Headline:
    return Headline(measure, "not measured", target, None, f"benchmarks/results/{name}.json (missing)")


def trainer_headlines(folder: Path) -> list[Headline]:
    """Our training loop against a plain ``transformers.Trainer`` with the same loss, per task."""
    name = "trainer_comparison"
    data = _load(folder, name)
    if data is None:
        return [_missing("loop vs plain Trainer", "≥ 2× faster per step", name)]
    target = float(data["target_speedup"])
    return [
        Headline(
            f"{task}: our loop vs a plain Trainer (s/step)",
            f"{summary['speedup_vs_trainer']:.2f}×" + _ceiling(summary),
            f"≥ {target:g}×",
            summary["speedup_vs_trainer"] >= target,
            f"benchmarks/results/{name}.json",
        )
        for task, summary in data["summary"].items()
    ]


def _ceiling(summary: dict) -> str:
    """The most any loop could gain over the Trainer (its step time over the bare arithmetic's)."""
    ceiling = summary.get("ceiling_vs_trainer")
    return "" if ceiling is None else f" (any loop: at most {ceiling:.2f}×)"


def _speedup_headline(folder: Path, name: str, measure: str, identical_key: str, missing_target: str) -> Headline:
    """A speed-up that counts only with the same answers: ``speedup`` against ``target_speedup``,
    and ``identical_key`` true, in ``benchmarks/results/<name>.json``."""
    data = _load(folder, name)
    if data is None:
        return _missing(measure, missing_target, name)
    identical = bool(data[identical_key])
    return Headline(
        measure,
        f"{data['speedup']:.1f}× ({'identical' if identical else 'different'} answers)",
        f"≥ {data['target_speedup']:g}×, identical answers",
        data["speedup"] >= data["target_speedup"] and identical,
        f"benchmarks/results/{name}.json",
    )


def evaluation_headline(folder: Path) -> Headline:
    """Batched greedy generation against one item at a time, with identical predictions."""
    return _speedup_headline(
        folder, "eval_batching", "batched vs one-by-one evaluation", "identical_predictions", "≥ 5×, identical answers"
    )


def shared_prefix_headline(folder: Path) -> Headline:
    """One experiment's evaluation with shared image prefixes against ``model.generate``, same answers."""
    return _speedup_headline(
        folder,
        "evaluation",
        "evaluation with shared image prefixes vs generate (one experiment's questions)",
        "identical_answers",
        "≥ 2×, identical answers",
    )


def suite_headlines(folder: Path) -> list[Headline]:
    """The last recorded ``make test`` with a warm and with a cold cache (``benchmarks/suite_times.py``)."""
    name = "suite_times"
    data = _load(folder, name)
    headlines = []
    for kind, budget in SUITE_BUDGET_SECONDS.items():
        measure = f"make test, {kind} cache (every chapter re-executed)"
        target = f"≤ {budget // 60} min"
        runs = [run for run in (data or {}).get("runs", []) if run["label"].split(",")[0] == kind]
        if not runs:
            headlines.append(_missing(measure, target, name))
            continue
        last = runs[-1]
        headlines.append(
            Headline(
                measure,
                f"{last['seconds'] / 60:.1f} min ({last['label']}, {last['machine']['cpu_model']})",
                target,
                last["seconds"] <= budget and last["exit_status"] == 0,
                f"benchmarks/results/{name}.json",
            )
        )
    return headlines


def unlearning_headline(folder: Path) -> Headline:
    """The slowest unlearning method: one run plus its evaluation, against the per-run budget."""
    name = "unlearning"
    data = _load(folder, name)
    if data is None:
        return _missing("one unlearning run + evaluation", "< 60 s", name)
    slowest = max(data["rows"], key=lambda row: row["run_with_eval_s"])
    return Headline(
        "one unlearning run + evaluation (slowest method)",
        f"{slowest['run_with_eval_s']:.0f} s ({slowest['method']})",
        f"< {data['budget_seconds']:g} s",
        slowest["run_with_eval_s"] < data["budget_seconds"],
        f"benchmarks/results/{name}.json",
    )


def book_headline(folder: Path) -> Headline:
    """The last full chapter run (``pebench chapters run`` or ``pebench book``), all chapters together."""
    name = "chapter_times"
    data = _load(folder, name)
    target = f"< {BOOK_BUDGET_SECONDS // 60} min (cold cache)"
    if data is None:
        return _missing("executing every chapter", target, name)
    total = float(data["total_seconds"])
    shared = " after their shared base models" if data.get("shared_models_seconds") else ""
    return Headline(
        f"executing every chapter ({len(data['chapters'])} chapters{shared})",
        f"{total / 60:.1f} min",
        target,
        total < BOOK_BUDGET_SECONDS,
        f"benchmarks/results/{name}.json",
    )


def scaling_headline(folder: Path) -> Headline:
    """How the pipeline's cost grows with the dataset (persons × events): the fitted trend."""
    name = "scaling"
    data = _load(folder, name)
    if data is None:
        return _missing("cost vs dataset size", "trend recorded (≥ 3 sizes)", name)
    fit = data["fits"]["book_pipeline_plus_experiment_s"]
    sizes = ", ".join(f"{row['persons']}×{row['events']}" for row in data["rows"])
    return Headline(
        "pipeline + one experiment vs dataset size",
        f"{fit['intercept_s']:.0f} s + {fit['slope_s_per_qa'] * 1000:.1f} s per 1,000 QA items "
        f"(R² {fit['r2']:.2f}; sizes {sizes})",
        "trend recorded (≥ 3 sizes)",
        len(data["rows"]) >= 3,
        f"benchmarks/results/{name}.json",
    )


def headlines(folder: Path) -> list[Headline]:
    """Every target the benchmark scripts measure, in the order the book shows them (the test
    suite's own times, :func:`suite_headlines`, are recorded after the suite has run, so the suite
    cannot require them)."""
    return [
        book_headline(folder),
        unlearning_headline(folder),
        shared_prefix_headline(folder),
        *trainer_headlines(folder),
        evaluation_headline(folder),
        scaling_headline(folder),
    ]


@dataclass(frozen=True)
class GpuSmoke:
    """The last ``benchmarks/gpu_smoke.py`` run: where it ran, and one row per (variant, method)."""

    environment: str
    seconds: dict[str, float]
    peak_memory_mib: dict[str, float]
    columns: list[str]
    rows: list[list[str]]


def gpu_smoke(folder: Path) -> GpuSmoke | None:
    """The recipe's end-to-end GPU run as a table, or ``None`` if it has not been run."""
    data = _load(folder, "gpu_smoke")
    if data is None:
        return None
    env = data["environment"]
    where = (
        f"{env['gpu']}, torch {env['torch']}, transformers {env['transformers']}, commit {env['commit']}, {env['date']}"
    )
    columns = list(dict.fromkeys(key for row in data["rows"] for key in row))
    rows = [[_cell(row.get(column, "")) for column in columns] for row in data["rows"]]
    return GpuSmoke(where, data["total_s"], data["peak_gpu_memory_mib"], columns, rows)


def _cell(value: object) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class GpuEstimate:
    """``benchmarks/gpu_estimate.py``'s projection: its checks on the tiny model and the table."""

    #: (method, measured step time over GA's, the FLOP count's ratio by sequences, by tokens) on the
    #: tiny model (the ratio by tokens is ``None`` in results that did not count tokens)
    step_checks: list[tuple[str, float, float, float | None]]
    formula_mib: tuple[float, float]  # the memory formula at the tiny model's sizes, min and max
    measured_mib: tuple[float, float]  # the measured peak RSS increase, min and max
    calibration: float
    rows: list[list[str]]  # cells under ``GPU_ESTIMATE_COLUMNS``


GPU_ESTIMATE_COLUMNS = (
    "method",
    "GPUs",
    "sequences/step (grad + ref)",
    "TFLOP/step",
    "s/step",
    "s per run",
    "GB/GPU formula",
    "GB/GPU calibrated",
    "… with copied reference",
)


def gpu_estimate(folder: Path, labels: dict[str, str]) -> GpuEstimate | None:
    """The estimate as the GPU page shows it (methods with the same cost share a row), or ``None``."""
    data = _load(folder, "gpu_estimate")
    if data is None:
        return None
    checks = data["checks"]
    groups: dict[tuple, list[dict]] = {}
    for row in data["rows"]:
        groups.setdefault((row["gpus"], row["grad_seq/step"], row["nograd_seq/step"]), []).append(row)
    rows = []
    for (gpus, grad, nograd), members in sorted(groups.items()):
        row = members[0]
        methods = sorted((labels.get(m["method"], m["method"]) for m in members), key=str.lower)
        rows.append(
            [
                ", ".join(methods),
                str(gpus),
                f"{grad:.0f} + {nograd:.0f}",
                f"{row['TFLOP/step']:,.0f}",
                f"{row['s/step']:.2g}",
                f"{row['run_s (40 steps)']:.0f}",
                f"{row['GB/GPU formula']:.1f}",
                f"{row['GB/GPU calibrated']:.1f}",
                f"{row['GB/GPU calibrated, copied ref']:.1f}",
            ]
        )
    formula = [c["tiny_formula_mib"] for c in checks]
    measured = [c["tiny_rss_increase_mib_measured"] for c in checks]
    return GpuEstimate(
        step_checks=[
            (c["method"], c["measured_step_vs_ga"], c["flop_model_step_vs_ga"], c.get("token_model_step_vs_ga"))
            for c in checks
            if c["method"] != "ga"
        ],
        formula_mib=(min(formula), max(formula)),
        measured_mib=(min(measured), max(measured)),
        calibration=float(data["derived"]["memory_calibration_factor"]),
        rows=rows,
    )
