"""The book's figure style, applied by each plotting function to its own figure only.

Figures are drawn with seaborn's ``notebook`` context, its ``deep`` colour cycle and a grid style
chosen per figure. Setting that globally (``seaborn.set_theme``) in every chapter would make a
figure's look depend on which chapter ran before it; here a figure gets its style from the
function that draws it, inside a ``matplotlib.rc_context`` that leaves the caller's settings alone.

Matplotlib resolves a colour given as ``"C3"`` (the fourth of the colour cycle) when the figure is
drawn, which is after the plotting function has returned; plotting functions therefore pass
:func:`cycle_colour` (resolved inside their style) rather than the bare ``"C3"``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def book_style(style: str = "whitegrid") -> Iterator[None]:
    """Seaborn's ``style`` (``"whitegrid"``, ``"white"``, ...), ``notebook`` context and ``deep``
    palette for the figures drawn inside the block."""
    import matplotlib as mpl
    import seaborn as sns

    rc = {
        **sns.axes_style(style),
        **sns.plotting_context("notebook"),
        "axes.prop_cycle": mpl.cycler(color=sns.color_palette("deep")),
    }
    with mpl.rc_context(rc):
        yield


def cycle_colour(spec: str) -> tuple[float, float, float, float]:
    """The RGBA of a colour spec such as ``"C3"`` under the style in force now."""
    from matplotlib.colors import to_rgba

    return to_rgba(spec)


def styled(style: str = "whitegrid") -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a plotting function so that it draws in :func:`book_style` ``style``."""

    def decorate(plot: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(plot)
        def styled_plot(*args: P.args, **kwargs: P.kwargs) -> R:
            with book_style(style):
                return plot(*args, **kwargs)

        return styled_plot

    return decorate
