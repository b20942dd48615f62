"""Captioned pictures for pretraining: what they show, what they say, how a dataset carries them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import pebench.pipeline
from pebench.data import CAPTION_QUESTION, DatasetConfig, PEBenchDataset, ensure_dataset, summary
from pebench.data.captions import caption, caption_words, random_look, random_scene
from pebench.data.generate import _reserved_words
from pebench.data.render import render_image, sample_variation
from pebench.data.scenes import CROWDS, LIGHTS, OBJECTS, SCENE_EVENTS, SETTINGS
from pebench.pipeline import Pipeline, PipelineConfig, build_tokenizer
from pebench.train.stages import pretraining_items

SMALL = DatasetConfig(n_persons=3, n_events=2, n_real_persons=2, n_real_events=2, image_size=32, caption_images=0)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> PEBenchDataset:
    config = DatasetConfig(**{**SMALL.to_dict(), "caption_images": 12})
    return PEBenchDataset.load(ensure_dataset(config, tmp_path_factory.mktemp("data"), progress=False))


def test_random_scenes_cover_every_part_and_never_an_events_own_combination() -> None:
    rng = np.random.default_rng(0)
    scenes = [random_scene(rng) for _ in range(3000)]
    assert {s["setting"] for s in scenes} == set(SETTINGS)
    assert {o for s in scenes for o in s["objects"]} == set(OBJECTS)
    assert {s["light"] for s in scenes} == set(LIGHTS) and {s["crowd"] for s in scenes} == set(CROWDS)
    events = {(e.setting, frozenset(e.objects)) for e in SCENE_EVENTS}
    assert not [s for s in scenes if (s["setting"], frozenset(s["objects"])) in events]
    assert all(len(set(s["objects"])) == 2 for s in scenes)


def test_a_caption_counts_the_objects_that_are_drawn() -> None:
    look = {"skin_tone": "tan", "hair_colour": "black", "hair_style": "bald", "eye_colour": "blue"}
    scene = {"setting": "park", "objects": ["tree", "bike"], "light": "night", "crowd": "none"}
    say = lambda n, accessory="none": caption({**look, "accessory": accessory}, scene, "orange", n)  # noqa: E731
    assert (
        say(1) == "a bald person with tan skin and blue eyes, in an orange shirt, at the park with one tree, at night"
    )
    assert "with two trees and one bike," in say(3)
    assert "with two trees and two bikes," in say(4) and "wearing a hat," in say(4, "hat")


def test_every_caption_word_is_in_the_vocabulary_names_avoid() -> None:
    rng = np.random.default_rng(1)
    for _ in range(300):
        variation = sample_variation(rng)
        text = caption(random_look(rng), random_scene(rng), variation["shirt_colour"], variation["object_count"])
        assert set(text.replace(",", "").split()) <= caption_words() <= _reserved_words("labels")


def test_a_captioned_picture_changes_with_each_part_of_its_scene() -> None:
    rng = np.random.default_rng(2)
    look, scene, variation = random_look(rng), random_scene(rng), sample_variation(rng)
    base = np.asarray(render_image(look, scene, variation, 32), dtype=int)
    others = {"setting": "gym" if scene["setting"] != "gym" else "park", "light": "night", "crowd": "crowd"}
    for part, value in others.items():
        if scene[part] != value:
            assert np.abs(np.asarray(render_image(look, {**scene, part: value}, variation, 32), int) - base).sum()


def test_a_dataset_carries_its_captions_for_pretraining(dataset: PEBenchDataset) -> None:
    assert len(dataset.captions) == 12 and {c.question for c in dataset.captions} == {CAPTION_QUESTION}
    assert all(dataset.image(c.image_id).size == (32, 32) for c in dataset.captions)
    assert json.loads((dataset.root / "metadata.json").read_text())["counts"]["captions"] == 12
    vocabulary = build_tokenizer(dataset, "word").get_vocab()
    assert all(word in vocabulary for c in dataset.captions for word in c.answer.replace(",", "").split())


def test_pretraining_mixes_the_captioned_pictures_into_every_batch(
    dataset: PEBenchDataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    monkeypatch.setattr(pebench.pipeline, "train_stage", lambda *args, **kwargs: calls.append((args, kwargs)) or [])
    config = PipelineConfig(data=DatasetConfig(**{**SMALL.to_dict(), "caption_images": 12}))
    Pipeline(config, root=tmp_path).pretrained(progress=False)
    (_, _, items, stage), kwargs = calls[0]
    assert items == pretraining_items(dataset) and kwargs["replay"] == dataset.captions
    assert stage.replay_fraction == 0.5  # half of each batch
    assert not [item for item in pretraining_items(dataset) if item.population != "real"]


def test_a_dataset_without_captions_has_no_captions_file(tmp_path: Path) -> None:
    assert DatasetConfig(**{**SMALL.to_dict(), "caption_images": 12}).key() != SMALL.key()
    dataset = PEBenchDataset.load(ensure_dataset(SMALL, tmp_path, progress=False))
    assert dataset.captions == [] and not (dataset.root / "captions.jsonl").exists()


def test_caption_images_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="caption_images must be >= 0"):
        DatasetConfig(caption_images=-1)


def test_an_image_id_shared_by_a_caption_and_a_picture_is_refused(dataset: PEBenchDataset) -> None:
    clash = [*dataset.captions, type(dataset.captions[0])(**{**dataset.captions[0].to_dict(), "image_id": "img00000"})]
    with pytest.raises(ValueError, match="repeated: \\['img00000'\\]"):
        PEBenchDataset(
            dataset.root,
            dataset.config,
            list(dataset.persons.values()),
            list(dataset.events.values()),
            list(dataset.images.values()),
            dataset.qa,
            clash,
        )


def test_the_caption_figure_shows_each_picture_above_its_caption(dataset: PEBenchDataset) -> None:
    figure = summary.plot_captions(dataset, 4, columns=3)
    shown = [ax for ax in figure.axes if ax.images]
    assert [ax.get_xlabel().replace("\n", " ") for ax in shown] == [c.answer for c in dataset.captions[:4]]
    assert len(figure.axes) == 6  # two rows of three, two left blank


def test_the_caption_figure_needs_captions(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no captioned pictures"):
        summary.plot_captions(PEBenchDataset.load(ensure_dataset(SMALL, tmp_path, progress=False)))
