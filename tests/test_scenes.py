"""The paper's events as compositional scenes: parts, descriptions, drawing, generation."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pebench.data import DatasetConfig, PEBenchDataset, ensure_dataset, scenery
from pebench.data.appearance import person_looks
from pebench.data.describe import TEMPLATES, canonical_description, describe, paraphrase_count
from pebench.data.paper_events import paper_event_keywords
from pebench.data.render import render_image, sample_variation
from pebench.data.scenes import CROWDS, LIGHTS, OBJECTS, SCENE_EVENTS, SETTINGS, SceneEvent

SCENES = DatasetConfig(n_persons=3, n_events=4, n_real_persons=2, n_real_events=2, events="scenes")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> PEBenchDataset:
    return PEBenchDataset.load(ensure_dataset(SCENES, tmp_path_factory.mktemp("data"), progress=False))


def test_the_scene_events_are_the_papers_with_its_keywords() -> None:
    paper = paper_event_keywords()
    assert [e.name for e in SCENE_EVENTS] == list(paper)
    for event in SCENE_EVENTS:
        assert sorted(event.keywords) == sorted(dict.fromkeys(paper[event.name])), event.name


def test_events_are_composed_of_shared_parts_and_each_is_drawn_differently() -> None:
    assert len({(e.setting, frozenset(e.objects), e.light, e.crowd) for e in SCENE_EVENTS}) == len(SCENE_EVENTS)
    settings, objects = Counter(e.setting for e in SCENE_EVENTS), Counter(o for e in SCENE_EVENTS for o in e.objects)
    assert set(settings) == set(SETTINGS) and set(objects) == set(OBJECTS)
    assert {e.light for e in SCENE_EVENTS} == set(LIGHTS) and {e.crowd for e in SCENE_EVENTS} == set(CROWDS)
    assert sum(n >= 2 for n in settings.values()) >= 10  # several events share a setting
    assert sum(n >= 2 for n in objects.values()) >= 15  # and objects


def test_a_scene_event_names_a_bad_part() -> None:
    good = SCENE_EVENTS[0]
    with pytest.raises(ValueError, match="setting must be one of"):
        replace(good, setting="moon")
    with pytest.raises(ValueError, match="objects must be among"):
        replace(good, objects=("tree", "unicorn"))
    with pytest.raises(ValueError, match="light must be one of"):
        replace(good, light="neon")
    with pytest.raises(ValueError, match="crowd must be one of"):
        replace(good, crowd="many")
    with pytest.raises(ValueError, match=r"\['mood'\] have none"):
        replace(good, mood=())


@pytest.mark.parametrize("event", SCENE_EVENTS[:10], ids=lambda e: e.name)
def test_every_description_holds_every_keyword_in_plain_words(event: SceneEvent) -> None:
    rng = np.random.default_rng(0)
    descriptions = {describe(event, rng) for _ in range(30)} | {canonical_description(event)}
    assert len(descriptions) > 5 and paraphrase_count(event) >= len(descriptions)
    for text in descriptions:
        assert re.fullmatch(r"[a-z][a-z ,-]*[a-z]", text), text
        assert all(keyword in text for keyword in event.keywords), text
    assert describe(event, np.random.default_rng(3)) == describe(event, np.random.default_rng(3))


def test_every_template_uses_every_keyword_group_once() -> None:
    for template in TEMPLATES:
        assert sorted(re.findall(r"\{(\w+)\}", template)) == ["details", "mood", "what", "where"]


def test_every_part_has_a_drawing() -> None:
    assert set(scenery.SETTING_LOOKS) == set(SETTINGS) and set(scenery.ICONS) == set(OBJECTS)
    assert set(scenery.LIGHT_TINTS) == set(LIGHTS) and set(scenery.CROWD_SLOTS) == set(CROWDS)
    assert {look[3] for look in scenery.SETTING_LOOKS.values()} == set(scenery.BACKDROPS)


@pytest.mark.parametrize("size", [32, 64])
def test_each_part_changes_the_picture(size: int) -> None:
    looks = person_looks(1, np.random.default_rng(0))[0]
    variation = sample_variation(np.random.default_rng(0))
    event = SCENE_EVENTS[1]
    base = event.scene_spec()
    first = np.asarray(render_image(looks, base, variation, size))
    assert first.shape == (size, size, 3)
    other_object = "book" if event.objects[0] != "book" else "cup"
    for change in (
        {"setting": "gym"},
        {"objects": [other_object, other_object]},
        {"light": "night"},
        {"crowd": "crowd"},
    ):
        changed = np.asarray(render_image(looks, base | change, variation, size))
        assert np.abs(changed.astype(int) - first).sum() > 0, change


def test_every_pair_of_events_is_told_apart_by_its_pixels() -> None:
    looks = person_looks(1, np.random.default_rng(0))[0]
    variation = sample_variation(np.random.default_rng(0)) | {"object_count": 2, "object_slots": [0, 1]}
    variation["object_jitter"] = [[0.0, 0.0], [0.0, 0.0]]
    pictures = [
        np.asarray(
            render_image(looks, e.scene_spec(), variation, 32),
            dtype=float,
        )
        for e in SCENE_EVENTS
    ]
    closest = min(np.abs(a - b).mean() for a, b in itertools.combinations(pictures, 2))
    assert closest > 1.0  # mean absolute difference per channel, out of 255


def test_a_scenes_dataset_describes_each_picture_in_its_own_words(dataset: PEBenchDataset) -> None:
    assert {e.name for e in dataset.events.values()} <= {e.name for e in SCENE_EVENTS}
    by_name = {e.name: e for e in SCENE_EVENTS}
    for event in dataset.events.values():
        assert event.keywords == by_name[event.name].keywords
        assert event.scene == by_name[event.name].scene_spec()
        answers = {q.answer for q in dataset.qa if q.kind == "event" and q.event_id == event.event_id}
        assert len(answers) > 1  # paraphrases, not one fixed sentence
        assert all(all(k in answer for k in event.keywords) for answer in answers)
    names = {w.lower() for p in dataset.persons.values() for w in p.name.split()}
    assert not names & {w for e in SCENE_EVENTS for k in e.keywords for w in k.split()}


def test_the_kind_of_events_is_checked_and_part_of_the_key() -> None:
    with pytest.raises(ValueError, match=r"events must be one of \('labels', 'scenes'\)"):
        DatasetConfig(events="photos")
    with pytest.raises(ValueError, match="<= 40 \\(the number of scenes events\\)"):
        DatasetConfig(n_events=35, n_real_events=6, events="scenes")
    assert (
        DatasetConfig().to_dict()["events"] == "scenes"
        and DatasetConfig(events="labels").to_dict()["events"] == "labels"
    )
    assert DatasetConfig(events="labels").key() != DatasetConfig().key()


def test_a_scenes_dataset_is_reproducible(dataset: PEBenchDataset, tmp_path: Path) -> None:
    again = PEBenchDataset.load(ensure_dataset(SCENES, tmp_path, progress=False))
    assert again.qa == dataset.qa and list(again.events.values()) == list(dataset.events.values())
