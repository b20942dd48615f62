"""The ablation: the full design and each element off in turn, run through the same grid."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pebench.ablation import (
    ABLATION_BASE_SEED,
    ABLATION_CLAIMS,
    ELEMENTS,
    FULL_DESIGN,
    ablation_designs,
    ablation_setting,
    design_claims,
    design_efficacy,
    run_ablation,
)
from pebench.arms import Arm
from pebench.chapter_parameters import chapter_parameters
from pebench.data import DatasetConfig
from pebench.model import TinyLlavaSpec
from pebench.pipeline import Pipeline, PipelineConfig
from pebench.train.stages import StageConfig
from pebench.unlearn import UnlearnConfig
from pebench_book.verify import chapter_runs

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
    simple = replace(
        FULL,
        data=replace(FULL.data, events="labels", caption_images=0),
        model=replace(FULL.model, tokenizer="word"),
        freeze_vision_tower=False,
    )
    with pytest.raises(ValueError, match="scene events, captioning pretraining, subword names, a frozen tower"):
        ablation_designs(simple)
    assert ablation_designs(PipelineConfig())[FULL_DESIGN] == PipelineConfig()  # the book's design is the full one


def test_the_ablation_runs_one_grid_per_design(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    full = Pipeline(FULL, root=tmp_path)
    capsys.readouterr()
    runs = run_ablation(
        full,
        [Arm("finetune"), Arm("ga")],
        ["person", "event"],
        [0],
        unlearn=UnlearnConfig(steps=1),
        compare_to_oracle=False,
        workers=1,
        progress=False,
    )
    assert capsys.readouterr().err == ""  # the other designs' data too: a chapter's cold run prints nothing
    assert list(runs.columns[:3]) == ["design", "method", "target"]
    assert runs.groupby("design", sort=False)["method"].unique().map(sorted).tolist() == [["Finetune", "GA"]] * 5
    assert list(runs["design"].unique()) == list(ablation_designs(FULL))
    assert runs.query("metric == 'event_efficacy'")["value"].between(0, 1).all()
    efficacy = design_efficacy(runs, ["GA"])
    assert list(efficacy.index) == list(ablation_designs(FULL))
    assert set(efficacy.columns) == {(t, m) for t in ("person", "event") for m in ("efficacy", "retain")}
    full_event = runs.query("design == @FULL_DESIGN and method == 'GA' and metric == 'event_efficacy'")
    assert efficacy.loc[FULL_DESIGN, ("event", "efficacy")] == pytest.approx(full_event["value"].mean())
    claims = design_claims(runs, ["Finetune", "GA"])
    assert list(claims["claim"].unique()) == list(ABLATION_CLAIMS) and len(claims) == 5 * len(ABLATION_CLAIMS)
    assert design_claims(runs, ["GA"]).query("claim == '3c'")["holds"].isna().all()  # one method has no spread


def test_the_chapter_runs_one_base_model() -> None:
    """One replicate per design, which a rerun's comparison counts (:func:`pebench_book.verify.chapter_runs`)."""
    chapter = Path(__file__).parents[1] / "notebooks" / "09_ablation.ipynb"
    assert {p.name: p.default for p in chapter_parameters(chapter)}["base_seed"] == "None"
    assert chapter_runs(chapter) == 1 and ablation_setting().base_seeds == (ABLATION_BASE_SEED,)
    assert ablation_setting(base_seed=2, methods=["ga"]).base_seeds == (2,)
