"""Stage profiling: own seconds per stage and process, and the book's profile built from them."""

from __future__ import annotations

import json
import time

import pytest

from pebench import profiling
from pebench_book import profile


def test_without_a_profile_folder_stages_record_nothing(monkeypatch, tmp_path):
    monkeypatch.delenv(profiling.PROFILE_ENV, raising=False)
    with profiling.stage("probes"):
        pass
    assert not profiling.enabled() and not list(tmp_path.iterdir())


def test_a_stage_records_its_own_seconds_without_those_of_the_stages_inside_it(monkeypatch, tmp_path):
    monkeypatch.setenv(profiling.PROFILE_ENV, str(tmp_path))
    monkeypatch.setenv(profiling.CONTEXT_ENV, "03_main_results.ipynb")
    with profiling.stage("unlearning steps"):
        time.sleep(0.05)
        with profiling.stage("probes"):
            time.sleep(0.1)
    records = profile.read_records(tmp_path)
    by_stage = {r["stage"]: r for r in records}
    assert set(by_stage) == {"unlearning steps", "probes"}
    assert 0.1 <= by_stage["probes"]["seconds"] < 0.2
    assert 0.05 <= by_stage["unlearning steps"]["seconds"] < 0.1  # the probe's 0.1 s left out
    assert {r["context"] for r in records} == {"03_main_results.ipynb"} and {r["role"] for r in records} == {"main"}


def test_an_unknown_stage_or_role_is_refused():
    with pytest.raises(ValueError, match="stage must be one of"), profiling.stage("thinking"):
        pass
    with pytest.raises(ValueError, match="role must be one of"):
        profiling.set_role("boss")


def _write(folder, *records):
    for index, (context, stage, seconds, role) in enumerate(records):
        line = {"context": context, "stage": stage, "seconds": seconds, "role": role, "pid": index}
        with (folder / f"{index}.jsonl").open("a") as handle:
            handle.write(json.dumps(line) + "\n")


def test_the_book_profile_adds_core_seconds_and_a_chapters_own_work(tmp_path):
    _write(
        tmp_path,
        (profile.SHARED_MODELS, "pretraining", 100.0, "main"),
        (profile.SHARED_MODELS, "fine-tuning", 300.0, "worker"),
        (profile.SHARED_MODELS, "waiting for workers", 150.0, "main"),
        ("03_main_results.ipynb", "unlearning steps", 40.0, "worker"),
        ("03_main_results.ipynb", "evaluation: answers", 50.0, "worker"),
        ("03_main_results.ipynb", "waiting for workers", 45.0, "main"),
        ("03_main_results.ipynb", "loading models", 2.0, "main"),
    )
    record = profile.book_profile(
        profile.read_records(tmp_path), {profile.SHARED_MODELS: 250.0, "03_main_results.ipynb": 60.0}
    )
    chapter = record["contexts"]["03_main_results.ipynb"]
    assert chapter["wall_seconds"] == 60.0
    assert chapter["core_seconds"][profile.OWN_WORK] == 13.0  # 60 - 45 - 2, what the kernel did itself
    assert record["contexts"][profile.SHARED_MODELS]["core_seconds"]["fine-tuning"] == 300.0
    assert record["total_wall_seconds"] == 310.0 and record["cache"] == "cold"
    assert {"cpu_model", "cpu_count", "fingerprint", "commit"} <= set(record["machine"])

    path = tmp_path / "book_profile.json"
    path.write_text(json.dumps(record))
    profile.add_site_build(path, 30.0)
    columns, rows = profile.profile_rows(json.loads(path.read_text()))
    table = {row[0]: row for row in rows}
    assert columns[0] == "stage" and table["fine-tuning"][1] == "5.0" and table["fine-tuning"][2] == ""
    assert table["evaluation: answers"][2:4] == ["0.8", "0.8"]
    assert table["wall clock (min)"][3] == "5.7 (site build 0.5)"
    assert list(table)[-1] == "wall clock (min)"
