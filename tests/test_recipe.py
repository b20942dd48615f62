"""The real-checkpoint recipe (``pebench.recipe``, ``pebench recipe``) end to end on a saved LLaVA-1.5-style
checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from llava15_checkpoint import save_llava15_style_checkpoint

from pebench import cli, recipe
from pebench.data import DatasetConfig, PEBenchDataset, ensure_dataset
from pebench.model.lora import LoraSettings
from pebench.recipe import RecipeConfig, run_recipe
from pebench.refusals import REFUSALS
from pebench.targets import ForgetSpec
from pebench.train.stages import StageConfig
from pebench.unlearn import UnlearnConfig

DATA = DatasetConfig(n_persons=4, n_events=2, n_real_persons=2, n_real_events=2, seed=0, caption_images=0)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """One intra-op thread: these models are tiny, and on a busy 2-core machine two OpenMP threads
    wait on each other for far longer than the arithmetic takes (measured: 0.4 s vs 16 s)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_recipe_runs_stages_methods_and_metrics(tmp_path):
    dataset = PEBenchDataset.load(ensure_dataset(DATA, tmp_path / "run" / "data"))
    texts = [item.question for item in dataset.qa] + [item.answer for item in dataset.qa] + list(REFUSALS)
    checkpoint = save_llava15_style_checkpoint(texts, tmp_path / "llava15-style")
    lora = LoraSettings(r=4, alpha=8, gradient_checkpointing=True, shared_reference=True)
    config = RecipeConfig(
        checkpoint=str(checkpoint),
        data=DATA,
        pretrain=StageConfig(steps=2, batch_size=8, lr=1e-3, warmup_steps=0),
        finetune=StageConfig(steps=3, batch_size=8, lr=1e-3, warmup_steps=0, replay_fraction=0.25),
        lora=lora,
        unlearn=UnlearnConfig(steps=2, lr=1e-3, batch_size=4, lora=lora),
        forget=ForgetSpec("person", 0.3),
        methods=("finetune", "retrain", "npo"),
        dtype="float32",
    )
    results = run_recipe(config, tmp_path / "run", progress=False)
    assert set(results) == {"finetune", "retrain", "npo"}
    assert len(results["npo"]["history"]) == 2 and results["finetune"]["history"] == []
    for result in results.values():
        assert 0.0 <= result["metrics"]["person_efficacy"] <= 1.0
        assert 0.0 <= result["metrics"]["forget_quality"] <= 1.0
    history = json.loads((tmp_path / "run" / "finetuned" / "history.json").read_text())
    assert [len(history[stage]) for stage in ("pretrain", "finetune")] == [2, 3]
    saved = json.loads((tmp_path / "run" / "results.json").read_text())
    assert set(saved["results"]) == set(results)


def parse(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[RecipeConfig, Path, str]:
    """``pebench recipe argv`` with the run left out: the configuration it would run, and its output."""
    runs = []
    monkeypatch.setattr(recipe, "run_recipe", lambda config, out, **kwargs: runs.append((config, out)) or {"ga": {}})
    assert cli.main(["recipe", *argv, "--no-progress"]) == 0
    ((config, out),) = runs
    return config, out, capsys.readouterr().out


def test_command_line_builds_the_config(tmp_path, monkeypatch, capsys):
    config, out, printed = parse(
        monkeypatch,
        capsys,
        "--checkpoint",
        "some/llava",
        "--out",
        str(tmp_path),
        "--persons",
        "20",
        "--events",
        "5",
        "--real-persons",
        "3",
        "--pretrain-steps",
        "0",
        "--lora-r",
        "8",
        "--shared-reference",
        "--methods",
        "ga",
        "npo",
    )
    assert out == tmp_path and config.pretrain is None and config.checkpoint == "some/llava"
    assert (config.data.n_persons, config.data.n_events, config.data.n_real_persons) == (20, 5, 3)
    assert config.lora.r == 8 and config.unlearn.lora.shared_reference and config.methods == ("ga", "npo")
    assert f"results in {tmp_path / 'results.json'}" in printed
    full, _, _ = parse(monkeypatch, capsys, "--checkpoint", "x", "--out", str(tmp_path), "--lora-r", "0")
    assert full.lora is None and full.unlearn.lora is None
    # Options left out keep the paper's setting; one seed reseeds every part.
    default, _, _ = parse(monkeypatch, capsys, "--checkpoint", "x", "--out", str(tmp_path))
    assert default == RecipeConfig(checkpoint="x")
    assert cli.parse_recipe(["--checkpoint", "x", "--out", str(tmp_path)]) == (default, tmp_path)  # for scripts
    with pytest.raises(SystemExit) as exit_:
        cli.parse_recipe(["--checkpoint", "x", "--out", str(tmp_path), "--image-size", "33"])
    assert exit_.value.code == 2 and "image_size must be one of" in capsys.readouterr().err
    seeded = recipe.make_config("x", seed=3, batch_size=8)
    assert {seeded.data.seed, seeded.pretrain.seed, seeded.finetune.seed, seeded.lora.seed} == {3}
    assert {seeded.unlearn.seed, seeded.forget.seed} == {3}
    assert (seeded.pretrain.batch_size, seeded.finetune.batch_size, seeded.unlearn.batch_size) == (8, 8, 8)
    with pytest.raises(ValueError, match="methods must be among"):
        RecipeConfig(checkpoint="x", methods=("sgd",))
    with pytest.raises(ValueError, match="dtype must be one of"):
        RecipeConfig(checkpoint="x", dtype="int8")
    with pytest.raises(ValueError, match="eval_batch_size must be >= 1"):
        RecipeConfig(checkpoint="x", eval_batch_size=0)
