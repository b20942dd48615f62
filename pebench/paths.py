"""Where things live: the repository root, its generated artifacts and its figures.

Chapters run from ``notebooks/``, tests and ``make`` from the root: resolving folders from the
repository root (not the working directory) lets all of them share one artifact cache.
"""

from __future__ import annotations

import os
from pathlib import Path

CHAPTERS_DIRNAME = "notebooks"
#: The committed figures and tables of the book's own run, at the repository root.
FIGURES_DIRNAME = "figures"
#: Environment variable that moves the artifact folder (data, checkpoints, results).
ARTIFACTS_ENV = "PEBENCH_ARTIFACTS"
#: Environment variable that moves the folder the chapters save their figures and tables in (a rerun
#: that is compared with the published book must not overwrite the committed ``figures/``; see
#: :mod:`pebench.outputs` for where a reader's variant saves them).
FIGURES_ENV = "PEBENCH_FIGURES"


def _is_repo_root(folder: Path) -> bool:
    return (folder / "pyproject.toml").is_file() and (
        (folder / CHAPTERS_DIRNAME).is_dir() or (folder / "_toc.yml").is_file()
    )


def find_repo_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The repository root: the first folder at or above ``start`` (default: the working directory)
    that holds ``pyproject.toml`` and a ``notebooks`` folder or the book's ``_toc.yml``. Without
    ``start``, falls back to the source checkout this module was imported from (an editable install)."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_repo_root(folder):
            return folder
    checkout = Path(__file__).resolve().parents[1]
    if start is None and _is_repo_root(checkout):
        return checkout
    raise FileNotFoundError(
        f"no pebench repository (pyproject.toml + {CHAPTERS_DIRNAME}/ or _toc.yml) at or above {here}"
    )


def artifacts_dir() -> Path:
    """Generated bulk (git-ignored): ``$PEBENCH_ARTIFACTS``, else ``<repo>/artifacts``, else ``./artifacts``."""
    if ARTIFACTS_ENV in os.environ:
        return Path(os.environ[ARTIFACTS_ENV]).resolve()
    try:
        return find_repo_root() / "artifacts"
    except FileNotFoundError:
        return Path("artifacts").resolve()


def book_figures_dir() -> Path:
    """``<repo>/figures``: where the book's own run of the chapters saves (committed)."""
    return find_repo_root() / FIGURES_DIRNAME


def figures_dir() -> Path:
    """``$PEBENCH_FIGURES``, else ``<repo>/figures``: the committed PNG figures and CSV tables the chapters write."""
    path = Path(os.environ[FIGURES_ENV]).resolve() if FIGURES_ENV in os.environ else book_figures_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path
