"""What a chapter's code cells share: publishing a figure and quoting computed numbers in the prose.

A chapter shows what it computes and saves it where the book and the repository keep it
(:func:`show_figure`), showing long text in full (:func:`show_text_table`); its prose reads its numbers with MyST-NB's ``{glue}`` role, from the
dictionaries the library computes (:mod:`pebench.report.highlights`), which :func:`glue_all` records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pebench.figures import save_figure

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


def show_figure(fig: Figure, name: str) -> None:
    """Save ``fig`` as ``figures/<name>.png`` (:func:`pebench.figures.save_figure`) and show it."""
    import matplotlib.pyplot as plt

    save_figure(fig, name)
    plt.show()


def show_text_table(table: pd.DataFrame) -> None:
    """Show ``table`` with its text cells in full (pandas shortens them to 50 characters)."""
    import pandas as pd
    from IPython.display import display

    with pd.option_context("display.max_colwidth", None):
        display(table)


def glue_all(highlights: Mapping[str, object]) -> None:
    """Record every ``{key: value}`` for the prose (``glue(key, value, display=False)``)."""
    from myst_nb import glue

    for key, value in highlights.items():
        glue(key, value, display=False)


def glue_table(name: str, table: pd.DataFrame) -> None:
    """Record ``table`` for a ``{glue}`` directive elsewhere on the page, its text cells in full."""
    import pandas as pd
    from myst_nb import glue

    with pd.option_context("display.max_colwidth", None):
        glue(name, table, display=False)
