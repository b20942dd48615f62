"""Experiments run in worker processes give exactly the results they give in this process."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from pebench.arms import arms
from pebench.pipeline import Pipeline, base_config
from pebench.study import run_grid
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.unlearn import UnlearnConfig
from pebench.workers import WORKERS_ENV, train_base_models, worker_count


def fresh_results(small_pipeline: Pipeline, root: Path) -> Pipeline:
    """A pipeline sharing ``small_pipeline``'s data and checkpoints, with an empty results cache."""
    root.mkdir()
    for shared in ("data", "models"):
        (root / shared).symlink_to(small_pipeline.root / shared, target_is_directory=True)
    return Pipeline(small_pipeline.config, root=root)


def test_two_workers_give_the_same_numbers_as_one(small_pipeline: Pipeline, tmp_path: Path) -> None:
    settings = dict(ratio=0.25, unlearn=UnlearnConfig(steps=4), compare_to_oracle=False, progress=False)
    rows = arms(["finetune", "ga", "npo"])
    serial = run_grid(
        fresh_results(small_pipeline, tmp_path / "serial"), rows, ["person"], [0, 1], workers=1, **settings
    )
    parallel = run_grid(
        fresh_results(small_pipeline, tmp_path / "parallel"), rows, ["person"], [0, 1], workers=2, **settings
    )
    assert len(list((tmp_path / "parallel" / "results").glob("*.json"))) == 6  # all computed, none shared
    columns = ["method", "target", "seed", "metric", "value"]
    assert serial[columns].equals(parallel[columns])


def test_base_seeds_replicate_the_base_model_and_the_forget_draw(small_pipeline: Pipeline, tmp_path: Path) -> None:
    """Two base seeds train two base models (own pretraining and fine-tuning, when the pretraining is
    replicated) with their own forget draws; seed 0 is the pipeline's own model, read back rather
    than retrained."""
    config = replace(
        small_pipeline.config,
        replicate_pretraining=True,
        finetune=replace(small_pipeline.config.finetune, steps=4),
        pretrain=replace(small_pipeline.config.pretrain, steps=4),
    )
    (tmp_path / "data").symlink_to(small_pipeline.root / "data", target_is_directory=True)
    pipeline = Pipeline(config, root=tmp_path)
    settings = dict(ratio=0.25, unlearn=UnlearnConfig(steps=2), compare_to_oracle=False, progress=False, workers=2)
    results = run_grid(pipeline, arms(["finetune"]), ["person"], [0], base_seeds=[0, 1], **settings)
    assert sorted(results["base_seed"].unique()) == [0, 1]
    assert len(list((tmp_path / "models").glob("pretrain-*"))) == 2
    assert pipeline.has_finetuned()  # base seed 0 is the pipeline's own configuration
    weights = [
        Pipeline(base_config(b, config), root=tmp_path).finetuned_path(frozenset()) / "model.safetensors"
        for b in (0, 1)
    ]
    assert weights[0].read_bytes() != weights[1].read_bytes()  # two independently trained base models
    drawn = {b: ForgetSplit(pipeline.dataset, ForgetSpec("person", 0.25, b)).persons for b in (0, 1)}
    assert drawn[0] != drawn[1]  # each with its own forget draw


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


def test_base_models_trained_in_workers_equal_those_trained_here(small_pipeline: Pipeline, tmp_path: Path) -> None:
    """The fine-tuned model and an oracle, trained in two processes, are byte-identical to serial ones."""
    config = replace(small_pipeline.config, finetune=replace(small_pipeline.config.finetune, steps=6))
    pretrained = small_pipeline.pretrained_path()
    roots = {}
    for name in ("serial", "parallel"):
        root = tmp_path / name
        (root / "models").mkdir(parents=True)
        (root / "data").symlink_to(small_pipeline.root / "data", target_is_directory=True)
        shutil.copytree(pretrained, root / "models" / pretrained.name)  # the same start, not retrained
        roots[name] = Pipeline(config, root=root)
    oracle = frozenset(ForgetSplit(small_pipeline.dataset, ForgetSpec("person", 0.25)).forget_qa_ids)
    for name, workers in (("serial", 1), ("parallel", 2)):
        pipeline = roots[name]
        train_base_models(
            [(pipeline, frozenset()), (pipeline, oracle), (pipeline, frozenset())], workers=workers, progress=False
        )
    for exclude in (frozenset(), oracle):
        serial, parallel = (roots[name].finetuned_path(exclude) for name in ("serial", "parallel"))
        assert (serial / "model.safetensors").read_bytes() == (parallel / "model.safetensors").read_bytes()
    checkpoints = [p for p in (tmp_path / "parallel" / "models").iterdir() if not p.name.startswith(".")]
    assert len(checkpoints) == 3  # pretrained + 2, the duplicate once (the hidden files are their locks)
