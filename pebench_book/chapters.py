"""List and execute the book's chapter notebooks: the one place that knows how.

Why this module exists: the book's chapters are parameterized notebooks (``notebooks/NN_*.ipynb``)
that are executed ahead of time and committed with their outputs; the book build does not run them
(``execute_notebooks: off``) and ``make test`` re-executes them with nbval to check that the committed
outputs still hold. Executing them therefore has to be reproducible and has to leave a diff that shows
only real changes. ``make book``, the README and people all go through this module, which

* finds the chapters (``list_chapters``) in ``<repo>/notebooks``;
* runs one with papermill on the ``python3`` kernel (``run_chapter``), optionally with parameters,
  through a temporary file, so that a failed run never clobbers the committed notebook; a run with
  other parameters (a variant) writes its notebook to ``variants/`` unless told another file, and its
  figures and tables beside that notebook (:mod:`pebench.outputs`), never over the book's;
* post-processes the result (``tidy_notebook``): papermill's ``injected-parameters`` cell gets the
  ``remove-input`` tag (papermill cannot add it, and the book would otherwise show it) and a stable
  cell id, and the execution timestamps, durations and temporary paths that papermill and nbclient
  write into the metadata are removed, since they would make every rerun churn.

Command line (:mod:`pebench.cli`, the one parser)::

    pebench chapters list
    pebench chapters warm
    pebench chapters run [--only NN ...] [-p NAME VALUE ...]
    pebench run-chapter NN [-p NAME VALUE ...] [-o OUTPUT]

Chapters run with their own folder as the working directory by default, like Jupyter, Binder and
nbval (which ``make test`` uses to re-execute them) do; ``find_repo_root()`` gives notebooks a
working-directory-independent way to reach files at the repository root.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat

from pebench import outputs, profiling
from pebench.cache import atomic_write_json, atomic_write_text
from pebench.chapter_parameters import PARAMETERS_TAG, chapter_parameters
from pebench.paths import CHAPTERS_DIRNAME, find_repo_root
from pebench_book import profile

log = logging.getLogger(__name__)

CHAPTER_PATTERN = re.compile(r"^(?P<number>\d{2})_[^/]+\.ipynb$")
KERNEL_NAME = "python3"
#: papermill's tag of the cell it injects after a chapter's parameters cell.
INJECTED_TAG = "injected-parameters"
REMOVE_INPUT_TAG = "remove-input"
#: Jupyter Book folds such a cell's code behind a "show" toggle and shows its output.
HIDE_INPUT_TAG = "hide-input"
#: A chapter shows a code cell of at most this many lines; a longer one is plumbing and is folded.
VISIBLE_CELL_LINES = 5
#: Lines that make a code cell plumbing: numbers glued into the prose, tables saved for ``figures/``.
PLUMBING_CALLS = ("glue_all(", "save_table(")
# A fixed id for the injected cell: papermill creates it with a random one on every run.
INJECTED_CELL_ID = "papermill-injected-parameters"
# Cell metadata written at each execution: papermill's timing/status and nbclient's timestamps.
VOLATILE_CELL_METADATA = ("papermill", "execution")
# Notebook-level papermill metadata that changes with every run (the parameters are kept).
VOLATILE_NOTEBOOK_PAPERMILL = ("start_time", "end_time", "duration", "input_path", "output_path")


class UnknownChapterError(LookupError):
    """No chapter has the requested number."""


def chapters_dir(start: str | os.PathLike[str] | None = None) -> Path:
    """``<repo>/notebooks`` for the repository at or above ``start`` (default: the working directory)."""
    return find_repo_root(start) / CHAPTERS_DIRNAME


def __getattr__(name: str) -> Any:
    # CHAPTERS_DIR is looked up when asked for, so that it follows the working directory.
    if name == "CHAPTERS_DIR":
        return chapters_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def list_chapters(directory: str | os.PathLike[str] | None = None) -> list[Path]:
    """The chapter notebooks ``NN_*.ipynb`` in ``directory`` (default: ``CHAPTERS_DIR``), sorted."""
    folder = Path(directory) if directory is not None else chapters_dir()
    if not folder.is_dir():
        raise FileNotFoundError(f"chapter folder {folder} does not exist")
    return sorted(p for p in folder.iterdir() if p.is_file() and CHAPTER_PATTERN.match(p.name))


def chapter_number(path: str | os.PathLike[str]) -> str:
    """The two-digit number of a chapter file, e.g. ``'02'`` for ``02_finetune.ipynb``."""
    match = CHAPTER_PATTERN.match(Path(path).name)
    if not match:
        raise ValueError(f"{path} is not a chapter notebook (NN_name.ipynb)")
    return match["number"]


def select_chapters(numbers: Iterable[str | int], chapters: Sequence[Path]) -> list[Path]:
    """The chapters with the given numbers (``'2'``, ``'02'`` and ``2`` all mean chapter 02), in order."""
    by_number = {chapter_number(p): p for p in chapters}
    selected = []
    for raw in numbers:
        text = str(raw).strip()
        key = f"{int(text):02d}" if text.isdigit() else text
        if key not in by_number:
            available = ", ".join(f"{n} ({p.name})" for n, p in by_number.items()) or "none"
            raise UnknownChapterError(f"no chapter {text!r}; available chapters: {available}")
        if by_number[key] not in selected:
            selected.append(by_number[key])
    return selected


#: The kinds of value a parameter may take, by the kind of its default (an int is a valid float).
_COMPATIBLE = {bool: (bool,), int: (int,), float: (int, float), str: (str,), list: (list, tuple), dict: (dict,)}


def check_parameters(chapter: str | os.PathLike[str], given: Mapping[str, Any]) -> None:
    """Fail before any kernel starts if a parameter is not one of ``chapter``'s, or not a valid value.

    A parameter named like one of the book's settings (``methods``, ``forget_ratio``, ...; its
    default ``None`` means the setting's) is checked as :class:`pebench.setting.Setting` checks it;
    any other must be of the kind of its default (a number where the default is a number, a list
    where it is a list), and method or target names must be registered ones. The error names the
    parameter, the chapter and what it accepts.
    """
    from pebench.setting import check_parameter, is_setting

    defaults = {p.name: p.default for p in chapter_parameters(chapter)}
    name = Path(chapter).name
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ValueError(
            f"chapter {name} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters: {', '.join(defaults) or 'none'}"
        )
    for key, value in given.items():
        if is_setting(key):
            try:
                check_parameter(key, value)
            except ValueError as error:
                raise ValueError(f"chapter {name}: {error}") from None
            continue
        try:
            default = ast.literal_eval(defaults[key])
        except (ValueError, SyntaxError):
            continue  # an expression, not a literal: nothing to compare with
        if default is None or value is None:
            continue
        allowed = _COMPATIBLE.get(type(default), (type(default),))
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            raise ValueError(
                f"parameter {key!r} of chapter {name} must be a {type(default).__name__} like its default "
                f"{defaults[key]}, got {value!r}"
            )
        _check_names(key, value)


def _check_names(key: str, value: Any) -> None:
    """Method and target names (one, a list, or the keys of a dict) must be registered ones."""
    from pebench.experiment import method_names  # the registries: only when parameters are checked
    from pebench.targets import TARGETS

    registry = {
        "sweep_methods": method_names(),
        "figure_method": method_names(),
        "betas": method_names(),
        "targets": TARGETS,
        "budget_targets": TARGETS,
    }.get(key)
    if registry is None:
        return
    names = [value] if isinstance(value, str) else list(value)
    for entry in names:
        if entry not in registry:
            raise ValueError(f"parameter {key!r}: {entry!r} is not one of {registry}")


def strip_injected_parameters(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop papermill's ``injected-parameters`` cells and the parameters it recorded with them, in place.

    A run without parameters must use the notebook's defaults, but papermill, given no parameters,
    keeps the injected cell and the recorded parameters of an earlier parameterized run."""
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]
    papermill = nb.get("metadata", {}).get("papermill")
    if isinstance(papermill, dict) and "parameters" in papermill:
        papermill["parameters"] = {}  # papermill records the parameters only when it injects some
    return nb


def is_plumbing(cell: nbformat.NotebookNode) -> bool:
    """Whether a chapter folds this code cell's input, so that the chapter reads as prose and results.

    Folded: the ``parameters`` cell (the "Reproduce it" page lists the parameters), any cell that
    imports, glues numbers into the prose or saves a table for ``figures/`` (:data:`PLUMBING_CALLS`),
    and any cell longer than :data:`VISIBLE_CELL_LINES` lines. What stays in view is the short call a
    reader would copy.
    """
    if cell.get("cell_type") != "code":
        return False
    lines = [line for line in cell.get("source", "").strip().splitlines() if line.strip()]
    return (
        PARAMETERS_TAG in cell.get("metadata", {}).get("tags", [])
        or any(line.startswith(("import ", "from ", *PLUMBING_CALLS)) for line in lines)
        or len(lines) > VISIBLE_CELL_LINES
    )


def tidy_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Post-process a notebook executed by papermill, in place (idempotent), and return it.

    * tag the ``injected-parameters`` cell ``remove-input`` and give it a stable id;
    * tag every plumbing cell (:func:`is_plumbing`) ``hide-input``;
    * remove per-cell execution metadata (``metadata.papermill``, ``metadata.execution``);
    * remove papermill's run timestamps, duration and input/output paths from the notebook metadata,
      keeping the parameters it records.
    """
    taken_ids = {c.get("id") for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])}
    for cell in nb.cells:
        metadata = cell.setdefault("metadata", nbformat.NotebookNode())
        for key in VOLATILE_CELL_METADATA:
            metadata.pop(key, None)
        tags = metadata.get("tags", [])
        if INJECTED_TAG in tags:
            if REMOVE_INPUT_TAG not in tags:
                metadata["tags"] = [*tags, REMOVE_INPUT_TAG]
            if "id" in cell and INJECTED_CELL_ID not in taken_ids:
                cell["id"] = INJECTED_CELL_ID
        elif is_plumbing(cell) and HIDE_INPUT_TAG not in tags:
            metadata["tags"] = [*tags, HIDE_INPUT_TAG]
    papermill = nb.get("metadata", {}).get("papermill")
    if isinstance(papermill, dict):
        for key in VOLATILE_NOTEBOOK_PAPERMILL:
            papermill.pop(key, None)
    return nb


def record_provenance(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Record, in the notebook's metadata (``metadata.pebench.numerics``), what its numbers were
    computed with: CPU, kernels, libraries, numerics mode and fingerprint (:func:`pebench.numerics.provenance`).

    The kernel that executed the chapter imported ``pebench`` under the same environment on the
    same machine as this process, so it ran under the same numerics. The test suite compares a
    rerun bit for bit only where the machine's fingerprint equals the recorded one.
    """
    from pebench import numerics  # torch: only when a chapter has been executed

    nb.metadata.setdefault("pebench", {})["numerics"] = numerics.provenance()
    return nb


def recorded_provenance(path: str | os.PathLike[str]) -> dict[str, str]:
    """What :func:`record_provenance` wrote into the chapter at ``path`` (empty if nothing)."""
    nb = nbformat.read(Path(path), as_version=4)
    return dict(nb.metadata.get("pebench", {}).get("numerics", {}))


def _describe_kernel(kernel_name: str) -> str:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except Exception as error:  # noqa: BLE001 - only used for a log line; papermill reports the real error
        return f"kernel {kernel_name!r} not found ({error})"
    return f"kernel {kernel_name!r}: {' '.join(spec.argv[:1])} (spec in {spec.resource_dir})"


def run_chapter(
    path: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    *,
    cwd: str | os.PathLike[str] | None = None,
    kernel_name: str = KERNEL_NAME,
    log_output: bool = False,
) -> Path:
    """Execute the chapter notebook ``path`` with papermill and write it, tidied, to ``output``.

    ``output`` defaults to ``path`` (in place) at the chapter's defaults and, for a variant (a
    parameter off its default), to ``variants/`` (:func:`pebench.outputs.written_notebook`): a
    reader's run never replaces a committed chapter. The kernel is told the notebook it writes, so
    that the chapter saves its figures and tables where :mod:`pebench.outputs` says. ``output`` is
    replaced only once the run has succeeded. On a failure the partly executed notebook is kept in a
    temporary folder, whose path the log and the raised error give. ``cwd`` defaults to the notebook's
    own folder (as in Jupyter, Binder and nbval). Returns the output path.
    """
    import papermill  # imported here: listing chapters needs no Jupyter machinery

    source = Path(path).resolve()
    parameters = dict(parameters or {})
    changed = outputs.changed_parameters(source, parameters)
    target = outputs.written_notebook(source, output, changed)
    workdir = Path(cwd).resolve() if cwd is not None else source.parent

    log.info("running %s -> %s (cwd %s, parameters %s)", source.name, target, workdir, parameters or "defaults")
    log.debug("%s", _describe_kernel(kernel_name))
    nb = nbformat.read(source, as_version=4)
    if not parameters:
        strip_injected_parameters(nb)

    scratch = Path(tempfile.mkdtemp(prefix=f"pebench-{source.stem}-"))
    staged, executed = scratch / source.name, scratch / f"executed-{source.name}"
    nbformat.write(nb, staged)
    try:
        with kernel_environment(outputs.CHAPTER_OUTPUT_ENV, str(target)):
            papermill.execute_notebook(
                str(staged),
                str(executed),
                parameters=parameters,
                kernel_name=kernel_name,
                cwd=str(workdir),
                progress_bar=False,
                log_output=log_output,
            )
    except Exception:
        log.error("%s failed; the partly executed notebook is %s", source.name, executed)
        raise
    result = tidy_notebook(nbformat.read(executed, as_version=4))
    record_provenance(result)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(result)
    atomic_write_text(target, text if text.endswith("\n") else text + "\n")  # as nbformat.write ends it
    shutil.rmtree(scratch, ignore_errors=True)
    log.info("wrote %s; its figures and tables are in %s", target, outputs.destination(source, target, changed))
    return target


@contextlib.contextmanager
def kernel_environment(name: str, value: str) -> Iterator[None]:
    """Set ``$name`` for the kernels started inside the block (they inherit this process's environment)."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def warm_shared_models() -> float:
    """Train the base models the chapters share at default parameters, in parallel; return the seconds.

    A full default run does this before the first chapter (:func:`pebench.workers.train_shared_models`):
    chapters 2, 3 and 5 would otherwise each train theirs with a core idle. The chapters then load
    the same checkpoints they would have trained, so their outputs do not change.
    """
    from pebench.workers import train_shared_models  # torch: only when models are trained

    start = time.perf_counter()
    log.info("training the base models the chapters share (fine-tuned model, retrain oracles)")
    train_shared_models(progress=True)  # a progress bar per stage: this is the longest silent step otherwise
    seconds = round(time.perf_counter() - start, 1)
    log.info("shared base models took %.0f s", seconds)
    return seconds


def run_all(
    directory: str | os.PathLike[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    *,
    only: Iterable[str | int] | None = None,
    times_path: str | os.PathLike[str] | None = None,
    progress: bool = False,
    **kwargs: Any,
) -> list[Path]:
    """Execute every chapter in ``directory`` (default: ``CHAPTERS_DIR``), in order, stopping
    at the first failure (later chapters may use what earlier ones produced). ``only`` restricts the
    run to the given chapter numbers; other keyword arguments go to ``run_chapter``. With
    ``times_path`` (a full run at default parameters: the book build), the shared base models are
    trained first (:func:`warm_shared_models`), the wall-clock seconds of that and of each chapter
    are written there as JSON (the book's time budget is tracked in ``benchmarks/``), and every
    process's stages beside it (:func:`pebench_book.profile.profile_path`). ``progress`` shows a
    bar over the chapters. The one loop that runs the book: ``pebench book`` and
    ``pebench chapters run`` both call it."""
    folder = Path(directory) if directory is not None else chapters_dir()
    chapters = list_chapters(folder)
    if only is not None:
        chapters = select_chapters(only, chapters)
    if not chapters:
        raise FileNotFoundError(f"no chapter notebooks (NN_*.ipynb) in {folder}")
    if times_path is None:
        return [run_chapter(chapter, parameters=parameters, **kwargs) for chapter in _progress(chapters, progress)]
    # The book's own run: shared models first, every process profiled (pebench.profiling).
    records = Path(tempfile.mkdtemp(prefix="pebench-profile-"))
    try:
        with kernel_environment(profiling.PROFILE_ENV, str(records)):
            with kernel_environment(profiling.CONTEXT_ENV, profile.SHARED_MODELS):
                seconds = {profile.SHARED_MODELS: warm_shared_models()}
            written = []
            for chapter in _progress(chapters, progress):
                start = time.perf_counter()
                with kernel_environment(profiling.CONTEXT_ENV, chapter.name):
                    written.append(run_chapter(chapter, parameters=parameters, **kwargs))
                seconds[chapter.name] = round(time.perf_counter() - start, 1)
                log.info("%s took %.0f s", chapter.name, seconds[chapter.name])
        shared = seconds.pop(profile.SHARED_MODELS)
        write_times(seconds, times_path, parameters, shared_models_seconds=shared)
        record = profile.book_profile(profile.read_records(records), {profile.SHARED_MODELS: shared, **seconds})
        atomic_write_json(profile.profile_path(Path(times_path)), record)
    finally:
        shutil.rmtree(records, ignore_errors=True)
    return written


def _progress(chapters: Sequence[Path], progress: bool) -> Iterator[Path]:
    """The chapters, with a bar over them that names the one running."""
    from tqdm.auto import tqdm

    bar = tqdm(chapters, desc="chapters", unit="chapter", disable=not progress, dynamic_ncols=True)
    log.info("%d chapter(s) to run: %s", len(chapters), ", ".join(p.name for p in chapters))
    for chapter in bar:
        bar.set_postfix_str(chapter.name)
        yield chapter


def write_times(
    seconds: Mapping[str, float],
    path: str | os.PathLike[str],
    parameters: Mapping[str, Any] | None = None,
    *,
    shared_models_seconds: float = 0.0,
) -> None:
    """Record a full chapter run's wall-clock seconds: the shared base models trained first, then each
    chapter (the book's time budget is tracked in ``benchmarks/results/chapter_times.json``)."""
    total = shared_models_seconds + sum(seconds.values())
    record = {
        "shared_models_seconds": shared_models_seconds,
        "chapters": dict(seconds),
        "total_seconds": round(total, 1),
        "parameters": dict(parameters or {}),
        "cpu_count": os.cpu_count(),
    }
    atomic_write_json(Path(path), record)


def times_path(folder: str | os.PathLike[str] | None = None) -> Path:
    """Where a full default run of the chapters records its time per chapter."""
    return find_repo_root(folder) / "benchmarks" / "results" / "chapter_times.json"
