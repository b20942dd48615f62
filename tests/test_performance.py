"""pebench_book.performance reads benchmark results and states each target as met, missed or missing."""

from __future__ import annotations

import json
from pathlib import Path

from pebench.paths import find_repo_root
from pebench_book import performance


def write(folder: Path, name: str, data: dict) -> None:
    (folder / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")


def test_missing_results_are_reported_not_skipped(tmp_path: Path) -> None:
    rows = performance.headlines(tmp_path) + performance.suite_headlines(tmp_path)
    assert rows and all(row.met is None and row.value == "not measured" for row in rows)


def test_targets_are_judged_from_the_numbers(tmp_path: Path) -> None:
    write(
        tmp_path,
        "trainer_comparison",
        {
            "target_speedup": 2.0,
            "summary": {
                "finetune": {"speedup_vs_trainer": 2.5},
                "gd": {"speedup_vs_trainer": 1.1, "ceiling_vs_trainer": 1.25},
            },
        },
    )
    write(tmp_path, "eval_batching", {"speedup": 6.0, "target_speedup": 5.0, "identical_predictions": False})
    write(tmp_path, "chapter_times", {"chapters": {"01_a.ipynb": 100.0}, "total_seconds": 2760.0})
    trainer = {row.measure.split(":")[0]: row.met for row in performance.trainer_headlines(tmp_path)}
    assert trainer == {"finetune": True, "gd": False}
    assert [row.value for row in performance.trainer_headlines(tmp_path)] == [
        "2.50×",
        "1.10× (any loop: at most 1.25×)",
    ]
    assert performance.evaluation_headline(tmp_path).met is False  # fast, but the answers changed
    book = performance.book_headline(tmp_path)
    assert book.met is False and book.value == "46.0 min" and book.target == "< 45 min (cold cache)"
    write(tmp_path, "chapter_times", {"chapters": {"01_a.ipynb": 100.0}, "total_seconds": 2640.0})
    assert performance.book_headline(tmp_path).met is True


def test_suite_budgets_read_the_last_run_of_each_kind(tmp_path: Path) -> None:
    machine = {"cpu_model": "AMD EPYC"}
    runs = [
        {"label": "warm", "seconds": 700.0, "exit_status": 0, "machine": machine},
        {"label": "warm, second clone", "seconds": 540.0, "exit_status": 0, "machine": machine},
        {"label": "cold", "seconds": 3540.0, "exit_status": 1, "machine": machine},
    ]
    write(tmp_path, "suite_times", {"runs": runs})
    warm, cold = performance.suite_headlines(tmp_path)
    assert (warm.met, warm.value, warm.target) == (True, "9.0 min (warm, second clone, AMD EPYC)", "≤ 10 min")
    assert cold.met is False and cold.target == "≤ 60 min"  # in time, but the suite failed
    write(tmp_path, "evaluation", {"speedup": 2.4, "target_speedup": 2.0, "identical_answers": True})
    assert performance.shared_prefix_headline(tmp_path).value == "2.4× (identical answers)"


def test_committed_results_are_all_readable() -> None:
    folder = find_repo_root() / "benchmarks" / "results"
    rows = performance.headlines(folder)
    assert [row.source for row in rows if row.met is None] == []
    performance.suite_headlines(folder)  # recorded after a suite has run: readable, not required


def test_gpu_estimate_groups_methods_of_equal_cost(tmp_path: Path) -> None:
    assert performance.gpu_estimate(tmp_path, {}) is None

    def row(method: str, gpus: int, grad: float, ref: float) -> dict:
        return {
            "method": method,
            "gpus": gpus,
            "grad_seq/step": grad,
            "nograd_seq/step": ref,
            "TFLOP/step": 1630.3,
            "s/step": 0.515,
            "run_s (40 steps)": 20.6,
            "GB/GPU formula": 22.12,
            "GB/GPU calibrated": 25.44,
            "GB/GPU calibrated, copied ref": 25.44,
        }

    checks = [
        {
            "method": m,
            "measured_step_vs_ga": r,
            "flop_model_step_vs_ga": 2.0,
            "tiny_formula_mib": f,
            "tiny_rss_increase_mib_measured": 1.5 * f,
        }
        for m, r, f in (("ga", 1.0, 60), ("gd", 2.2, 95))
    ]
    write(
        tmp_path,
        "gpu_estimate",
        {
            "derived": {"memory_calibration_factor": 1.5},
            "checks": checks,
            "rows": [row("gd", 8, 64, 0), row("ga", 1, 32, 0), row("po", 8, 64, 0)],
        },
    )
    estimate = performance.gpu_estimate(tmp_path, {"gd": "GD", "po": "PO"})
    assert [r[:3] for r in estimate.rows] == [["ga", "1", "32 + 0"], ["GD, PO", "8", "64 + 0"]]
    assert estimate.rows[1][3:] == ["1,630", "0.52", "21", "22.1", "25.4", "25.4"]
    assert estimate.step_checks == [("gd", 2.2, 2.0, None)]  # GA against itself says nothing
    checks[1]["token_model_step_vs_ga"] = 2.15  # results that counted tokens too
    write(tmp_path, "gpu_estimate", {"derived": {"memory_calibration_factor": 1.5}, "checks": checks, "rows": []})
    assert performance.gpu_estimate(tmp_path, {}).step_checks == [("gd", 2.2, 2.0, 2.15)]
    assert estimate.formula_mib == (60, 95) and estimate.measured_mib == (90, 142.5)
    assert performance.gpu_estimate(find_repo_root() / "benchmarks" / "results", {}) is not None
