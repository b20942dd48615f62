"""How `make test`'s nbval pass treats a chapter executed by pebench_book.chapters (starts kernels).

Checked on a scratch chapter: papermill's injected-parameters cell is re-run like any cell (so nbval
reproduces the committed parameterized run); a cell tagged ``nbval-skip`` is not executed at all; one
tagged ``nbval-ignore-output`` is executed but its output is not compared; timestamps, addresses,
temporary paths and tqdm bars are sanitized; and a plotting cell ending in ``;`` has no text result
under nbval either (thanks to the repository's conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from pebench_book.chapters import run_chapter

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
NBVAL = ("--nbval", "--nbval-current-env", "--nbval-sanitize-with", str(SANITIZE), "-p", "no:cacheprovider")

CELLS = [
    new_markdown_cell("# Scratch chapter"),
    new_code_cell("seed = 0\nsteps = 5", metadata={"tags": ["parameters"]}),
    new_code_cell("print('seed', seed, 'steps', steps)"),
    new_code_cell("import random\nprint(random.random())", metadata={"tags": ["nbval-ignore-output"]}),
    new_code_cell("open('skip-cell-ran.txt', 'w').close()", metadata={"tags": ["nbval-skip"]}),
    new_code_cell(
        "import datetime, tempfile, time\n"
        "from tqdm import tqdm\n"
        "print('now', datetime.datetime.now(), 'at', object(), 'in', tempfile.mkdtemp())\n"
        "for _ in tqdm(range(steps)):\n"
        "    time.sleep(0.02)"
    ),
    new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2, seed]);"),
]


@pytest.fixture
def executed_chapter(pytester: pytest.Pytester) -> Path:
    tmp_path = pytester.path
    nb = new_notebook(cells=[nbformat.from_dict(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    chapter = tmp_path / "01_scratch.ipynb"
    nbformat.write(nb, chapter)
    run_chapter(chapter, chapter, parameters={"seed": 3})  # a variant, written in place as asked
    (tmp_path / "skip-cell-ran.txt").unlink()  # papermill ran every cell
    return chapter


def test_nbval_passes_on_a_chapter_run_by_pebench(pytester: pytest.Pytester, executed_chapter: Path) -> None:
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    result = pytester.runpytest_subprocess(*NBVAL, str(executed_chapter))
    # 7 code cells: parameters, injected parameters, print, ignore-output, skip, volatile, plot.
    result.assert_outcomes(passed=6, skipped=1)
    assert not (executed_chapter.parent / "skip-cell-ran.txt").exists(), "nbval executed a cell tagged nbval-skip"


def test_without_the_conftest_fix_a_semicolon_plot_fails(pytester: pytest.Pytester, executed_chapter: Path) -> None:
    # Documents why conftest.py exists: remove the fix once nbval executes cells with history.
    result = pytester.runpytest_subprocess(*NBVAL, str(executed_chapter))
    result.assert_outcomes(passed=5, skipped=1, failed=1)
    result.stdout.fnmatch_lines(["*Line2D*"])


def test_nbval_fails_when_a_committed_output_is_perturbed(pytester: pytest.Pytester, executed_chapter: Path) -> None:
    """The bit-for-bit path can fail: a published number changed by hand no longer matches the rerun."""
    nb = nbformat.read(executed_chapter, as_version=4)
    printed = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("print('seed'"))
    printed.outputs[0]["text"] = printed.outputs[0]["text"].replace("steps 5", "steps 6")
    nbformat.write(nb, executed_chapter)
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    result = pytester.runpytest_subprocess(*NBVAL, str(executed_chapter))
    result.assert_outcomes(passed=5, skipped=1, failed=1)


def test_nbval_skips_a_chapter_recorded_under_other_numerics(pytester: pytest.Pytester, executed_chapter: Path) -> None:
    """A chapter whose recorded fingerprint is not this machine's is not compared bit for bit
    (tests/test_published_numbers.py compares its rerun within tolerance instead)."""
    nb = nbformat.read(executed_chapter, as_version=4)
    nb.metadata["pebench"]["numerics"]["fingerprint"] = "0" * 16  # as if executed on another CPU
    nbformat.write(nb, executed_chapter)
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    result = pytester.runpytest_subprocess(*NBVAL, "-rs", str(executed_chapter))
    result.assert_outcomes(skipped=7)
    result.stdout.fnmatch_lines(["*executed under other numerics*"])
