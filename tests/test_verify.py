"""Comparing a rerun's tables with the published ones (pebench_book.verify): both outcomes are reachable.

Runs on copies of the committed ``figures/`` with numbers perturbed by hand, so it needs no model.
"""

from __future__ import annotations

import csv
import math
import re
import shutil
from pathlib import Path

import pytest

from pebench_book.chapters import list_chapters, recorded_provenance
from pebench_book.verify import (
    chapter_runs,
    compare_chapter,
    compare_table,
    other_numerics,
    report_record,
    same_numerics,
    tolerance,
    typical_spread,
)

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
    edit(table, i, j, f"{value + 0.005:.4f}")
    report = compare_chapter(CHAPTERS["03"], FIGURES, rerun)
    assert report.status == "within tolerance" and len(report.differences) == 1
    edit(table, i, j, f"{value + 10:.4f}")
    report = compare_chapter(CHAPTERS["03"], FIGURES, rerun)
    assert report.status == "beyond tolerance" and not report.ok
    assert "BEYOND 03_table1_mean" in report.describe()


def bound(sigma: float, runs: int) -> float:
    """The documented tolerance for a number below 1: 4 standard deviations of the difference
    between two books' means of ``runs`` independent replicates, 4 sigma sqrt(2 / n)."""
    return 4.0 * sigma * math.sqrt(2 / runs)


def write_tables(folder: Path, means: str, spreads: str | None = None) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "99_t_mean.csv").write_text(f"method,score\n{means}\n")
    if spreads is not None:
        (folder / "99_t_std.csv").write_text(f"method,score\n{spreads}\n")


def test_the_tolerance_is_four_sigma_sqrt_two_over_n(tmp_path: Path) -> None:
    published, rerun = tmp_path / "published", tmp_path / "rerun"
    spreads = "A,0.1000\nB,0.0000\nC,0.0500"
    limit = bound(0.1, 4)
    write_tables(published, "A,0.5000\nB,0.5000\nC,0.5000", spreads)
    write_tables(rerun, f"A,{0.5 + limit - 0.005:.4f}\nB,0.5000\nC,0.5000", spreads)
    comparison = compare_table(published, rerun, "99_t_mean", runs=4, spread=0.0)
    (difference,) = comparison.differences
    assert comparison.problem is None and difference.tolerance == pytest.approx(limit) and not difference.beyond
    write_tables(rerun, f"A,{0.5 + limit + 0.005:.4f}\nB,0.5000\nC,0.5000", spreads)
    (difference,) = compare_table(published, rerun, "99_t_mean", runs=4, spread=0.0).differences
    assert difference.beyond
    (difference,) = compare_table(published, rerun, "99_t_mean", runs=1, spread=0.0).differences
    assert difference.tolerance == pytest.approx(bound(0.1, 1)) and not difference.beyond
    write_tables(rerun, "A,0.5000\nB,0.6400\nC,0.5000", spreads)
    (difference,) = compare_table(published, rerun, "99_t_mean", runs=4, spread=0.0).differences
    assert difference.tolerance == pytest.approx(bound(0.05, 4))  # B's sd 0 counts as the median, 0.05
    assert not difference.beyond


def test_the_reruns_own_spread_is_pooled_with_the_published_one(tmp_path: Path) -> None:
    published, rerun = tmp_path / "published", tmp_path / "rerun"
    write_tables(published, "A,0.5000\nB,0.5000", "A,0.1000\nB,0.0000")
    write_tables(rerun, "A,1.2000\nB,0.5000", "A,0.3000\nB,0.0000")
    (difference,) = compare_table(published, rerun, "99_t_mean", runs=3, spread=0.0).differences
    sigma = math.sqrt((0.1**2 + 0.3**2) / 2)
    assert difference.tolerance == pytest.approx(bound(sigma, 3)) and not difference.beyond
    (rerun / "99_t_std.csv").unlink()  # a rerun without its spreads: the published ones alone
    (difference,) = compare_table(published, rerun, "99_t_mean", runs=3, spread=0.0).differences
    assert difference.tolerance == pytest.approx(bound(0.1, 3)) and difference.beyond


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


def test_a_list_of_one_runs_answers_may_have_another_length_but_no_other_table(tmp_path: Path) -> None:
    """07_interference lists the questions whose answers some method changed: as many rows as that
    run gave. Its length is reported; another length of a table of numbers fails, and so do other
    column labels of either."""
    rerun = rerun_copy(tmp_path)
    listed = rerun / "07_interference.csv"
    lines = listed.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) > 2
    listed.write_text("".join(lines[:-1]), encoding="utf-8")
    report = compare_chapter(CHAPTERS["07"], FIGURES, rerun)
    assert report.ok and report.notes and "reported, not compared: 07_interference.csv has" in report.describe()
    listed.write_text(lines[0].replace("question", "prompt", 1) + "".join(lines[1:]), encoding="utf-8")
    report = compare_chapter(CHAPTERS["07"], FIGURES, rerun)
    assert not report.ok and "07_interference.csv has other column labels" in report.describe()
    means = rerun / "03_table1_mean.csv"
    means.write_text("".join(means.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]), encoding="utf-8")
    report = compare_chapter(CHAPTERS["03"], FIGURES, rerun)
    assert not report.ok and "03_table1_mean.csv has" in " ".join(report.problems)


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


def test_the_report_records_the_nearest_misses_and_the_changed_words(tmp_path: Path) -> None:
    """What a page quoting a rerun needs is in the record: the numbers nearest their tolerance, with
    the share of it they used, and changed words outside the tables of one run's answers."""
    rerun = rerun_copy(tmp_path)
    table = rerun / "03_table1_mean.csv"
    i, j, value = first_number_cell(table)
    edit(table, i, j, f"{value + 0.005:.4f}")
    edit(rerun / "07_figure1.csv", 1, 1, "somebody else entirely")
    verdicts = rerun / "08_verdicts.csv"
    edit(verdicts, 1, 1, "a claim in other words")
    reports = [compare_chapter(CHAPTERS[n], FIGURES, rerun) for n in ("03", "07", "08")]
    record = report_record(reports)
    (nearest,) = record["03"]["closest"]
    assert nearest["table"] == "03_table1_mean" and 0 < nearest["share_of_tolerance"] < 1
    assert record["07"]["text_differences"] == []  # one run's answers: counted, not listed
    (changed,) = record["08"]["text_differences"]
    assert changed["rerun"] == "a claim in other words"


def verdict_tables(tmp_path: Path, published: str, rerun: str) -> tuple[Path, Path]:
    """A published and a rerun folder with one synthetic verdict table: the same value, one claim's
    verdict ``published`` there and ``rerun`` here."""
    folders = []
    for name, verdict in (("published", published), ("rerun", rerun)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "99_verdicts.csv").write_text(
            f"key,ours,verdict\n3a,-0.3000,{verdict}\n3b,0.5000,reproduced\n", encoding="utf-8"
        )
        folders.append(folder)
    return folders[0], folders[1]


@pytest.mark.parametrize(("published", "rerun"), [("reproduced", "contradicted"), ("contradicted", "reproduced")])
def test_a_definite_verdict_turned_into_its_opposite_fails(tmp_path: Path, published: str, rerun: str) -> None:
    """The numbers behind it are equal here (within any tolerance): the verdict alone fails the rerun."""
    old, new = verdict_tables(tmp_path, published, rerun)
    (difference,) = compare_table(old, new, "99_verdicts", runs=3, spread=0.1).differences
    assert difference.reversed and difference.beyond
    assert "a definite verdict reversed" in str(difference)


@pytest.mark.parametrize(
    ("published", "rerun"),
    [
        ("reproduced", "inconclusive"),
        ("inconclusive", "contradicted"),
        ("not testable", "reproduced"),
        ("contradicted", "not testable"),
    ],
)
def test_any_other_change_of_verdict_is_reported_and_passes(tmp_path: Path, published: str, rerun: str) -> None:
    old, new = verdict_tables(tmp_path, published, rerun)
    (difference,) = compare_table(old, new, "99_verdicts", runs=3, spread=0.1).differences
    assert difference.verdict_change and not difference.reversed and not difference.beyond
    assert "a verdict changed" in str(difference)


def test_a_reversed_verdict_of_chapter_8_fails_the_chapter_and_is_recorded(tmp_path: Path) -> None:
    """On a copy of the published chapter 8: one claim's verdict set to a definite one in the
    published folder and to its opposite in the rerun (every number equal) fails the chapter."""
    published, rerun = Path(shutil.copytree(FIGURES, tmp_path / "published")), rerun_copy(tmp_path)
    header = (FIGURES / "08_verdicts.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    column = header.index("verdict")
    edit(published / "08_verdicts.csv", 2, column, "reproduced")
    edit(rerun / "08_verdicts.csv", 2, column, "contradicted")
    report = compare_chapter(CHAPTERS["08"], published, rerun)
    assert report.status == "beyond tolerance" and "BEYOND" in report.describe()
    (changed,) = report_record([report])["08"]["verdict_changes"]
    assert changed["reversed"] and (changed["published"], changed["rerun"]) == ("reproduced", "contradicted")
    edit(rerun / "08_verdicts.csv", 2, column, "inconclusive")
    report = compare_chapter(CHAPTERS["08"], published, rerun)
    assert report.ok and "a verdict changed" in report.describe()


def test_the_reproduce_page_states_the_single_run_bound_the_rule_computes() -> None:
    """The page quotes the bound of a single run's share (a number derived from Table 1's spreads);
    it must be the one the rule computes from the published tables, not a stale copy."""
    text = (ROOT / "book" / "reproduce.md").read_text(encoding="utf-8")
    stated = re.search(r"about ±(\d\.\d\d) for a share", text)
    assert stated, "the Reproduce it page no longer states the single-run bound"
    assert float(stated.group(1)) == round(tolerance(typical_spread(FIGURES), 1, 0.5), 2)
