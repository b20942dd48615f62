"""The ``pebench`` command: help, argument errors, and that each command calls what it should.

Commands that would train at the book's scale run on the session's small pipeline instead
(``small_pipeline`` in tests/conftest.py), swapped in for ``pebench.cli.science.make_pipeline``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import pebench
from pebench import cli
from pebench.cli import science
from pebench.experiment import method_names
from pebench.targets import TARGETS

ROOT = Path(__file__).resolve().parents[1]
#: The required arguments of ``pebench recipe``.
RECIPE = ["recipe", "--checkpoint", "some/llava", "--out", "runs/x"]
COMMANDS = ("data", "train", "unlearn", "recipe", "chapters", "run-chapter", "verify", "numerics", "site", "book")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``pebench argv``: (exit status, stdout, stderr)."""
    try:
        status = cli.main(list(argv))
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# -- help -----------------------------------------------------------------------------------------
def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--help")
    assert status == 0
    for command in COMMANDS:
        assert command in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    status, out, _ = run(capsys, command, "--help")
    assert status == 0
    assert f"usage: pebench {command}" in out and "example: pebench" in out


def test_unlearn_help_lists_the_registries(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "unlearn", "--help")
    flat = " ".join(out.split())
    assert ", ".join(method_names()) in flat
    assert ", ".join(TARGETS) in flat


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--version")
    assert status == 0 and out.strip() == f"pebench {pebench.__version__}"


def test_help_does_not_import_torch() -> None:
    # The registries behind --method/--target import torch; they load only when needed.
    code = "import sys; from pebench.cli import build_parser; build_parser(); print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("pebench")
    if not script.exists():
        pytest.skip(f"{script} is not installed (pip install -e . installs it)")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"pebench {pebench.__version__}"


# -- argument errors ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["unlearn", "--method", "forget-it", "--target", "person"], ["argument --method", "invalid choice", "'npo'"]),
        (["unlearn", "--method", "npo", "--target", "face"], ["argument --target", "invalid choice", "'joint'"]),
        (["unlearn", "--method", "npo"], ["--target"]),
        (
            ["unlearn", "--method", "npo", "--target", "person", "--forget", "1.5"],
            ["argument --forget", "(0, 1)", "1.5"],
        ),
        (["unlearn", "--method", "npo", "--target", "person", "--forget", "0"], ["argument --forget", "(0, 1)"]),
        (["unlearn", "--method", "npo", "--target", "person", "--forget", "1"], ["argument --forget", "(0, 1)"]),
        (
            ["unlearn", "--method", "npo", "--target", "person", "--forget", "a tenth"],
            ["argument --forget", "a number"],
        ),
        (["unlearn", "--method", "npo", "--target", "person", "--forget", "nan"], ["argument --forget", "finite"]),
        (["unlearn", "--method", "npo", "--target", "person", "--steps", "0"], ["argument --steps", ">= 1"]),
        (["unlearn", "--method", "npo", "--target", "person", "--lr=-1e-4"], ["argument --lr", "> 0"]),
        (["unlearn", "--method", "npo", "--target", "person", "--batch-size", "1"], ["batch_size must be >= 2"]),
        (
            ["unlearn", "--method", "npo", "--target", "person", "-H", "no_such", "1"],
            ["unknown hyper-parameter", "no_such"],
        ),
        (["train", "--replay-fraction", "1"], ["argument --replay-fraction", "[0, 1)"]),
        (["data", "--image-size", "33"], ["image_size must be one of"]),
        (["data", "--n-persons", "0"], ["argument --n-persons", ">= 1"]),
        (["run-chapter", "99"], ["no chapter '99'", "available chapters"]),
        (["run-chapter", "02", "-p", "no_such_parameter", "1"], ["has no parameter 'no_such_parameter'", "seed"]),
        (["frobnicate"], ["invalid choice"]),
        (["verify", "--only", "99"], ["no chapter '99'", "available chapters"]),
        (
            ["run-chapter", "03", "-p", "forget_ratio", "abc"],
            ["chapter 03_main_results.ipynb", "'forget_ratio' must be a number in (0, 1)", "'abc'"],
        ),
        (["run-chapter", "03", "-p", "methods", '["zz"]'], ["'methods'", "'zz' is not one of", "'npo'"]),
        (["run-chapter", "03", "-p", "methods", '["zz"'], ["not a valid Python literal"]),
        (["run-chapter", "03", "-p", "seeds", "3"], ["'seeds' must be a list of non-negative integers"]),
        (["run-chapter", "05", "-p", "unlearn_batch_size", "1"], ["'unlearn_batch_size' must be an integer >= 2"]),
        (["run-chapter", "07", "-p", "figure_method", "sgd"], ["'figure_method'", "'sgd' is not one of"]),
        (["verify", "--show", "0"], ["argument --show"]),
        (["chapters", "run", "--only", "99"], ["usage: pebench chapters run", "no chapter '99'", "available chapters"]),
        (["chapters", "run", "--only", "03", "-p", "methods", '["zz"]'], ["'methods'", "'zz' is not one of"]),
        (["chapters", "run", "--dir", "/no/such/folder"], ["chapter folder /no/such/folder does not exist"]),
        (["chapters", "frobnicate"], ["usage: pebench chapters", "invalid choice"]),
        (
            ["site", "build", "--base-url", "pebench"],
            ["usage: pebench site build", "base URL must be an absolute path"],
        ),
        (["site", "assemble", "--base-url", "x/"], ["base URL must be an absolute path"]),
        (["book", "--no-execute", "--base-url", "pebench"], ["base URL must be an absolute path"]),
        (["recipe", "--out", "runs/x"], ["usage: pebench recipe", "--checkpoint"]),
        (RECIPE + ["--methods", "ga", "sgd"], ["argument --methods", "invalid choice: 'sgd'", "'npo'"]),
        (RECIPE + ["--dtype", "int8"], ["argument --dtype", "invalid choice", "'bfloat16'"]),
        (RECIPE + ["--target", "face"], ["argument --target", "invalid choice", "'joint'"]),
        (RECIPE + ["--ratio", "1.5"], ["argument --ratio", "(0, 1)"]),
        (RECIPE + ["--eval-batch-size", "0"], ["argument --eval-batch-size", ">= 1"]),
        (RECIPE + ["--pretrain-steps=-1"], ["argument --pretrain-steps", ">= 0"]),
        (RECIPE + ["--image-size", "33"], ["image_size must be one of"]),
    ],
)
def test_bad_arguments_fail_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: list[str]
) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2, (status, out, err)
    assert "usage: pebench" in err
    for text in expected:
        assert text in err, f"{text!r} not in {err!r}"


# -- commands ---------------------------------------------------------------------------------------
def test_data_generates_the_dataset(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = [
        "data",
        "--n-persons",
        "2",
        "--n-events",
        "2",
        "--n-real-persons",
        "1",
        "--n-real-events",
        "1",
        "--seed",
        "3",
        "--artifacts",
        str(tmp_path),
        "--no-progress",
    ]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    folders = list((tmp_path / "data").iterdir())
    assert len(folders) == 1 and (folders[0] / "persons.jsonl").is_file()
    assert str(folders[0]) in out and "2 fictitious persons x 2 events" in out
    status, again, _ = run(capsys, *argv)  # cached: same folder
    assert status == 0 and again == out


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch, small_pipeline):
    monkeypatch.setattr(science, "make_pipeline", lambda args: small_pipeline)
    return small_pipeline


def test_train(capsys: pytest.CaptureFixture[str], small) -> None:
    status, out, _ = run(capsys, "train", "--no-progress")
    assert status == 0
    assert "fine-tuned model ready" in out and str(small.root / "models") in out


def test_unlearn_prints_the_metrics(capsys: pytest.CaptureFixture[str], small) -> None:
    argv = [
        "unlearn",
        "--method",
        "ga",
        "--target",
        "person",
        "--forget",
        "0.25",
        "--steps",
        "2",
        "--no-oracle",
        "--no-progress",
    ]
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    assert "ga on target person (forget 0.25, seed 0); 2 steps" in out
    assert "forgotten persons (2):" in out
    table = dict(line.split() for line in out.split("metric", 1)[1].splitlines()[2:] if line.strip())
    for metric in ("person_efficacy", "person_generality", "person_retain", "event_scope", "person_real", "world_fact"):
        assert 0.0 <= float(table[metric]) <= 1.0, metric
    assert list(table)[:4] == ["person_efficacy", "person_generality", "person_retain", "event_scope"]

    status, out, _ = run(capsys, *argv, "--json")
    result = json.loads(out)
    assert result["experiment"]["method"] == "ga" and result["experiment"]["unlearn"]["steps"] == 2
    assert result["experiment"]["forget"] == {"target": "person", "ratio": 0.25, "seed": 0}
    assert result["experiment"]["compare_to_oracle"] is False and "forget_quality" not in result["metrics"]
    assert set(table) == set(result["metrics"])


def test_run_chapter_delegates_to_the_chapter_runner(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pebench_book.chapters

    calls = []
    out_file = tmp_path / "out.ipynb"
    runner = lambda *args, **kwargs: calls.append((args, kwargs)) or out_file  # noqa: E731 - it writes out_file
    monkeypatch.setattr(pebench_book.chapters, "run_chapter", runner)
    status, out, err = run(capsys, "run-chapter", "2", "-p", "seed", "1", "-o", str(out_file), "--no-progress")
    assert status == 0, err
    ((path, output, parameters), kwargs) = calls[0]
    assert path.name.startswith("02_") and output == out_file
    assert parameters == {"seed": 1}  # read as papermill -p reads it: an int
    assert kwargs == {"cwd": None, "log_output": False}
    assert f"notebook: {out_file}" in out and f"are in {tmp_path / 'out_figures'}." in out  # where it all went


def test_book_executes_then_builds(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pebench_book.chapters
    import pebench_book.site

    steps = []
    monkeypatch.setattr(pebench_book.chapters, "run_chapter", lambda path, *a, **k: steps.append(("run", path.name)))

    def build_site(**kwargs):
        steps.append(("build", kwargs))
        return tmp_path / "site" / pebench.__version__

    monkeypatch.setattr(pebench_book.site, "build_site", build_site)
    status, out, err = run(
        capsys, "book", "--only", "02", "--site", str(tmp_path / "site"), "--base-url", "/x/", "--no-progress"
    )
    assert status == 0, err
    assert steps[0][0] == "run" and steps[0][1].startswith("02_")
    assert steps[1] == ("build", {"site": tmp_path / "site", "base_url": "/x/"})
    steps.clear()
    status, _, _ = run(capsys, "book", "--no-execute", "--no-progress")
    assert status == 0 and [step[0] for step in steps] == ["build"]


def test_verify_reports_each_chapter_and_fails_beyond_tolerance(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pebench_book import verify

    outcomes = {"01": verify.ChapterReport("01", tables=2, numbers=10)}
    beyond = verify.ChapterReport("02", tables=1, numbers=3)
    beyond.differences.append(verify.Difference("02_accuracy", "fictitious", "exact_match", 0.9, 0.1, 0.2))
    outcomes["02"] = beyond
    monkeypatch.setattr(verify, "verify", lambda chapters, **kwargs: [outcomes[c.name[:2]] for c in chapters])
    status, out, _ = run(capsys, "verify", "--only", "01", "--only", "02")
    assert status == 1
    assert "chapter 01: bit-identical" in out and "chapter 02: beyond tolerance" in out
    assert "BEYOND 02_accuracy [fictitious, exact_match]: published 0.9, rerun 0.1" in out
    assert "1 of 2 chapter(s) agree" in out


def test_site_builds_assembles_and_states_its_provenance(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pebench_book.site

    site, calls = tmp_path / "site", []
    monkeypatch.setattr(pebench_book.site, "build_site", lambda **kwargs: calls.append(kwargs) or site / "9.9.9")
    status, out, err = run(capsys, "site", "build", "--site", str(site), "--base-url", "/x/", "--no-progress")
    assert status == 0, err
    assert calls == [{"site": site, "base_url": "/x/"}] and f"built {site / '9.9.9'}" in out

    for version in ("0.1.0", "0.2.0"):
        (site / version).mkdir(parents=True)
        (site / version / "index.html").write_text("<html></html>")
    status, out, err = run(capsys, "site", "assemble", "--site", str(site), "--base-url", "/pebench/")
    assert status == 0, err
    assert "versions 0.2.0, 0.1.0 (latest 0.2.0)" in out
    assert json.loads((site / "switcher.json").read_text())[0]["url"] == "/pebench/0.2.0/"
    status, _, err = run(capsys, "site", "assemble", "--site", str(tmp_path / "empty"))
    assert status == 1 and "pebench site assemble: error: no built version" in err

    status, out, _ = run(capsys, "site", "provenance")
    assert status == 0 and json.loads(out)["version"] == pebench.__version__


def test_numerics_prints_the_fingerprint(capsys: pytest.CaptureFixture[str]) -> None:
    from pebench import numerics

    status, out, _ = run(capsys, "numerics")
    assert status == 0 and f"fingerprint: {numerics.fingerprint()}" in out


def test_a_failure_while_working_exits_1(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import pebench_book.site

    def broken(**kwargs):
        raise RuntimeError("jupyter-book exited 1")

    monkeypatch.setattr(pebench_book.site, "build_site", broken)
    status, _, err = run(capsys, "book", "--no-execute", "--no-progress")
    assert status == 1 and "pebench book: error: jupyter-book exited 1" in err


def test_progress_bar_counts_steps_and_stops_its_ticker(capsys: pytest.CaptureFixture[str]) -> None:
    import threading

    def tickers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "pebench-progress-ticker"]

    with cli.progress_bar(2, "work", enabled=True) as bar:
        bar.update()
        bar.update()
        assert bar.n == 2 and len(tickers()) == 1
    assert not tickers()
    assert "work" in capsys.readouterr().err
    with cli.progress_bar(1, "quiet", enabled=False) as bar:
        bar.update()
    assert "quiet" not in capsys.readouterr().err


def test_the_whole_book_trains_the_shared_models_first_and_records_the_times(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pebench_book.chapters
    import pebench_book.site

    steps = []
    monkeypatch.setattr(pebench_book.chapters, "warm_shared_models", lambda: steps.append("shared") or 12.5)
    monkeypatch.setattr(pebench_book.chapters, "run_chapter", lambda path, *a, **k: steps.append(path.name))
    monkeypatch.setattr(pebench_book.chapters, "times_path", lambda folder=None: tmp_path / "times.json")
    monkeypatch.setattr(
        pebench_book.site, "build_site", lambda **kwargs: steps.append("build") or tmp_path / "site" / "v"
    )
    status, _, err = run(capsys, "book", "--no-progress")
    assert status == 0, err
    chapters = [p.name for p in pebench_book.chapters.list_chapters()]
    assert steps == ["shared", *chapters, "build"]
    record = json.loads((tmp_path / "times.json").read_text())
    assert record["shared_models_seconds"] == 12.5 and list(record["chapters"]) == chapters
