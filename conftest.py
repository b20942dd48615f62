"""Repository-wide pytest configuration (loaded for `tests/` and for nbval over `notebooks/`).

Four things. First, nbval 0.11 executes each cell with ``store_history=False``. IPython decides
whether a trailing ``;`` silences a cell's result by looking at the *last stored* input, so under
nbval a plotting cell that ends in ``;`` still prints ``[<matplotlib.lines.Line2D at 0x...>]`` while
the committed notebook (executed by papermill with history, as Jupyter does) has no such output, and
the comparison fails. Below, nbval executes with history too; tests/test_nbval_behaviour.py checks
it on a real kernel. Second, nbval compares a notebook bit for bit only where this machine computes
the bits it was executed with: a notebook whose recorded numerics fingerprint
(:func:`pebench_book.chapters.record_provenance`) differs from this machine's is skipped by nbval, and
``tests/test_published_numbers.py`` re-executes it and compares its numbers within the measured
run-to-run variation instead (:mod:`pebench_book.verify`). Third, a run that re-executes every chapter
trains their shared base models first, in the background while the unit tests run
(``SharedModelsWarmUp``). Fourth, ``make test`` runs the suite in two processes (pytest-xdist),
a file at a time (``pytest_xdist_make_scheduler``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]  # tests/test_nbval_behaviour.py runs pytest + nbval on scratch notebooks

try:
    from nbval.kernel import RunningKernel
except ImportError:  # nbval is a test extra; without it no notebook is collected
    RunningKernel = None

if RunningKernel is not None:
    assert hasattr(RunningKernel, "execute_cell_input"), "nbval changed: revisit conftest.py"

    def _execute_cell_input_with_history(self, cell_input, allow_stdin=None):
        return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)

    RunningKernel.execute_cell_input = _execute_cell_input_with_history


class SharedModelsWarmUp:
    """``pebench chapters warm`` in the background, awaited before the first chapter cell.

    Executed one after another, chapters 2, 3 and 5 each train their base models with a core idle;
    trained together first (as ``make book`` does) they take about half the time. Started when
    collection ends, the training also fills the core the unit tests (one thread each) leave idle.
    """

    def __init__(self, root: Path, chapters: set[Path]) -> None:
        self.chapters = chapters
        # Under pytest-xdist each process starts its own: the cache's entry locks make the second
        # wait for what the first trains (pebench.cache.fill_once), so nothing is trained twice.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.log = root / "_build" / "test-artifacts" / f"warm-up-{worker}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("w") as output:
            command = [sys.executable, "-m", "pebench.cli", "chapters", "warm", "--no-progress", "--verbose"]
            self.process = subprocess.Popen(command, cwd=root, stdout=output, stderr=subprocess.STDOUT)
        self.waited = False

    def before(self, item) -> None:
        needs_models = Path(item.path).resolve() in self.chapters or item.get_closest_marker("rerun")
        if self.waited or not needs_models:
            return
        self.waited = True
        if self.process.wait() != 0:
            tail = "\n".join(self.log.read_text().splitlines()[-30:])
            pytest.fail(f"training the chapters' shared base models failed ({self.log}):\n{tail}", pytrace=False)

    def stop(self) -> None:
        if self.process.poll() is None:  # the session ended before any chapter ran
            self.process.terminate()
            self.process.wait()


_warm_up: SharedModelsWarmUp | None = None


def pytest_collection_finish(session) -> None:
    """A run that re-executes every chapter trains their shared base models first, in the background."""
    global _warm_up
    root = Path(__file__).parent
    folder = root / "notebooks"
    if session.config.option.collectonly or not session.config.getoption("nbval", default=False):
        return
    if not folder.is_dir():  # a copy of this file elsewhere (tests/test_nbval_behaviour.py)
        return
    from pebench_book.chapters import list_chapters

    collected = {Path(item.path).resolve() for item in session.items}
    chapters = {path.resolve() for path in list_chapters(folder)}
    if chapters and chapters <= collected:
        _warm_up = SharedModelsWarmUp(root, chapters)


#: The tests that share one build of the website (tests/sitebuild.py): one process runs them all.
WEBSITE_TESTS = ("test_book.py", "test_browser.py")
#: The tests that check that a reader's variant rewrites no tracked file: the process that
#: re-executes the chapters runs them, since a chapter's own run rewrites its figures (same bytes).
BESIDE_THE_CHAPTERS = ("test_outputs.py",)


def scope_of(nodeid: str) -> str:
    """What one of ``make test``'s processes runs together: a file's tests (a module's fixtures,
    trained models above all, are then made once), every chapter in order (their cells must run in
    one kernel each, and they share their figures folder with the variant tests), the website's two
    files (one build)."""
    path = Path(nodeid.split("::", 1)[0])
    if path.suffix == ".ipynb" or path.name in BESIDE_THE_CHAPTERS:
        return "chapters"
    return "website" if path.name in WEBSITE_TESTS else str(path)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, a test requirement
def pytest_xdist_make_scheduler(config, log):
    """``make test``'s two processes take a scope (:func:`scope_of`) at a time, whichever is free."""
    from xdist.scheduler import LoadScopeScheduling

    class ByScope(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return ByScope(config, log)


def pytest_collection_modifyitems(session, config, items) -> None:
    """Skip nbval's bit-for-bit comparison of notebooks executed under other numerics than this machine's."""
    if not config.getoption("nbval", default=False):
        return
    notebooks = {Path(item.path).resolve() for item in items if Path(item.path).suffix == ".ipynb"}
    if not notebooks:
        return
    from pebench_book.verify import other_numerics

    differing = other_numerics(notebooks)
    for item in items:
        recorded = differing.get(Path(item.path).resolve())
        if recorded is not None:
            item.add_marker(
                pytest.mark.skip(
                    reason=(
                        f"executed under other numerics (fingerprint {recorded}, this machine {differing['here']}): "
                        "tests/test_published_numbers.py compares its rerun within tolerance instead"
                    )
                )
            )


def pytest_runtest_setup(item) -> None:
    if _warm_up is not None:
        _warm_up.before(item)


def pytest_sessionfinish(session, exitstatus) -> None:
    if _warm_up is not None:
        _warm_up.stop()
