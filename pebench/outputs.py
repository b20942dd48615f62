"""Where a chapter run saves its figures and tables: the book's own run into the committed ``figures/``,
a reader's variant beside the notebook it writes.

Why: ``figures/`` holds the published exports, and a reader who explores other parameters must not
silently rewrite them (``git status`` would be the only sign). So every chapter starts its run with
:func:`chapter_run`, which applies one rule, whatever entry point executes the chapter (the
``pebench`` command, papermill, Jupyter or Binder, nbval):

1. ``$PEBENCH_FIGURES`` is set: there (an explicit choice; ``pebench verify`` makes it for its reruns).
2. The book's own run, that is, every parameter at the chapter's default (its ``parameters`` cell,
   :mod:`pebench.chapter_parameters`) and the notebook written in place, or to a file the run
   cannot know: ``<repo>/figures``, as committed.
3. A variant, that is, any parameter off its default or the notebook written to another file:
   ``<output stem>_figures/`` beside the output notebook, or, when the run cannot know that
   notebook, ``<chapter stem>_figures/`` in the kernel's working directory. The folder also gets
   ``run.json``: the chapter, the changed parameters and the output notebook.

A kernel learns the notebook it writes from ``$PEBENCH_CHAPTER_OUTPUT`` (set by
:func:`pebench_book.chapters.run_chapter`, behind ``pebench run-chapter`` and ``pebench chapters
run``), from papermill's ``PAPERMILL_OUTPUT_PATH`` parameter (``papermill --inject-output-path``) or
from Jupyter's ``$JPY_SESSION_NAME``. Plain papermill tells the kernel neither: a variant's figures
then go to the working directory, and a run at the defaults into another file cannot be told from
the book's own (it writes what the book's run would).

A variant run through ``pebench`` without an output file is written to ``variants/`` at the
repository root (:func:`written_notebook`), never over the committed chapter.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pebench
from pebench import figures
from pebench.cache import atomic_write_json
from pebench.chapter_parameters import default_values
from pebench.paths import CHAPTERS_DIRNAME, FIGURES_DIRNAME, FIGURES_ENV, book_figures_dir, figures_dir, find_repo_root

#: The notebook a chapter run writes, as the ``pebench`` command tells the kernel it starts.
CHAPTER_OUTPUT_ENV = "PEBENCH_CHAPTER_OUTPUT"
#: papermill's parameter with the output notebook (``papermill --inject-output-path``).
PAPERMILL_OUTPUT_PARAMETER = "PAPERMILL_OUTPUT_PATH"
#: Jupyter's variable with the notebook of a kernel's session (an absolute path, or one relative to
#: the server's root).
JUPYTER_SESSION_ENV = "JPY_SESSION_NAME"
#: A variant's folder is named after its notebook's stem plus this.
VARIANT_FIGURES_SUFFIX = "_figures"
#: Where a variant run through ``pebench`` without an output file writes its notebook (git-ignored).
VARIANTS_DIRNAME = "variants"
#: The record of a variant, in its figures folder.
RUN_RECORD = "run.json"


def find_chapter(number: str, root: str | os.PathLike[str] | None = None) -> Path:
    """The committed chapter notebook ``notebooks/<number>_*.ipynb`` of the repository."""
    folder = find_repo_root(root) / CHAPTERS_DIRNAME
    matches = sorted(folder.glob(f"{number}_*.ipynb"))
    if len(matches) != 1:
        raise LookupError(f"expected one chapter {number}_*.ipynb in {folder}, found {[p.name for p in matches]}")
    return matches[0]


def changed_parameters(chapter: str | os.PathLike[str], values: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters among ``values`` whose value differs from ``chapter``'s default."""
    defaults = default_values(chapter)
    unknown = sorted(set(values) - set(defaults))
    if unknown:
        raise ValueError(f"{Path(chapter).name} has no parameter {unknown}; its parameters: {list(defaults)}")
    return {name: value for name, value in values.items() if value != defaults[name]}


def is_variant(chapter: str | os.PathLike[str], output: str | os.PathLike[str] | None, changed: Mapping) -> bool:
    """Whether a run of ``chapter`` writing notebook ``output`` (None: not known) with the parameters
    ``changed`` from their defaults is a reader's variant rather than the book's own run."""
    return bool(changed) or (output is not None and Path(output).resolve() != Path(chapter).resolve())


def destination(chapter: str | os.PathLike[str], output: str | os.PathLike[str] | None, changed: Mapping) -> Path:
    """Where such a run saves its figures and tables (the rule of this module's docstring)."""
    if FIGURES_ENV in os.environ or not is_variant(chapter, output, changed):
        return figures_dir()
    if output is None:
        return Path.cwd() / f"{Path(chapter).stem}{VARIANT_FIGURES_SUFFIX}"
    written = Path(output).resolve()
    return written.with_name(f"{written.stem}{VARIANT_FIGURES_SUFFIX}")


def written_notebook(chapter: str | os.PathLike[str], output: str | os.PathLike[str] | None, changed: Mapping) -> Path:
    """The notebook a ``pebench`` run of ``chapter`` writes: ``output`` when given, else the chapter
    itself at its defaults, else (a variant) ``variants/<chapter file name>`` at the root of the
    repository holding the chapter (beside the chapter when none does): a variant replaces the
    chapter only when ``output`` names it."""
    chapter = Path(chapter).resolve()
    if output is not None:
        return Path(output).resolve()
    if not changed:
        return chapter
    try:
        folder = find_repo_root(chapter.parent)
    except FileNotFoundError:  # a notebook of the reader's own, outside any checkout
        folder = chapter.parent
    return folder / VARIANTS_DIRNAME / chapter.name


def output_notebook(namespace: Mapping[str, Any]) -> Path | None:
    """The notebook this kernel's run writes, when the entry point said so (else None)."""
    if os.environ.get(CHAPTER_OUTPUT_ENV):
        return Path(os.environ[CHAPTER_OUTPUT_ENV]).resolve()
    if namespace.get(PAPERMILL_OUTPUT_PARAMETER):
        return Path(namespace[PAPERMILL_OUTPUT_PARAMETER]).resolve()
    session = os.environ.get(JUPYTER_SESSION_ENV, "")
    if session.endswith(".ipynb"):
        path = Path(session)
        return path.resolve() if path.is_absolute() else Path.cwd() / path.name  # the kernel runs in its folder
    return None


@dataclass(frozen=True)
class ChapterRun:
    """One execution of a chapter: which chapter, the notebook it writes, what it changed, where it saves."""

    chapter: Path
    output: Path | None
    changed: dict[str, Any]
    figures: Path

    @classmethod
    def planned(cls, chapter: Path, output: Path | None, changed: dict[str, Any]) -> ChapterRun:
        """The run of ``chapter`` writing ``output`` with ``changed`` parameters, saving where the rule says."""
        return cls(chapter, output, changed, destination(chapter, output, changed))

    @property
    def is_variant(self) -> bool:
        return is_variant(self.chapter, self.output, self.changed)

    def record(self) -> dict[str, Any]:
        """What ``run.json`` holds: the chapter, its changed parameters, the notebook and the folder."""
        return {
            "chapter": self.chapter.name,
            "changed_parameters": {name: _jsonable(value) for name, value in self.changed.items()},
            "output_notebook": str(self.output) if self.output else None,
            "figures": str(self.figures),
            "pebench": pebench.__version__,
        }

    def describe(self) -> str:
        """One line saying whose run this is and where its figures and tables are."""
        where = f"{FIGURES_DIRNAME}/" if self.figures == book_figures_dir() else str(self.figures)
        if not self.is_variant:
            return f"The book's own run of {self.chapter.name}: its figures and tables are in {where}."
        changes = ", ".join(f"{name}={value!r}" for name, value in self.changed.items()) or "none"
        written = self.output or "not known to this kernel"
        return (
            f"A variant of {self.chapter.name} (parameters changed: {changes}; notebook: {written}): "
            f"its figures and tables are in {where}."
        )

    def finish(self) -> None:
        """Print where this run's figures and tables went (a chapter's last cell)."""
        print(self.describe())
        if self.is_variant:
            saved = sorted(path.name for path in self.figures.iterdir() if path.name != RUN_RECORD)
            print(f"{len(saved)} file(s) there: {', '.join(saved)}")


def chapter_run(number: str, namespace: Mapping[str, Any]) -> ChapterRun:
    """Start a run of chapter ``number`` whose parameters are in ``namespace`` (a notebook's ``globals()``):
    decide where it saves (:func:`destination`), direct :mod:`pebench.figures` there and, for a variant,
    write ``run.json`` and say so at once."""
    chapter = find_chapter(number)
    names = list(default_values(chapter))
    missing = [name for name in names if name not in namespace]
    if missing:
        raise NameError(f"chapter_run({number!r}) must follow the parameters cell; not defined: {missing}")
    changed = changed_parameters(chapter, {name: namespace[name] for name in names})
    output = output_notebook(namespace)
    run = ChapterRun.planned(chapter, output, changed)
    run.figures.mkdir(parents=True, exist_ok=True)
    figures.save_into(run.figures)
    if run.is_variant:
        atomic_write_json(run.figures / RUN_RECORD, run.record())
        print(run.describe())
    return run


def _jsonable(value: Any) -> Any:
    """``value`` if JSON can hold it, else its ``repr``."""
    try:
        json.dumps(value)
    except TypeError:
        return repr(value)
    return value
