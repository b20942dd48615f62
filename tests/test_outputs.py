"""Where a chapter run saves its figures and tables (:mod:`pebench.outputs`).

The rule first, without a kernel; then a real variant of chapter 1 through each entry point a
reader has (the ``pebench`` command, papermill, a Jupyter session), each of which must leave every
tracked file of the repository as it was and put its figures where the run said.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from pebench import outputs
from pebench.chapter_parameters import default_values
from pebench.paths import FIGURES_ENV, book_figures_dir

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = outputs.find_chapter("01", ROOT)
#: A variant of chapter 1 that changes a figure (its sample grid) and no model: cheap to run.
VARIANT = {"grid_persons": 2}
#: What the variant of chapter 1 saves, at least.
SAVED = ("01_samples.png", "01_statistics.csv")


@pytest.fixture(autouse=True)
def _no_explicit_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (FIGURES_ENV, outputs.CHAPTER_OUTPUT_ENV, outputs.JUPYTER_SESSION_ENV):
        monkeypatch.delenv(name, raising=False)


# -- the rule ---------------------------------------------------------------------------------------
def test_the_books_own_run_saves_into_the_committed_figures() -> None:
    assert outputs.destination(CHAPTER, None, {}) == book_figures_dir()
    assert outputs.destination(CHAPTER, CHAPTER, {}) == book_figures_dir()
    assert not outputs.is_variant(CHAPTER, CHAPTER, {})


def test_a_variant_saves_beside_its_notebook(tmp_path: Path) -> None:
    out = tmp_path / "mine.ipynb"
    assert outputs.destination(CHAPTER, out, {}) == tmp_path / "mine_figures"  # another file, defaults
    assert outputs.destination(CHAPTER, out, VARIANT) == tmp_path / "mine_figures"
    assert outputs.destination(CHAPTER, CHAPTER, VARIANT) == CHAPTER.with_name("01_dataset_figures")  # in place


def test_a_variant_whose_notebook_is_unknown_saves_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert outputs.destination(CHAPTER, None, VARIANT) == tmp_path / "01_dataset_figures"


def test_an_explicit_folder_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FIGURES_ENV, str(tmp_path / "here"))
    assert outputs.destination(CHAPTER, tmp_path / "x.ipynb", VARIANT) == tmp_path / "here"


def test_pebench_never_writes_a_variant_over_the_chapter(tmp_path: Path) -> None:
    assert outputs.written_notebook(CHAPTER, None, {}) == CHAPTER
    assert outputs.written_notebook(CHAPTER, None, VARIANT) == ROOT / outputs.VARIANTS_DIRNAME / CHAPTER.name
    assert outputs.written_notebook(CHAPTER, tmp_path / "x.ipynb", VARIANT) == tmp_path / "x.ipynb"
    own = tmp_path / "mine.ipynb"  # a reader's notebook outside any checkout
    assert outputs.written_notebook(own, None, VARIANT) == tmp_path / outputs.VARIANTS_DIRNAME / own.name


def test_changed_parameters_are_those_off_their_defaults() -> None:
    defaults = default_values(CHAPTER)
    assert outputs.changed_parameters(CHAPTER, {"grid_persons": defaults["grid_persons"], "seed": None}) == {}
    assert outputs.changed_parameters(CHAPTER, {"seed": 3}) == {"seed": 3}
    with pytest.raises(ValueError, match="has no parameter \\['nope'\\]"):
        outputs.changed_parameters(CHAPTER, {"nope": 1})


def test_the_kernel_learns_its_notebook_from_each_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert outputs.output_notebook({}) is None  # plain papermill, nbval
    monkeypatch.setenv(outputs.JUPYTER_SESSION_ENV, "notebooks/mine.ipynb")  # relative to the server's root
    assert outputs.output_notebook({}) == tmp_path / "mine.ipynb"
    monkeypatch.setenv(outputs.JUPYTER_SESSION_ENV, str(tmp_path / "a" / "b.ipynb"))
    assert outputs.output_notebook({}) == tmp_path / "a" / "b.ipynb"
    papermill = {outputs.PAPERMILL_OUTPUT_PARAMETER: str(tmp_path / "pm.ipynb")}
    assert outputs.output_notebook(papermill) == tmp_path / "pm.ipynb"
    monkeypatch.setenv(outputs.CHAPTER_OUTPUT_ENV, str(tmp_path / "cli.ipynb"))
    assert outputs.output_notebook(papermill) == tmp_path / "cli.ipynb"


def test_a_chapter_run_needs_its_parameters() -> None:
    with pytest.raises(NameError, match="must follow the parameters cell"):
        outputs.chapter_run("01", {})


def test_every_chapter_starts_and_finishes_its_run() -> None:
    """Each chapter applies the rule before it saves anything and says at its end where it saved."""
    for chapter in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = [c for c in nbformat.read(chapter, as_version=4).cells if c.cell_type == "code"]
        code = "\n".join(c.source for c in cells)
        start = code.find(f'chapter_run("{chapter.name[:2]}", globals())')
        first_save = re.search(r"save_table\(|show_figure\(", code)
        assert 0 <= start < first_save.start(), chapter.name
        assert cells[-1].source.startswith("this_run.finish()"), chapter.name


# -- a variant through each entry point (each starts a kernel and runs chapter 1) ------------------
def tracked_state() -> dict[str, int]:
    """Every tracked file of the repository with its modification time: a variant must change none."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    names = [name for name in listed.decode().split("\0") if name]
    return {name: (ROOT / name).stat().st_mtime_ns for name in names if (ROOT / name).exists()}


def git_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def untouched_repository() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: tracked files cannot be listed")
    before, status = tracked_state(), git_status()
    yield
    assert git_status() == status, "a variant run changed tracked files"
    changed = [name for name, mtime in tracked_state().items() if before.get(name) != mtime]
    assert not changed, f"a variant run rewrote tracked files: {changed}"


def said_folder(text: str) -> Path:
    """The folder a run said its figures and tables are in."""
    match = re.search(r"its figures and tables are in (\S+?)\.?$", text, re.MULTILINE)
    assert match, text
    return Path(match[1])


def check_variant(folder: Path, output: Path | None) -> None:
    for name in SAVED:
        assert (folder / name).is_file(), f"{name} missing from {folder}"
    record = json.loads((folder / outputs.RUN_RECORD).read_text())
    assert record["changed_parameters"] == VARIANT and record["chapter"] == CHAPTER.name
    assert record["output_notebook"] == (str(output) if output else None)


def finish_output(notebook: Path) -> str:
    """What the notebook's last cell (``this_run.finish()``) printed."""
    nb = nbformat.read(notebook, as_version=4)
    return "".join(output.get("text", "") for output in nb.cells[-1].outputs)


@pytest.mark.kernel
@pytest.mark.usefixtures("untouched_repository")
def test_a_variant_through_the_pebench_command(tmp_path: Path) -> None:
    out = tmp_path / "ch01_grid2.ipynb"
    argv = ["run-chapter", "01", "-p", "grid_persons", "2", "-o", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "pebench.cli", *argv], cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, result.stderr[-3000:]
    folder = said_folder(result.stdout)
    assert folder == tmp_path / "ch01_grid2_figures"
    assert said_folder(finish_output(out)) == folder  # the notebook's last cell says the same
    check_variant(folder, out)


@pytest.mark.kernel
@pytest.mark.usefixtures("untouched_repository")
def test_a_variant_through_papermill(tmp_path: Path) -> None:
    out = tmp_path / "out.ipynb"
    papermill = Path(sys.executable).with_name("papermill")
    command = [str(papermill), str(CHAPTER), str(out), "-p", "grid_persons", "2", "--cwd", str(tmp_path)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr[-3000:]
    folder = said_folder(finish_output(out))
    assert folder == tmp_path / "01_dataset_figures"  # plain papermill does not tell the kernel its output
    check_variant(folder, None)


@pytest.mark.kernel
@pytest.mark.usefixtures("untouched_repository")
def test_a_variant_in_a_jupyter_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader's copy of the chapter, its parameters cell edited, executed the way Jupyter's server
    does: a kernel in the notebook's folder, told its notebook by ``$JPY_SESSION_NAME``."""
    from nbclient import NotebookClient

    mine = tmp_path / "mine.ipynb"
    nb = nbformat.read(CHAPTER, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = re.sub(r"^grid_persons = \d+", "grid_persons = 2", cell.source, flags=re.MULTILINE)
    nbformat.write(nb, mine)
    monkeypatch.setenv(outputs.JUPYTER_SESSION_ENV, str(mine))  # the kernel inherits it, as from the server
    NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    nbformat.write(nb, mine)  # saved, as Jupyter would
    folder = said_folder(finish_output(mine))
    assert folder == tmp_path / "mine_figures"
    check_variant(folder, mine)
