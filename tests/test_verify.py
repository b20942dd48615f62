"""Comparing a rerun's tables with the published ones (pebench_book.verify): both outcomes are reachable.

Runs on copies of the committed ``figures/`` with numbers perturbed by hand, so it needs no model.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import pytest

from pebench_book.chapters import list_chapters, recorded_provenance
from pebench_book.verify import FLOOR, Z, chapter_runs, compare_chapter, compare_table, other_numerics, same_numerics

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "figures"
CHAPTERS = {path.name[:2]: path for path in list_chapters(ROOT / "notebooks")}


def rerun_copy(tmp_path: Path) -> Path:
    """A stand-in for a rerun's figures folder: a copy of the published one."""
    return Path(shutil.copytree(FIGURES, tmp_path / "rerun"))


def edit(path: Path, row: int, column: int, value: str) -> str:
    """Set one cell of a CSV table (rows and columns counted from 0, header included); returns the old text."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    old, rows[row][column] = rows[row][column], value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return old


def first_number_cell(path: Path) -> tuple[int, int, float]:
    with path.open(newline="", encoding="utf-8") as handle:
        for i, row in enumerate(csv.reader(handle)):
            for j, cell in enumerate(row[1:], start=1):
                try:
                    return i, j, float(cell)
                except ValueError:
                    continue
    raise AssertionError(f"no number in {path}")


def test_an_unchanged_rerun_is_bit_identical(tmp_path: Path) -> None:
    report = compare_chapter(CHAPTERS["03"], FIGURES, rerun_copy(tmp_path))
    assert report.status == "bit-identical" and report.ok
    assert report.tables >= 3 and report.numbers >= 50


def test_a_small_change_is_within_tolerance_and_a_large_one_beyond(tmp_path: Path) -> None:
    rerun = rerun_copy(tmp_path)
    table = rerun / "03_table1_mean.csv"
    i, j, value = first_number_cell(table)
    edit(table, i, j, f"{value + 0.5 * FLOOR:.4f}")
    report = compare_chapter(CHAPTERS["03"], FIGURES, rerun)
    assert report.status == "within tolerance" and len(report.differences) == 1
    edit(table, i, j, f"{value + 10:.4f}")
    report = compare_chapter(CHAPTERS["03"], FIGURES, rerun)
    assert report.status == "beyond tolerance" and not report.ok
    assert "BEYOND 03_table1_mean" in report.describe()


def test_the_tolerance_is_z_sigma_sqrt_two_over_n(tmp_path: Path) -> None:
    published, rerun = tmp_path / "published", tmp_path / "rerun"
    for folder, value in ((published, "0.5000"), (rerun, "0.7800")):
        folder.mkdir()
        (folder / "99_t_mean.csv").write_text(f"method,score\nA,{value}\nB,0.5000\nC,0.5000\n")
        (folder / "99_t_std.csv").write_text("method,score\nA,0.1000\nB,0.0000\nC,0.0500\n")
    tolerance = Z * 0.1 * math.sqrt(2 / 4)  # 0.283: a 0.28 move is within it
    _, (difference,), problem = compare_table(published, rerun, "99_t_mean", runs=4, spread=0.0)
    assert problem is None and difference.tolerance == pytest.approx(tolerance) and not difference.beyond
    (rerun / "99_t_mean.csv").write_text("method,score\nA,0.7900\nB,0.5000\nC,0.5000\n")
    _, (difference,), _ = compare_table(published, rerun, "99_t_mean", runs=4, spread=0.0)
    assert difference.beyond  # 0.29 > 0.283
    _, (difference,), _ = compare_table(published, rerun, "99_t_mean", runs=1, spread=0.0)
    assert not difference.beyond  # a single run may move sqrt(4) times as far
    (rerun / "99_t_mean.csv").write_text("method,score\nA,0.5000\nB,0.6400\nC,0.5000\n")
    _, (difference,), _ = compare_table(published, rerun, "99_t_mean", runs=4, spread=0.0)
    assert difference.tolerance == pytest.approx(Z * 0.05 * math.sqrt(2 / 4))  # B's sd 0 counts as the median, 0.05
    assert not difference.beyond


def test_the_reruns_own_spread_is_pooled_with_the_published_one(tmp_path: Path) -> None:
    published, rerun = tmp_path / "published", tmp_path / "rerun"
    for folder, value, spread in ((published, "0.5000", "0.1000"), (rerun, "0.8500", "0.3000")):
        folder.mkdir()
        (folder / "99_t_mean.csv").write_text(f"method,score\nA,{value}\nB,0.5000\n")
        (folder / "99_t_std.csv").write_text(f"method,score\nA,{spread}\nB,0.0000\n")
    _, (difference,), _ = compare_table(published, rerun, "99_t_mean", runs=3, spread=0.0)
    sigma = math.sqrt((0.1**2 + 0.3**2) / 2)
    assert difference.tolerance == pytest.approx(Z * sigma * math.sqrt(2 / 3)) and not difference.beyond
    (rerun / "99_t_std.csv").unlink()  # a rerun without its spreads: the published ones alone
    _, (difference,), _ = compare_table(published, rerun, "99_t_mean", runs=3, spread=0.0)
    assert difference.tolerance == pytest.approx(Z * 0.1 * math.sqrt(2 / 3)) and difference.beyond


def test_tables_of_the_dataset_must_match_exactly(tmp_path: Path) -> None:
    rerun = rerun_copy(tmp_path)
    table = rerun / "01_statistics.csv"
    i, j, value = first_number_cell(table)
    edit(table, i, j, str(int(value) + 1))
    report = compare_chapter(CHAPTERS["01"], FIGURES, rerun)
    assert report.status == "beyond tolerance"


def test_changed_answers_are_reported_but_are_not_numbers(tmp_path: Path) -> None:
    rerun = rerun_copy(tmp_path)
    edit(rerun / "07_figure1.csv", 1, 1, "somebody else entirely")
    report = compare_chapter(CHAPTERS["07"], FIGURES, rerun)
    assert report.status == "within tolerance" and "1 text cells differ" in report.describe()


def test_one_runs_answer_tables_are_reported_but_a_missing_one_fails(tmp_path: Path) -> None:
    rerun = rerun_copy(tmp_path)
    table = rerun / "07_answer_types.csv"
    i, j, value = first_number_cell(table)
    edit(table, i, j, f"{value + 10:.4f}")
    report = compare_chapter(CHAPTERS["07"], FIGURES, rerun)
    assert report.ok and "reported, not compared" in report.describe()
    table.unlink()
    assert not compare_chapter(CHAPTERS["07"], FIGURES, rerun).ok


def test_a_missing_table_fails(tmp_path: Path) -> None:
    rerun = rerun_copy(tmp_path)
    (rerun / "05_conflict.csv").unlink()
    report = compare_chapter(CHAPTERS["05"], FIGURES, rerun)
    assert not report.ok and "05_conflict.csv was not written" in report.describe()


def test_replicated_chapters_count_their_base_models_as_replicates() -> None:
    assert chapter_runs(CHAPTERS["03"]) >= 3  # at least three independently trained base models
    assert chapter_runs(CHAPTERS["02"]) == 1


def test_a_faked_fingerprint_sends_every_chapter_to_the_tolerance_path() -> None:
    chapters = list(CHAPTERS.values())
    assert all(recorded_provenance(chapter).get("fingerprint") for chapter in chapters), "chapters record provenance"
    differing = other_numerics(chapters, fingerprint="0" * 16)
    assert {path for path in differing if path != "here"} == {path.resolve() for path in chapters}
    recorded = recorded_provenance(CHAPTERS["02"])["fingerprint"]
    assert same_numerics(CHAPTERS["02"], recorded) and not same_numerics(CHAPTERS["02"], "0" * 16)
