"""Experiments run in worker processes give exactly the results they give in this process."""

from __future__ import annotations

from pathlib import Path

import pytest

from pebench.pipeline import Pipeline
from pebench.study import arms, run_grid
from pebench.unlearn import UnlearnConfig
from pebench.workers import WORKERS_ENV, worker_count


def fresh_results(small_pipeline: Pipeline, root: Path) -> Pipeline:
    """A pipeline sharing ``small_pipeline``'s data and checkpoints, with an empty results cache."""
    root.mkdir()
    for shared in ("data", "models"):
        (root / shared).symlink_to(small_pipeline.root / shared, target_is_directory=True)
    return Pipeline(small_pipeline.config, root=root)


def test_two_workers_give_the_same_numbers_as_one(small_pipeline: Pipeline, tmp_path: Path) -> None:
    settings = dict(ratio=0.25, unlearn=UnlearnConfig(steps=4), compare_to_oracle=False, progress=False)
    rows = arms(["finetune", "ga", "npo"])
    serial = run_grid(fresh_results(small_pipeline, tmp_path / "serial"), rows, ["person"], [0, 1], workers=1, **settings)
    parallel = run_grid(fresh_results(small_pipeline, tmp_path / "parallel"), rows, ["person"], [0, 1], workers=2,
                        **settings)  # fmt: skip
    assert len(list((tmp_path / "parallel" / "results").glob("*.json"))) == 6  # all computed, none shared
    columns = ["method", "target", "seed", "metric", "value"]
    assert serial[columns].equals(parallel[columns])


def test_fixed_forget_seed_shares_the_forget_set(small_pipeline: Pipeline, tmp_path: Path) -> None:
    settings = dict(ratio=0.25, unlearn=UnlearnConfig(steps=2), compare_to_oracle=False, progress=False, workers=1)
    pipeline = fresh_results(small_pipeline, tmp_path / "root")
    fixed = run_grid(pipeline, arms(["finetune"]), ["person"], [0, 1], forget_seed=0, **settings)
    values = fixed[fixed["metric"] == "person_efficacy"].set_index("seed")["value"]
    assert values[0] == values[1]  # the same model on the same forget set


def test_worker_count_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert worker_count(3) == 3
    monkeypatch.setenv(WORKERS_ENV, "zero")
    with pytest.raises(ValueError, match=WORKERS_ENV):
        worker_count()
    with pytest.raises(ValueError, match="workers"):
        worker_count(0)
