"""The cache folder: where it is, what ``pebench cache info|prune`` report and remove, and two processes
filling one entry at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pebench import cache, cache_folder, paths
from pebench.cache import STAMP, STAMP_FILE, atomic_write_json
from pebench.cli import main


def test_the_cache_lives_in_the_users_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.ARTIFACTS_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.artifacts_dir() == (tmp_path / "xdg" / "pebench").resolve()
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG rule: only absolute paths count
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.artifacts_dir() == (tmp_path / "home" / ".cache" / "pebench").resolve()
    monkeypatch.setenv(paths.ARTIFACTS_ENV, str(tmp_path / "mine"))
    assert paths.artifacts_dir() == (tmp_path / "mine").resolve()


def test_unit_tests_never_touch_the_users_cache(tmp_path_factory):
    # the session's folders (under pytest-xdist, its processes' folders are siblings)
    assert Path(os.environ[paths.ARTIFACTS_ENV]).is_relative_to(tmp_path_factory.getbasetemp().parent)


def _current() -> dict[str, str]:
    checker = cache_folder.CurrentCode()
    return {name: checker.value(name) for name in ("version", "model_code", "result_code", "numerics")}


def _model(root: Path, name: str, made_with: dict[str, str] | None) -> Path:
    folder = root / "models" / name
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"\0" * 1000)
    if made_with is not None:
        atomic_write_json(folder / STAMP_FILE, made_with)
    return folder


def _result(root: Path, name: str, made_with: dict[str, str] | None, **fields) -> Path:
    path = root / "results" / f"{name}.json"
    atomic_write_json(path, {"metrics": {}, **fields, **({STAMP: made_with} if made_with is not None else {})})
    return path


@pytest.fixture
def filled(tmp_path) -> Path:
    """A cache with current and unused models and results, a lock and an interrupted write."""
    now = _current()
    _model(tmp_path, "finetune-current", {k: now[k] for k in ("version", "model_code", "numerics")})
    _model(tmp_path, "finetune-old-code", {**{k: now[k] for k in ("version", "numerics")}, "model_code": "0" * 16})
    _model(tmp_path, "pretrain-unstamped", None)
    cache.lock_path(tmp_path / "models" / "finetune-current").touch()
    _result(tmp_path, "current", now)
    _result(tmp_path, "other-numerics", {**now, "numerics": "native-elsewhere"})
    ga = {**now, "method": "ga", "unlearning_code": "f" * 16}
    _result(tmp_path, "old-method-code", ga, experiment={"method": "ga", "hyperparameters": {}})
    from pebench.experiment import unlearning_code

    ga_now = {**ga, "unlearning_code": unlearning_code("ga", {})}
    _result(tmp_path, "current-method-code", ga_now, experiment={"method": "ga", "hyperparameters": {}})
    leftover = tmp_path / "results" / ".x.json.abc.tmp"
    leftover.write_text("{")
    old = time.time() - 2 * cache_folder.LEFTOVER_SECONDS
    os.utime(leftover, (old, old))
    return tmp_path


def test_unused_entries_are_those_the_current_code_cannot_ask_for(filled):
    removals = {r.path.name: r.reason for r in cache_folder.prunable(filled)}
    assert removals == {
        "finetune-old-code": "made by other model-training code",
        "pretrain-unstamped": "records nothing of what made it (written before pebench recorded it)",
        "other-numerics.json": "made under other numerics (another machine, mode or library version)",
        "old-method-code.json": "made by other code of its unlearning method",
        ".x.json.abc.tmp": "left by an interrupted write",
    }


def test_older_than_adds_entries_not_used_for_that_long(filled):
    path = filled / "results" / "current.json"
    long_ago = time.time() - 40 * cache_folder.DAY
    os.utime(path, (long_ago, long_ago))
    names = {r.path.name for r in cache_folder.prunable(filled, older_than_days=30)}
    assert "current.json" in names and "current-method-code.json" not in names
    assert {r.path.name for r in cache_folder.prunable(filled, older_than_days=0)} >= {"finetune-current"}


def test_reading_an_entry_marks_it_used(tmp_path):
    path = tmp_path / "entry.json"
    path.write_text("{}")
    os.utime(path, (0, 0))
    cache.touch(path)
    assert time.time() - path.stat().st_mtime < 60


def test_prune_is_a_dry_run_until_told_yes(filled, capsys):
    before = sorted(p.name for p in (filled / "models").iterdir())
    assert main(["cache", "prune", "--artifacts", str(filled)]) == 0
    out = capsys.readouterr().out
    assert "dry run: 5 entries" in out and "--yes" in out and "finetune-old-code" in out
    assert sorted(p.name for p in (filled / "models").iterdir()) == before
    assert main(["cache", "prune", "--artifacts", str(filled), "--yes"]) == 0
    assert "removed 5 entries" in capsys.readouterr().out
    assert {p.name for p in (filled / "models").iterdir()} == {"finetune-current", ".finetune-current.lock"}
    assert {p.name for p in (filled / "results").iterdir()} == {"current.json", "current-method-code.json"}


def test_prune_keeps_an_entry_another_process_holds(filled):
    target = filled / "models" / "finetune-old-code"
    with cache.entry_lock(target):
        holder = subprocess.run(
            [sys.executable, "-m", "pebench.cli", "cache", "prune", "--artifacts", str(filled), "--yes"],
            capture_output=True,
            text=True,
            check=True,
        )
    assert target.exists() and "1 in use by another process were kept" in holder.stdout


def test_info_reports_size_and_unused_entries_per_kind(filled, capsys):
    assert main(["cache", "info", "--artifacts", str(filled)]) == 0
    out = capsys.readouterr().out
    assert f"cache: {filled} (--artifacts)" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:6]}
    assert rows["models"][1] == "3" and rows["models"][4] == "2"  # kind, entries, size (2 words), unused
    assert rows["results"][1] == "4" and rows["results"][4] == "2" and rows["data"][1] == "0"


def test_info_on_an_empty_cache_says_so(tmp_path, capsys):
    assert main(["cache", "info", "--artifacts", str(tmp_path / "none")]) == 0
    assert "empty" in capsys.readouterr().out


def test_bad_prune_arguments_name_the_allowed_values(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["cache", "prune", "--older-than", "-3"])
    assert exit_.value.code == 2 and "--older-than: must be a number >= 0" in capsys.readouterr().err


FILL = textwrap.dedent(
    """
    import json, logging, sys
    from pathlib import Path
    from pebench.data import DatasetConfig
    from pebench.experiment import Experiment, run_experiment
    from pebench.pipeline import Pipeline, PipelineConfig
    from pebench.targets import ForgetSpec
    from pebench.train.stages import StageConfig

    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    config = PipelineConfig(
        data=DatasetConfig(n_persons=4, n_events=2, n_real_persons=2, n_real_events=2, seed=0, caption_images=0),
        pretrain=StageConfig(steps=30, lr=1.5e-3),
        finetune=StageConfig(steps=30, lr=1.5e-3),
    )
    pipeline = Pipeline(config, root=Path(sys.argv[1]))
    experiment = Experiment("ga", ForgetSpec("person", 0.25), compare_to_oracle=False, probes=0)
    result = run_experiment(pipeline, experiment, progress=False)
    print(json.dumps(result["metrics"], sort_keys=True))
    """
)


def test_two_processes_filling_the_same_entries_at_once(tmp_path):
    """Both processes get the same models and result; each entry is computed once; nothing is left
    half-written (the second process waits on the entry's lock, then reads what the first wrote)."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", FILL, str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=600) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], [err[-2000:] for _, err in outputs]
    first, second = (json.loads(out) for out, _ in outputs)
    assert first == second
    logs = "".join(err for _, err in outputs)
    assert logs.count("pretraining the tiny model") == 1 and logs.count("fine-tuning on the fictitious") == 1
    assert logs.count("ga on ForgetSpec") == 1  # the run itself: computed by one process, read by the other
    for kind in ("models", "results"):
        hidden = [p.name for p in (tmp_path / kind).iterdir() if p.name.startswith(".")]
        assert all(name.endswith(".lock") for name in hidden), hidden
    assert not cache_folder.prunable(tmp_path)  # every entry stamped by the current code
