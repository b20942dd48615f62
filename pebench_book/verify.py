"""Re-execute chapters and compare their numbers with the published ones: bit for bit, or within
the run-to-run variation the book measures.

Why: the committed chapters were computed on one machine. Another CPU can compute other bits
(:mod:`pebench.numerics`), and training amplifies them into other models, so a rerun there cannot
match the book digit for digit; it should match it *statistically*. Each chapter saves the numbers
it shows as CSV tables (``figures/NN_*.csv``, :mod:`pebench.figures`). A rerun writes its own tables
into a scratch folder (``PEBENCH_FIGURES``) and every published number is compared with the rerun's:

* **exact** tables depend on the dataset and the code alone (dataset statistics, taxonomy,
  generator settings, parameter counts, forget-set sizes): every cell must be equal;
* every other numeric cell must satisfy
  ``|rerun - published| <= max(f, z * sigma * sqrt(2 / n)) * max(1, |published|)``,
  where ``n`` is the number of independent replicates (base models) the cell averages,
  ``sigma`` the cell's run-to-run standard deviation where the chapter publishes it (a ``*_std``
  table beside a ``*_mean`` one), pooled over the published runs and the rerun's,
  ``sqrt((s_published**2 + s_rerun**2) / 2)`` (both samples measure the same spread), but at least
  the median of the published table's (a standard deviation estimated from a few runs is itself
  uncertain, and a cell whose runs happened to agree is not known to be stable), else the book's
  typical one (the 90th percentile of Table 1's), ``z = 4`` and the floor ``f = 0.01``.

  Why ``sqrt(2 / n)``: the means of two books of ``n`` independent replicates each differ with
  variance ``2 * sigma**2 / n``. Each replicate is a base model with its own pretraining
  (``PipelineConfig.replicate_pretraining``), fine-tuning, forget draw and unlearning run, so the
  spread between them covers everything a rerun on other numerics redraws. At the default
  parameters each base model contributes one run, so the runs' standard deviation estimates a
  replicate's spread without the bias of a nested design (runs on one base model agree more than
  runs on two).

  How the rule came about, in order (``benchmarks/README.md`` has the records): the formula
  (``sqrt(2 / n)``) was fixed before any rerun on other numerics; a first rerun (``native``
  numerics) against the book's first design, two base models with two runs each, moved 4 of
  chapter 3's 288 numbers beyond it; the design became three base models with one run each, and a
  second rerun under numerics never used before moved 1 of 288 beyond it (a cell whose three
  published runs nearly agreed, while the rerun's spread widely); the rerun's own spread was then
  pooled in, as a two-sample comparison does, and the rule checked on a third rerun under numerics
  never used before (every chapter within tolerance). A fourth rerun, the first on another CPU
  (Intel, the book was recorded on AMD), moved 2 of chapter 3's 418 numbers beyond it, both the
  retrain oracle's, with every row's event *Retain* lower by 0.02 to 0.06 together: the replicates
  then shared one pretraining, which a rerun redraws and which moves all of them together. A term
  ``r = 1`` for it was *assumed* (``sqrt(2 * (1 / n + r))``) and passed a fifth rerun
  (``benchmarks/results/other_numerics_rerun_5.json``). Since then (CHANGELOG, "Unreleased") every replicate has its
  own pretraining, the replicates' spread measures the pretraining's share, and the assumed term is
  gone: the rule is ``sqrt(2 / n)`` again, on replicates that now vary what a rerun varies;
* a **verdict** (:data:`pebench.verdicts.VERDICTS`) that turns into its opposite definite verdict
  (reproduced <-> contradicted, :func:`pebench.verdicts.reversed_verdict`) fails the comparison,
  whatever the numbers behind it did: a rerun may move a claim's value within tolerance and still
  reverse the book's conclusion, and that must not pass silently. Any other change of verdict (to
  or from inconclusive or not testable) is reported as a verdict change, and does not fail;
* other text cells (model answers, a claim's wording) are reported when they differ but are not
  numbers: they do not fail a comparison; nor do the numbers of tables that describe one run's answers
  (chapter 7's, ``DESCRIPTIVE_PREFIXES``: a share over the questions of one forgotten event is all
  or nothing), added after the second rerun, whose chapter 7 was the first ever compared, nor their
  length (added after the fourth rerun: a list of the questions whose answers some method changed
  has as many rows as that run's answers give). A missing table, other column labels, or another
  shape of any other table still fail. Figures (PNG) are not compared.
"""

from __future__ import annotations

import ast
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pebench.chapter_parameters import chapter_parameters
from pebench.paths import FIGURES_ENV
from pebench.setting import Setting
from pebench.verdicts import VERDICTS, reversed_verdict
from pebench_book.chapters import chapter_number, kernel_environment, recorded_provenance, run_chapter

log = logging.getLogger(__name__)

#: How many standard deviations of the difference between two reruns a number may move.
Z = 4.0
#: The smallest tolerance (a tenth of a percentage point would be below the tables' resolution
#: for rates over a few hundred questions).
FLOOR = 0.01
#: Tables computed from the dataset and the code alone: equal on every machine.
EXACT_PREFIXES = ("01_", "02_model_parameters", "06_forget_sizes")
#: Tables that describe the answers of one run (what each model said instead of a forgotten
#: answer, how many distinct answers, which questions some method changed): like the answers
#: themselves they are reported, not compared, and so is their length. A share over the questions
#: of one forgotten event is all or nothing, so no spread measured on averages bounds it; the
#: chapter says that these are one run's examples.
DESCRIPTIVE_PREFIXES = ("07_",)
#: The table whose per-cell standard deviations give the book's typical run-to-run spread.
SPREAD_TABLE = "03_table1_std"
SPREAD_QUANTILE = 0.9


@dataclass(frozen=True)
class Difference:
    """One published number (or text) that differs in the rerun."""

    table: str
    row: str
    column: str
    published: Any
    rerun: Any
    tolerance: float | None  # None: compared exactly (an exact table, or text)

    @property
    def verdict_change(self) -> bool:
        """Whether this is one verdict word turned into another."""
        return self.published in VERDICTS and self.rerun in VERDICTS

    @property
    def reversed(self) -> bool:
        """Whether a definite verdict turned into its opposite."""
        return self.verdict_change and reversed_verdict(self.published, self.rerun)

    @property
    def beyond(self) -> bool:
        """Whether this difference fails the comparison: a reversed verdict, a number beyond its
        tolerance, any change of an exact table; other text and descriptive tables never do."""
        if self.table.startswith(DESCRIPTIVE_PREFIXES):
            return False
        if self.reversed:
            return True
        if isinstance(self.published, str) or isinstance(self.rerun, str):
            return self.table.startswith(EXACT_PREFIXES)
        if self.tolerance is None:
            return True
        return not abs(self.rerun - self.published) <= self.tolerance

    def __str__(self) -> str:
        if self.table.startswith(DESCRIPTIVE_PREFIXES):
            bound = "reported, not compared"
        elif self.verdict_change:
            bound = "a definite verdict reversed" if self.reversed else "a verdict changed"
        else:
            bound = "exact" if self.tolerance is None else f"tolerance {self.tolerance:.3f}"
        return f"{self.table} [{self.row}, {self.column}]: published {self.published!r}, rerun {self.rerun!r} ({bound})"


@dataclass
class ChapterReport:
    """How a rerun of one chapter compares with its published tables."""

    chapter: str
    tables: int = 0
    numbers: int = 0
    identical_files: bool = True
    differences: list[Difference] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # a table missing or of another shape
    notes: list[str] = field(default_factory=list)  # reported, not failing: a descriptive table's length

    @property
    def beyond(self) -> list[Difference]:
        return [d for d in self.differences if d.beyond]

    @property
    def status(self) -> str:
        """``bit-identical``, ``within tolerance`` or ``beyond tolerance``."""
        if self.problems or self.beyond:
            return "beyond tolerance"
        return "bit-identical" if self.identical_files else "within tolerance"

    @property
    def ok(self) -> bool:
        return self.status != "beyond tolerance"

    @property
    def verdict_changes(self) -> list[Difference]:
        """Every verdict that changed, reversed or not."""
        return [d for d in self.differences if d.verdict_change]

    def closest(self, limit: int) -> list[Difference]:
        """The ``limit`` compared numbers that came nearest their tolerance (or went beyond it),
        nearest first; numbers of tables of one run's answers are not compared, so not listed."""
        compared = [
            d
            for d in self.differences
            if d.tolerance is not None
            and not isinstance(d.published, str)
            and not d.table.startswith(DESCRIPTIVE_PREFIXES)
        ]
        return sorted(compared, key=_excess, reverse=True)[:limit]

    def describe(self, limit: int = 10) -> str:
        """A few lines for a person: the status, the counts and the worst differences."""
        numeric = [d for d in self.differences if not isinstance(d.published, str)]
        texts = len(self.differences) - len(numeric)
        lines = [
            f"chapter {self.chapter}: {self.status} ({self.tables} tables, {self.numbers} numbers; "
            f"{len(numeric)} numbers differ, {len(self.beyond)} beyond tolerance; {texts} text cells differ)"
        ]
        lines += [f"  problem: {problem}" for problem in self.problems]
        lines += [f"  reported, not compared: {note}" for note in self.notes]
        lines += [f"  {'BEYOND ' if d.beyond else ''}{d}" for d in self.verdict_changes]
        shown = sorted(numeric, key=lambda d: (not d.beyond, -_excess(d)))[:limit]
        lines += [f"  {'BEYOND ' if d.beyond else ''}{d}" for d in shown]
        return "\n".join(lines)


def _excess(difference: Difference) -> float:
    if difference.tolerance is None or isinstance(difference.published, str):
        return math.inf
    return abs(difference.rerun - difference.published) / max(difference.tolerance, 1e-12)


def chapter_runs(chapter: str | os.PathLike[str]) -> int:
    """How many independent replicates a replicated cell of ``chapter`` averages: its base models, as
    its parameters cell sets them, or the shared :class:`~pebench.setting.Setting` when the cell leaves
    them at ``None`` (1 for chapters that show single runs).

    Each base model is an independent replicate of the whole pipeline. Several unlearning seeds on
    one base model are not independent of each other, so they do not count: a mean over two base
    models varies like a mean over two replicates, however many seeds each has.
    """
    defaults = {p.name: p.default for p in chapter_parameters(chapter)}
    if "base_seeds" not in defaults:
        return 1
    return len(Setting.from_parameters(base_seeds=ast.literal_eval(defaults["base_seeds"])).base_seeds)


def typical_spread(figures: Path) -> float:
    """The book's typical run-to-run standard deviation of one metric: the 90th percentile of the
    per-cell standard deviations of Table 1 (chapter 3), or 0 when that table is absent."""
    path = figures / f"{SPREAD_TABLE}.csv"
    if not path.exists():
        return 0.0
    values = pd.read_csv(path, header=None).iloc[2:, 1:].apply(pd.to_numeric, errors="coerce").stack()
    return float(values.quantile(SPREAD_QUANTILE)) if len(values) else 0.0


def _cell_spreads(published: Path, stem: str) -> pd.DataFrame | None:
    """The ``*_std`` companion of a ``*_mean`` table, read the same way, or None."""
    if not stem.endswith("_mean"):
        return None
    companion = published / f"{stem[: -len('_mean')]}_std.csv"
    return pd.read_csv(companion, header=None, dtype=str, keep_default_na=False) if companion.exists() else None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def tolerance(sigma: float, runs: int, published: float) -> float:
    """How far a rerun's number may lie from a published one: ``z`` standard deviations of the
    difference between two books' means of ``runs`` independent replicates, ``sigma * sqrt(2 / runs)``,
    at least the floor, relative beyond 1."""
    return max(FLOOR, Z * sigma * math.sqrt(2 / runs)) * max(1.0, abs(published))


@dataclass
class TableComparison:
    """One table compared: its numbers, the cells that differ, what fails it, what is only reported."""

    numbers: int = 0
    differences: list[Difference] = field(default_factory=list)
    problem: str | None = None
    note: str | None = None


def compare_table(published: Path, rerun: Path, stem: str, *, runs: int, spread: float) -> TableComparison:
    """Compare one table cell by cell."""
    old = pd.read_csv(published / f"{stem}.csv", header=None, dtype=str, keep_default_na=False)
    path = rerun / f"{stem}.csv"
    if not path.exists():
        return TableComparison(problem=f"{stem}.csv was not written by the rerun")
    new = pd.read_csv(path, header=None, dtype=str, keep_default_na=False)
    header_rows = _header_rows(old)
    if old.shape[1] != new.shape[1] or not old.iloc[:header_rows].equals(new.iloc[:header_rows]):
        return TableComparison(problem=f"{stem}.csv has other column labels in the rerun")
    if old.shape != new.shape:
        length = f"{stem}.csv has {new.shape[0]} rows in the rerun, {old.shape[0]} published"
        if stem.startswith(DESCRIPTIVE_PREFIXES):  # one run's list: its length is that run's
            return TableComparison(note=length)
        return TableComparison(problem=length)
    exact = stem.startswith(EXACT_PREFIXES)
    spreads = _cell_spreads(published, stem)
    if spreads is not None and spreads.shape != old.shape:
        spreads = None
    rerun_spreads = _cell_spreads(rerun, stem) if spreads is not None else None
    if rerun_spreads is not None and rerun_spreads.shape != old.shape:
        rerun_spreads = None
    pooled = 0.0
    if spreads is not None:
        values = spreads.iloc[header_rows:, 1:].apply(pd.to_numeric, errors="coerce").stack()
        pooled = float(values.median()) if len(values) else pooled
    numbers, differences = 0, []
    for i in range(old.shape[0]):
        for j in range(old.shape[1]):
            a, b = old.iat[i, j], new.iat[i, j]
            x, y = _number(a), _number(b)
            numbers += x is not None and i >= header_rows
            if a == b:
                continue
            row = _row_label(old, i)
            column = " / ".join(old.iloc[:header_rows, j].tolist()) if header_rows else str(j)
            if x is None or y is None:
                differences.append(Difference(stem, row, column, a, b, None))
                continue
            if exact:
                differences.append(Difference(stem, row, column, x, y, None))
                continue
            own = _number(spreads.iat[i, j]) if spreads is not None else None
            theirs = _number(rerun_spreads.iat[i, j]) if rerun_spreads is not None else None
            if own is not None and theirs is not None:  # both samples measure the spread: pool them
                own = math.sqrt((own**2 + theirs**2) / 2)
            sigma = spread if own is None else max(own, pooled)
            differences.append(Difference(stem, row, column, x, y, tolerance(sigma, runs, x)))
    return TableComparison(numbers, differences)


def _row_label(table: pd.DataFrame, i: int) -> str:
    """The labels of row ``i``: its cells before the first number (the index columns), joined."""
    labels = []
    for cell in table.iloc[i]:
        if _number(cell) is not None:
            break
        labels.append(cell)
    return " / ".join(labels) or str(i)


def _header_rows(table: pd.DataFrame) -> int:
    """Rows at the top that hold column labels (1, or more for a two-level header): those whose
    cells after the first are not numbers, up to the first row with a number in it."""
    for i in range(table.shape[0]):
        if any(_number(cell) is not None for cell in table.iloc[i, 1:]):
            return max(i, 1)
    return 1


def compare_chapter(chapter: str | os.PathLike[str], published: Path, rerun: Path) -> ChapterReport:
    """Compare every table ``chapter`` published in ``published`` with the rerun's in ``rerun``."""
    number = chapter_number(chapter)
    report = ChapterReport(number)
    runs, spread = chapter_runs(chapter), typical_spread(published)
    for path in sorted(published.glob(f"{number}_*.csv")):
        stem = path.stem
        report.tables += 1
        if (rerun / path.name).exists() and path.read_bytes() != (rerun / path.name).read_bytes():
            report.identical_files = False
        table = compare_table(published, rerun, stem, runs=runs, spread=spread)
        report.numbers += table.numbers
        report.differences += table.differences
        for found, listed in ((table.problem, report.problems), (table.note, report.notes)):
            if found:
                listed.append(found)
                report.identical_files = False
    return report


def same_numerics(chapter: str | os.PathLike[str], fingerprint: str | None = None) -> bool:
    """Whether nbval compares ``chapter`` bit for bit here: it recorded the numerics fingerprint
    ``fingerprint`` (default: this machine's, :func:`pebench.numerics.fingerprint`), or none."""
    return Path(chapter).resolve() not in other_numerics([chapter], fingerprint)


def other_numerics(notebooks: Iterable[str | os.PathLike[str]], fingerprint: str | None = None) -> dict[Any, str]:
    """The notebooks among ``notebooks`` that recorded another numerics fingerprint than ``fingerprint``
    (default: this machine's), each with the fingerprint it recorded, plus ``"here"``: the one compared
    with. A notebook that recorded none (not executed by :mod:`pebench_book.chapters`) is left out."""
    if fingerprint is None:
        from pebench import numerics

        fingerprint = numerics.fingerprint()
    differing: dict[Any, str] = {"here": fingerprint}
    for notebook in notebooks:
        recorded = recorded_provenance(notebook).get("fingerprint")
        if recorded is not None and recorded != fingerprint:
            differing[Path(notebook).resolve()] = recorded
    return differing


def verify_chapter(
    chapter: str | os.PathLike[str],
    *,
    published: Path | None = None,
    parameters: Mapping[str, Any] | None = None,
    keep: Path | None = None,
) -> ChapterReport:
    """Re-execute ``chapter`` into a scratch folder (its figures too) and compare it with ``published``
    (default: the repository's ``figures/``). The committed notebook and figures are not touched.
    With ``keep``, the executed notebook and its tables are left there."""
    chapter = Path(chapter).resolve()
    published = published or chapter.parents[1] / "figures"
    scratch = Path(tempfile.mkdtemp(prefix=f"pebench-verify-{chapter.stem}-"))
    figures = scratch / "figures"
    with kernel_environment(FIGURES_ENV, str(figures)):  # the rerun saves its tables there
        run_chapter(chapter, scratch / chapter.name, parameters)
    report = compare_chapter(chapter, published, figures)
    if keep is not None:
        shutil.copytree(scratch, keep, dirs_exist_ok=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return report


#: How many of a chapter's compared numbers a report lists by how near their tolerance they came.
CLOSEST = 5


def report_record(reports: Iterable[ChapterReport]) -> dict[str, Any]:
    """The reports as JSON-ready data (what ``pebench verify --report`` writes): per chapter its
    status, counts, problems and notes, every difference beyond tolerance, the :data:`CLOSEST`
    numbers that came nearest their tolerance (with the share of it they used), every changed
    verdict (with whether it reversed), and every text cell that differs outside the tables of one
    run's answers (verdict words, claims): what a page quoting a rerun needs, so that it quotes the
    record."""
    return {
        report.chapter: {
            "status": report.status,
            "tables": report.tables,
            "numbers": report.numbers,
            "numbers_differing": sum(not isinstance(d.published, str) for d in report.differences),
            "text_cells_differing": sum(isinstance(d.published, str) for d in report.differences),
            "problems": report.problems,
            "notes": report.notes,
            "beyond_tolerance": [_difference_record(d) for d in report.beyond],
            "closest": [{**_difference_record(d), "share_of_tolerance": _excess(d)} for d in report.closest(CLOSEST)],
            "verdict_changes": [{**_difference_record(d), "reversed": d.reversed} for d in report.verdict_changes],
            "text_differences": [
                _difference_record(d)
                for d in report.differences
                if isinstance(d.published, str) and not d.table.startswith(DESCRIPTIVE_PREFIXES)
            ],
        }
        for report in reports
    }


def _difference_record(difference: Difference) -> dict[str, Any]:
    return {
        "table": difference.table,
        "row": difference.row,
        "column": difference.column,
        "published": difference.published,
        "rerun": difference.rerun,
        "tolerance": difference.tolerance,
    }


def verify(chapters: Iterable[str | os.PathLike[str]], **kwargs: Any) -> list[ChapterReport]:
    """:func:`verify_chapter` for each chapter in turn, logging each report as it is done."""
    reports = []
    for chapter in chapters:
        log.info("re-executing %s", Path(chapter).name)
        reports.append(verify_chapter(chapter, **kwargs))
        log.info("%s", reports[-1].describe())
    return reports
