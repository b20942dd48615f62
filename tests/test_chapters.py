"""pebench_book.chapters: listing, selection, the command line (``pebench chapters``), and the
post-processing of papermill runs."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from pebench import cli
from pebench_book import chapters


def make_notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    return nb


def write_notebook(path: Path, *cells: nbformat.NotebookNode) -> Path:
    nbformat.write(make_notebook(*cells), path)
    return path


@pytest.fixture
def chapter_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ["02_finetune.ipynb", "01_dataset.ipynb", "10_later.ipynb"]:
        write_notebook(folder / name, new_markdown_cell("# chapter"))
    # Not chapters: no two-digit prefix, hidden, a checkpoint folder, another extension.
    for name in ["1_short.ipynb", "scratch.ipynb", ".01_hidden.ipynb", "03_notes.md", "04_data.ipynb.tmp"]:
        (folder / name).write_text("{}")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / "05_folder.ipynb").mkdir()
    return folder


def injected_notebook() -> nbformat.NotebookNode:
    """A notebook as papermill leaves it after a parameterized run."""
    timing = {
        "duration": 0.5,
        "end_time": "2026-01-01T00:00:01",
        "exception": False,
        "start_time": "2026-01-01T00:00:00",
        "status": "completed",
    }
    execution = {"iopub.execute_input": "2026-01-01T00:00:00.1Z", "shell.execute_reply": "2026-01-01T00:00:00.2Z"}
    nb = make_notebook(
        new_markdown_cell("# A chapter", metadata={"papermill": dict(timing)}),
        new_code_cell(
            "seed = 0", metadata={"tags": ["parameters"], "papermill": dict(timing), "execution": dict(execution)}
        ),
        new_code_cell(
            "# Parameters\nseed = 1\n", metadata={"tags": ["injected-parameters"], "papermill": dict(timing)}
        ),
        new_code_cell(
            "print(seed)",
            metadata={"tags": ["nbval-ignore-output"], "papermill": dict(timing), "execution": dict(execution)},
        ),
    )
    nb.metadata["papermill"] = {
        "default_parameters": {},
        "duration": 3.2,
        "end_time": "2026-01-01T00:00:03",
        "environment_variables": {},
        "exception": None,
        "input_path": "/tmp/x/01_a.ipynb",
        "output_path": "/tmp/x/executed-01_a.ipynb",
        "parameters": {"seed": 1},
        "start_time": "2026-01-01T00:00:00",
        "version": "2.7.0",
    }
    return nb


# --- listing and selecting -------------------------------------------------------------------------


def test_list_chapters_is_sorted_and_keeps_only_numbered_notebooks(chapter_dir: Path) -> None:
    assert [p.name for p in chapters.list_chapters(chapter_dir)] == [
        "01_dataset.ipynb",
        "02_finetune.ipynb",
        "10_later.ipynb",
    ]


def test_list_chapters_of_a_missing_folder_fails(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        chapters.list_chapters(tmp_path / "nope")


def test_chapter_number() -> None:
    assert chapters.chapter_number("notebooks/02_finetune.ipynb") == "02"
    with pytest.raises(ValueError):
        chapters.chapter_number("notebooks/intro.ipynb")


@pytest.mark.parametrize("number", ["2", "02", 2, " 02 "])
def test_select_chapter_accepts_short_and_padded_numbers(chapter_dir: Path, number: str | int) -> None:
    found = chapters.select_chapters([number], chapters.list_chapters(chapter_dir))
    assert [p.name for p in found] == ["02_finetune.ipynb"]


def test_select_keeps_the_requested_order_without_duplicates(chapter_dir: Path) -> None:
    found = chapters.select_chapters(["10", "1", "01"], chapters.list_chapters(chapter_dir))
    assert [p.name for p in found] == ["10_later.ipynb", "01_dataset.ipynb"]


def test_unknown_chapter_names_the_available_ones(chapter_dir: Path) -> None:
    with pytest.raises(chapters.UnknownChapterError) as error:
        chapters.select_chapters(["07"], chapters.list_chapters(chapter_dir))
    message = str(error.value)
    assert "'07'" in message
    for expected in ["01 (01_dataset.ipynb)", "02 (02_finetune.ipynb)", "10 (10_later.ipynb)"]:
        assert expected in message


def test_find_repo_root_walks_up_from_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "notebooks" / "deep" / "er").mkdir(parents=True)
    assert chapters.find_repo_root(tmp_path / "notebooks" / "deep" / "er") == tmp_path.resolve()
    assert chapters.chapters_dir(tmp_path / "notebooks") == tmp_path.resolve() / "notebooks"


def test_find_repo_root_also_recognises_the_book_toc(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "_toc.yml").write_text("")
    (tmp_path / "book").mkdir()
    assert chapters.find_repo_root(tmp_path / "book") == tmp_path.resolve()


def test_chapters_dir_follows_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert tmp_path.resolve() / "notebooks" == chapters.CHAPTERS_DIR


def test_find_repo_root_outside_a_repository_fails(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no pebench repository"):
        chapters.find_repo_root(tmp_path)


def test_this_repository_is_found() -> None:
    root = Path(__file__).resolve().parents[1]
    assert chapters.find_repo_root(root / "tests") == root


# --- command line ----------------------------------------------------------------------------------


def pebench(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``pebench argv`` (pebench.cli, the one parser): (exit status, stdout, stderr)."""
    try:
        status = cli.main(list(argv))
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_unknown_chapter_fails_naming_the_available_ones(
    chapter_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = pebench(capsys, "chapters", "run", "--dir", str(chapter_dir), "--only", "07", "-p", "seed", "1")
    assert status == 2
    assert "usage: pebench chapters run" in err and "no chapter '07'" in err
    assert "01 (01_dataset.ipynb), 02 (02_finetune.ipynb), 10 (10_later.ipynb)" in err


def test_cli_without_chapters_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = pebench(capsys, "chapters", "run", "--dir", str(tmp_path))
    assert status == 2 and "no chapter notebooks" in err


def test_cli_list_prints_the_chapters(chapter_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = pebench(capsys, "chapters", "list", "--dir", str(chapter_dir))
    assert status == 0
    assert out.splitlines()[1] == f"02  {chapter_dir / '02_finetune.ipynb'}" and len(out.splitlines()) == 3


def test_cli_requires_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = pebench(capsys, "chapters")
    assert status == 2 and "required: ACTION" in err


def test_cli_checks_every_parameter_before_running(
    chapter_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chapters, "run_chapter", lambda *args, **kwargs: pytest.fail("ran a chapter"))
    status, _, err = pebench(capsys, "chapters", "run", "--dir", str(chapter_dir), "-p", "seed", "1")
    assert status == 2 and "chapter 01_dataset.ipynb has no parameter 'seed'" in err


def test_cli_run_goes_through_the_one_loop(
    chapter_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    monkeypatch.setattr(chapters, "run_chapter", lambda path, **kwargs: calls.append((path.name, kwargs)) or path)
    argv = ["chapters", "run", "--dir", str(chapter_dir), "--only", "10", "--only", "2", "--cwd", str(tmp_path)]
    status, out, err = pebench(capsys, *argv, "--log-output", "--no-progress")
    assert status == 0, err
    assert [name for name, _ in calls] == ["10_later.ipynb", "02_finetune.ipynb"]  # in the order asked
    assert calls[0][1] == {"parameters": {}, "cwd": tmp_path, "log_output": True}
    lines = out.splitlines()
    assert lines[0].startswith("The book's own run of 10_later.ipynb: ") and "02_finetune" in lines[1]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1),
        ("-3", -3),
        ("0.001", 0.001),
        ("1e-3", 0.001),
        ("True", True),
        ("False", False),
        ("None", None),
        ("abc", "abc"),
        ("true", "true"),
    ],
)
def test_parameters_are_typed_like_papermill_does(text: str, value: object) -> None:
    parsed = cli.parse_parameter(text)
    assert parsed == value and type(parsed) is type(value)


# --- post-processing ------------------------------------------------------------------------------


def test_tidy_tags_the_injected_cell_and_drops_volatile_metadata() -> None:
    nb = chapters.tidy_notebook(injected_notebook())
    nbformat.validate(nb)
    markdown, parameters, injected, body = nb.cells
    assert injected.metadata.tags == ["injected-parameters", "remove-input"]
    assert injected.id == chapters.INJECTED_CELL_ID
    assert parameters.metadata.tags == ["parameters", "hide-input"]  # folded; the injected cell is removed
    assert body.metadata.tags == ["nbval-ignore-output"]
    for cell in nb.cells:
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata
    assert nb.metadata.papermill == {
        "default_parameters": {},
        "environment_variables": {},
        "exception": None,
        "parameters": {"seed": 1},
        "version": "2.7.0",
    }
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize(
    ("source", "tags", "folded"),
    [
        ("x = 1", ["parameters"], True),
        ("from pebench import study\nstudy", [], True),
        ("glue_all(report.highlights(x))", [], True),
        ("table = study.table(x)\nsave_table(table, 'name')\ntable", [], True),
        ("\n".join(f"a{i} = {i}" for i in range(chapters.VISIBLE_CELL_LINES + 1)), [], True),
        ("show_figure(report.plot(x), 'name')", [], False),
        ("\n".join(f"a{i} = {i}" for i in range(chapters.VISIBLE_CELL_LINES)), [], False),
    ],
)
def test_plumbing_cells_are_folded(source: str, tags: list[str], folded: bool) -> None:
    cell = new_code_cell(source, metadata={"tags": tags})
    assert chapters.is_plumbing(cell) is folded
    nb = chapters.tidy_notebook(make_notebook(cell))
    assert ("hide-input" in nb.cells[-1].metadata.tags) is folded


def test_committed_chapters_fold_their_plumbing() -> None:
    for path in chapters.list_chapters():
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if chapters.is_plumbing(cell):
                assert "hide-input" in cell.metadata.get("tags", []), f"{path.name} cell {index}: plumbing in view"


def test_tidy_is_idempotent() -> None:
    once = chapters.tidy_notebook(injected_notebook())
    text = nbformat.writes(once)
    assert nbformat.writes(chapters.tidy_notebook(nbformat.reads(text, as_version=4))) == text


def test_tidy_leaves_a_notebook_without_papermill_alone() -> None:
    nb = make_notebook(new_code_cell("1 + 1", metadata={"tags": ["remove-input"]}))
    before = nbformat.writes(nb)
    assert nbformat.writes(chapters.tidy_notebook(nb)) == before


def test_strip_injected_parameters_restores_the_defaults() -> None:
    nb = chapters.strip_injected_parameters(injected_notebook())
    assert [c.metadata.get("tags") for c in nb.cells] == [None, ["parameters"], ["nbval-ignore-output"]]
    assert nb.metadata.papermill["parameters"] == {}


# --- a real run (starts a kernel) ------------------------------------------------------------------


@pytest.mark.kernel
def test_run_chapter_with_parameters_then_without(tmp_path: Path) -> None:
    chapter = write_notebook(
        tmp_path / "01_tiny.ipynb",
        new_markdown_cell("# Tiny"),
        new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        new_code_cell("import os\nprint(x * 10, os.path.basename(os.getcwd()))"),
    )
    chapter.chmod(0o640)
    original = nbformat.read(chapter, as_version=4)
    variant = tmp_path / "runs" / "x4.ipynb"
    assert chapters.run_chapter(chapter, variant, parameters={"x": 4}) == variant
    nb = nbformat.read(variant, as_version=4)
    nbformat.validate(nb)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "remove-input" in injected[0].metadata.tags
    assert injected[0].source.strip().endswith("x = 4")
    assert nb.cells[-1].outputs[0].text == f"40 {tmp_path.name}\n"  # cwd: the notebook's folder
    assert "start_time" not in nb.metadata.papermill and nb.metadata.papermill.parameters == {"x": 4}
    assert all("papermill" not in c.metadata and "execution" not in c.metadata for c in nb.cells)

    elsewhere = tmp_path / "out" / "copy.ipynb"
    chapters.run_chapter(chapter, elsewhere)  # no parameters: back to the defaults
    copy = nbformat.read(elsewhere, as_version=4)
    umask = os.umask(0)
    os.umask(umask)
    assert elsewhere.stat().st_mode & 0o777 == 0o666 & ~umask, "a new notebook gets the usual mode, not 0600"
    assert not [c for c in copy.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert copy.cells[-1].outputs[0].text == f"10 {tmp_path.name}\n"
    assert copy.metadata.papermill.parameters == {}
    assert nbformat.read(chapter, as_version=4) == original  # the input was left alone
    assert chapter.stat().st_mode & 0o777 == 0o640  # the mode it had before the runs


@pytest.mark.kernel
def test_a_failed_run_leaves_the_chapter_untouched(tmp_path: Path) -> None:
    chapter = write_notebook(tmp_path / "01_broken.ipynb", new_code_cell("raise RuntimeError('boom')"))
    before = chapter.read_bytes()
    with pytest.raises(Exception, match="boom"):
        chapters.run_chapter(chapter)
    assert chapter.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01_broken.ipynb"]


def test_a_full_run_trains_the_shared_models_first_and_records_the_times(
    chapter_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = []
    monkeypatch.setattr(chapters, "warm_shared_models", lambda: steps.append("shared") or 30.0)
    monkeypatch.setattr(chapters, "run_chapter", lambda path, **kwargs: steps.append(path.name) or path)
    times = tmp_path / "times.json"
    chapters.run_all(chapter_dir, times_path=times)
    assert steps == ["shared", "01_dataset.ipynb", "02_finetune.ipynb", "10_later.ipynb"]
    record = json.loads(times.read_text())
    assert record["shared_models_seconds"] == 30.0 and list(record["chapters"]) == steps[1:]
    assert record["total_seconds"] == pytest.approx(30.0 + sum(record["chapters"].values()))
    steps.clear()
    chapters.run_all(chapter_dir, only=["02"])  # a partial run (no times) trains nothing up front
    assert steps == ["02_finetune.ipynb"]


def test_cli_warm_trains_the_shared_models(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    calls = []
    monkeypatch.setattr(chapters, "warm_shared_models", lambda: calls.append("warm") or 1.0)
    status, out, _ = pebench(capsys, "chapters", "warm")
    assert status == 0 and calls == ["warm"] and "shared base models are ready" in out

    def broken() -> float:
        raise RuntimeError("out of disk")

    monkeypatch.setattr(chapters, "warm_shared_models", broken)
    status, _, err = pebench(capsys, "chapters", "warm")
    assert status == 1 and "pebench chapters warm: error: out of disk" in err


def test_chapters_link_the_chapters_they_name() -> None:
    """A chapter that names another ("chapter 3", "the main-results chapter") links to it ({doc})."""
    plain = re.compile(r"\b[Cc]hapters? \d\b(?!\d)|\b(?:main-results|verdicts|ablation) chapter\b")
    for path in chapters.list_chapters():
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "markdown":
                continue
            outside_code = cell.source.split("`")[::2]  # roles and code spans hold their own text
            named = [match for text in outside_code for match in plain.findall(text)]
            assert not named, f"{path.name} cell {index} names {named} without a {{doc}} link"
