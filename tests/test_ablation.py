"""The ablation: the full design and each element off in turn, run through the same grid."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pebench.ablation import ELEMENTS, FULL_DESIGN, ablation_designs, run_ablation
from pebench.arms import Arm
from pebench.data import DatasetConfig
from pebench.model import TinyLlavaSpec
from pebench.pipeline import Pipeline, PipelineConfig
from pebench.train.stages import StageConfig
from pebench.unlearn import UnlearnConfig

FULL = PipelineConfig(
    data=DatasetConfig(n_persons=4, n_events=2, n_real_persons=1, n_real_events=1, events="scenes", caption_images=4),
    model=TinyLlavaSpec(tokenizer="subword"),
    pretrain=StageConfig(steps=2, replay_fraction=0.5),
    finetune=StageConfig(steps=2, replay_fraction=0.25),
    freeze_vision_tower=True,
)


def test_each_design_switches_exactly_one_element_off() -> None:
    designs = ablation_designs(FULL)
    assert list(designs) == [FULL_DESIGN, *(element.label for element in ELEMENTS)]
    for element in ELEMENTS:
        config = designs[element.label]
        assert [e.name for e in ELEMENTS if not e.is_on(config)] == [element.name]


def test_the_ablation_starts_from_the_full_design() -> None:
    with pytest.raises(ValueError, match="these elements are off: a frozen tower"):
        ablation_designs(replace(FULL, freeze_vision_tower=False))
    with pytest.raises(ValueError, match="scene events, captioning pretraining, subword names, a frozen tower"):
        ablation_designs(PipelineConfig())


def test_the_ablation_runs_one_grid_per_design(tmp_path: Path) -> None:
    runs = run_ablation(
        Pipeline(FULL, root=tmp_path),
        [Arm("finetune"), Arm("ga")],
        ["event"],
        [0],
        unlearn=UnlearnConfig(steps=1),
        compare_to_oracle=False,
        workers=1,
        progress=False,
    )
    assert list(runs.columns[:3]) == ["design", "method", "target"]
    assert runs.groupby("design", sort=False)["method"].unique().map(sorted).tolist() == [["Finetune", "GA"]] * 5
    assert list(runs["design"].unique()) == list(ablation_designs(FULL))
    assert runs.query("metric == 'event_efficacy'")["value"].between(0, 1).all()
