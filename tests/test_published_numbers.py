"""The published chapters hold on this machine: bit for bit where it computes the same bits, else
within the run-to-run variation the book measures.

Where this machine's numerics fingerprint equals the one a chapter recorded, nbval re-executes it
and compares every output exactly (``make test``'s nbval pass) and the test here skips. Where they
differ (another CPU, another numerics mode), ``conftest.py`` skips nbval's comparison of that
chapter and the test here re-executes it into a scratch folder and compares every number of its
tables with the published one within tolerance (:mod:`pebench_book.verify`), failing with the numbers
that moved too far.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pebench_book.chapters import list_chapters
from pebench_book.verify import same_numerics, verify_chapter

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = list_chapters(ROOT / "notebooks")


@pytest.mark.kernel
@pytest.mark.rerun
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_rerun_agrees_with_the_published_numbers(chapter: Path) -> None:
    if same_numerics(chapter):
        pytest.skip("this machine computes the published bits: nbval compares the chapter bit for bit")
    report = verify_chapter(chapter)
    assert report.ok, report.describe(limit=20)
