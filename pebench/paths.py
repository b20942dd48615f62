"""Where things live: the repository root, its figures, and the cache of generated artifacts.

Chapters run from ``notebooks/``, tests and ``make`` from the root: resolving the figures from the
repository root (not the working directory) lets all of them write to one place. The cache of
data, checkpoints and results lives in the user's cache folder, as pip's, Hugging Face's and torch
hub's do: every key names the code, numerics and parameters that determine its entry
(:mod:`pebench.cache`), so a second clone, a CI run on a machine that has built the book before and
a reader's session all reuse what one of them trained.
"""

from __future__ import annotations

import os
from pathlib import Path

CHAPTERS_DIRNAME = "notebooks"
#: The committed figures and tables of the book's own run, at the repository root.
FIGURES_DIRNAME = "figures"
#: Environment variable that moves the artifact folder (data, checkpoints, results).
ARTIFACTS_ENV = "PEBENCH_ARTIFACTS"
#: The cache folder's name inside the user's cache folder (``$XDG_CACHE_HOME``, else ``~/.cache``).
CACHE_NAME = "pebench"
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
    """The cache of generated data, checkpoints and results: ``$PEBENCH_ARTIFACTS`` if set, else
    ``$XDG_CACHE_HOME/pebench``, else ``~/.cache/pebench`` (the XDG base directory rule)."""
    if os.environ.get(ARTIFACTS_ENV):
        return Path(os.environ[ARTIFACTS_ENV]).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the rule: a relative or empty value is ignored
        base = str(Path.home() / ".cache")
    return (Path(base) / CACHE_NAME).resolve()


def book_figures_dir() -> Path:
    """``<repo>/figures``: where the book's own run of the chapters saves (committed)."""
    return find_repo_root() / FIGURES_DIRNAME


def figures_dir() -> Path:
    """``$PEBENCH_FIGURES``, else ``<repo>/figures``: the committed PNG figures and CSV tables the chapters write."""
    path = Path(os.environ[FIGURES_ENV]).resolve() if FIGURES_ENV in os.environ else book_figures_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path
