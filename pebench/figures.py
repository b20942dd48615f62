"""Saving the book's figures and tables under ``<repo>/figures``, byte-for-byte reproducibly.

A chapter run that is not the book's own (other parameters, another output notebook) saves them
elsewhere: :mod:`pebench.outputs` decides where and calls :func:`save_into`.

Every chapter writes what it shows to ``figures/<NN>_<name>.png`` (figures) and
``figures/<NN>_<name>.csv`` (tables), and those files are committed. A chapter is re-executed
by ``make book`` and by nbval in ``make test``, so a rerun that changes nothing must leave the
files byte-identical, or every run would churn the repository. Hence the fixed resolution, the
PNG metadata without matplotlib's version stamp, and the fixed float format and line endings of
the CSV files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from pebench.paths import figures_dir

if TYPE_CHECKING:  # imported for annotations only: saving a table must not import matplotlib
    import pandas as pd
    from matplotlib.figure import Figure

DPI = 150
FLOAT_FORMAT = "%.4f"
# A bare file stem: the chapter number and a name, no folders, no suffix.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# The folder a chapter run chose (pebench.outputs.chapter_run); None: figures_dir().
_folder: Path | None = None


def save_into(folder: Path | None) -> None:
    """Save this process's figures and tables into ``folder`` from now on (None: :func:`pebench.paths.figures_dir`)."""
    global _folder
    _folder = folder


def _target(name: str, suffix: str) -> Path:
    if not _NAME.match(name) or name.endswith((".png", ".csv")):
        raise ValueError(f"name must be a bare file stem such as '01_samples' (no folder, no suffix), got {name!r}")
    return (_folder if _folder is not None else figures_dir()) / f"{name}{suffix}"


def save_figure(fig: Figure, name: str) -> Path:
    """Write ``fig`` to ``figures/<name>.png`` and return that path.

    ``dpi`` and ``bbox_inches="tight"`` are fixed so that every chapter's figures look alike;
    ``metadata={"Software": None}`` drops the matplotlib version stamp, the only part of a PNG
    written by matplotlib's Agg backend that would differ between otherwise identical runs.
    """
    path = _target(name, ".png")
    fig.savefig(path, dpi=DPI, bbox_inches="tight", format="png", metadata={"Software": None})
    return path


def save_table(df: pd.DataFrame, name: str) -> Path:
    """Write ``df`` to ``figures/<name>.csv`` (floats with 4 decimals, ``\\n`` line endings) and return the path.

    The index is written only when it carries information (it is named, or not the default
    0..n-1 range), so a table indexed by, say, ``domain`` keeps that column and a plain one
    does not gain a meaningless first column.
    """
    import pandas as pd

    path = _target(name, ".csv")
    index = df.index
    default_index = isinstance(index, pd.RangeIndex) and index.name is None and (index.start, index.step) == (0, 1)
    df.to_csv(path, index=not default_index, float_format=FLOAT_FORMAT, lineterminator="\n", encoding="utf-8")
    return path
