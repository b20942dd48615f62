"""pebench.performance reads benchmark results and states each target as met, missed or missing."""

from __future__ import annotations

import json
from pathlib import Path

from pebench import performance
from pebench.paths import find_repo_root


def write(folder: Path, name: str, data: dict) -> None:
    (folder / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")


def test_missing_results_are_reported_not_skipped(tmp_path: Path) -> None:
    rows = performance.headlines(tmp_path)
    assert rows and all(row.met is None and row.value == "not measured" for row in rows)


def test_targets_are_judged_from_the_numbers(tmp_path: Path) -> None:
    write(tmp_path, "trainer_comparison", {"target_speedup": 2.0, "summary": {
        "finetune": {"speedup_vs_trainer": 2.5}, "gd": {"speedup_vs_trainer": 1.1, "ceiling_vs_trainer": 1.25}}})
    write(tmp_path, "eval_batching", {"speedup": 6.0, "target_speedup": 5.0, "identical_predictions": False})
    write(tmp_path, "chapter_times", {"chapters": {"01_a.ipynb": 100.0}, "total_seconds": 1500.0})
    trainer = {row.measure.split(":")[0]: row.met for row in performance.trainer_headlines(tmp_path)}
    assert trainer == {"finetune": True, "gd": False}
    assert [row.value for row in performance.trainer_headlines(tmp_path)] == ["2.50×", "1.10× (any loop: at most 1.25×)"]
    assert performance.evaluation_headline(tmp_path).met is False  # fast, but the answers changed
    book = performance.book_headline(tmp_path)
    assert book.met is False and book.value == "25.0 min"


def test_committed_results_are_all_readable() -> None:
    folder = find_repo_root() / "benchmarks" / "results"
    rows = performance.headlines(folder)
    assert [row.source for row in rows if row.met is None] == []
