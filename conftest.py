"""Repository-wide pytest configuration (loaded for `tests/` and for nbval over `notebooks/`).

nbval 0.11 executes each cell with ``store_history=False``. IPython decides whether a trailing ``;``
silences a cell's result by looking at the *last stored* input, so under nbval a plotting cell that
ends in ``;`` still prints ``[<matplotlib.lines.Line2D at 0x...>]`` while the committed notebook
(executed by papermill with history, as Jupyter does) has no such output, and the comparison fails.
Below, nbval executes with history too. tests/test_nbval_behaviour.py checks it on a real kernel.
"""

from __future__ import annotations

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
