"""Repository-wide pytest configuration (loaded for `tests/` and for nbval over `notebooks/`).

Two things. First, nbval 0.11 executes each cell with ``store_history=False``. IPython decides whether a trailing ``;``
silences a cell's result by looking at the *last stored* input, so under nbval a plotting cell that
ends in ``;`` still prints ``[<matplotlib.lines.Line2D at 0x...>]`` while the committed notebook
(executed by papermill with history, as Jupyter does) has no such output, and the comparison fails.
Below, nbval executes with history too. tests/test_nbval_behaviour.py checks it on a real kernel.
Second, a run that re-executes every chapter trains their shared base models first, in parallel.
"""

from __future__ import annotations

from pathlib import Path

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


def pytest_collection_finish(session) -> None:
    """Before nbval re-executes every chapter, train the base models they share, in parallel.

    Executed one after another, chapters 2, 3 and 5 each train theirs with a core idle; trained
    together first (as ``make book`` does) the suite saves minutes on a cold cache. Only for a run
    that re-executes all the chapters: a single notebook or the unit tests alone train nothing.
    """
    if session.config.option.collectonly or not session.config.getoption("nbval", default=False):
        return
    folder = Path(__file__).parent / "notebooks"
    if not folder.is_dir():  # a copy of this file elsewhere (tests/test_nbval_behaviour.py)
        return
    from pebench.chapters import list_chapters, warm_shared_models

    collected = {Path(item.path).resolve() for item in session.items}
    chapters = {path.resolve() for path in list_chapters(folder)}
    if chapters and chapters <= collected:
        print(f"\ntraining the chapters' shared base models first: {warm_shared_models():.0f} s", flush=True)
