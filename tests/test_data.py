"""Tests of pebench.data: determinism, splits, schema, loader, distinctness, validation."""

from __future__ import annotations

import importlib
import importlib.metadata
import itertools
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pebench.data import (
    ALLOWED_IMAGE_SIZES,
    COUNT_QUESTION,
    COUNT_WORDS,
    EVENT_QUESTION,
    PERSON_QUESTION,
    SCHEMA_VERSION,
    SHIRT_COLOURS,
    SHIRT_QUESTION,
    DatasetConfig,
    Event,
    ImageRecord,
    PEBenchDataset,
    Person,
    QAItem,
    ensure_dataset,
    generate,
)
from pebench.data.appearance import person_looks, scene_specs
from pebench.data.generate import _plan
from pebench.data.names import make_names
from pebench.data.profiles import BIRTHPLACES, JOBS, PROFILE_KEYS, make_profiles, pool_sizes
from pebench.data.render import render_image, sample_variation
from pebench.data.taxonomy import all_events

# The package re-exports the function generate(), which shadows the submodule's name.
generate_module = importlib.import_module("pebench.data.generate")
# Label events without captioned pictures: the tests below check how the labels are drawn and asked.
SMALL = DatasetConfig(
    n_persons=6, n_events=3, n_real_persons=2, n_real_events=2, seed=7, events="labels", caption_images=0
)
PERSON_KEYS = ("skin_tone", "hair_colour", "hair_style", "eye_colour", "accessory")
SCENE_KEYS = ("palette", "ground_pattern", "object_shape", "object_colour")


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(SMALL, tmp_path_factory.mktemp("small") / "ds", progress=False)


@pytest.fixture(scope="module")
def small(small_dir: Path) -> PEBenchDataset:
    return PEBenchDataset.load(small_dir)


def _file_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _pixels(ds: PEBenchDataset, image_id: str) -> np.ndarray:
    return np.asarray(ds.image(image_id), dtype=np.float32)


# --- determinism ---------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(small_dir: Path, tmp_path: Path) -> None:
    again = generate(SMALL, tmp_path / "again", progress=False)
    assert _file_bytes(small_dir) == _file_bytes(again)


def test_different_seed_gives_different_data(small_dir: Path, tmp_path: Path) -> None:
    other = generate(DatasetConfig(**{**SMALL.to_dict(), "seed": 8}), tmp_path / "other", progress=False)
    a, b = _file_bytes(small_dir), _file_bytes(other)
    assert a.keys() == b.keys()
    assert a["persons.jsonl"] != b["persons.jsonl"]
    assert a["images/img00000.png"] != b["images/img00000.png"]


# --- grid and splits -----------------------------------------------------------------


def test_every_pair_has_configured_images_per_split(tmp_path: Path) -> None:
    config = DatasetConfig(
        n_persons=3,
        n_events=2,
        n_real_persons=2,
        n_real_events=1,
        train_images_per_pair=2,
        heldout_images_per_pair=1,
        real_heldout_images_per_pair=4,
    )
    ds = PEBenchDataset.load(generate(config, tmp_path / "ds", progress=False))
    counts = Counter((r.person_id, r.event_id, r.split) for r in ds.images.values())
    for population, heldout in (("fictitious", 1), ("real", 4)):
        for pid, eid in itertools.product(ds.person_ids(population), ds.event_ids(population)):
            assert counts[pid, eid, "train"] == 2
            assert counts[pid, eid, "heldout"] == heldout
    assert len(ds.images) == 3 * 2 * (2 + 1) + 2 * 1 * (2 + 4)
    assert ds.person_ids("fictitious") == ["p000", "p001", "p002"]
    assert ds.person_ids("real") == ["r000", "r001"]
    assert ds.event_ids("fictitious") == ["e00", "e01"] and ds.event_ids("real") == ["re00"]
    for r in ds.images.values():
        assert ds.persons[r.person_id].population == ds.events[r.event_id].population == r.population


def test_train_and_heldout_images_differ(small: PEBenchDataset) -> None:
    by_pair: dict[tuple[str, str], dict[str, list[str]]] = {}
    for r in small.images.values():
        by_pair.setdefault((r.person_id, r.event_id), {}).setdefault(r.split, []).append(r.image_id)
    for splits in by_pair.values():
        (train,), (heldout, *_) = splits["train"], splits["heldout"]
        assert train != heldout
        assert np.abs(_pixels(small, train) - _pixels(small, heldout)).mean() > 1.0


def test_fictitious_and_real_are_disjoint(small: PEBenchDataset) -> None:
    names = Counter(p.name for p in small.persons.values())
    descriptions = Counter(e.description for e in small.events.values())
    assert max(names.values()) == 1 and max(descriptions.values()) == 1


def test_qa_items_per_image(small: PEBenchDataset) -> None:
    by_image: dict[str, list[QAItem]] = {}
    for q in small.qa:
        by_image.setdefault(q.image_id, []).append(q)
    assert by_image.keys() == small.images.keys()
    for image_id, items in by_image.items():
        image = small.images[image_id]
        asked = {q.question: q for q in items}
        assert len(items) == 4 and len(asked) == 4
        assert asked[PERSON_QUESTION].answer == small.persons[image.person_id].name
        assert asked[EVENT_QUESTION].answer == small.events[image.event_id].description
        assert asked[SHIRT_QUESTION].answer == image.shirt_colour in SHIRT_COLOURS
        assert asked[COUNT_QUESTION].answer == COUNT_WORDS[image.object_count - 1]
        assert [q.kind for q in items] == ["person", "event", "general", "general"]
        for q in items:
            assert (q.person_id, q.event_id, q.split, q.population) == (
                image.person_id,
                image.event_id,
                image.split,
                image.population,
            )
    assert small.answers("general") <= set(SHIRT_COLOURS) | set(COUNT_WORDS)
    assert len(small.answers("person")) == len(small.persons)


def test_ids_follow_the_documented_format(small: PEBenchDataset) -> None:
    assert all(re.fullmatch(r"img\d{5}", i) for i in small.images)
    assert all(re.fullmatch(r"qa\d{6}", q.qa_id) for q in small.qa)
    assert all(r.file == f"images/{r.image_id}.png" for r in small.images.values())
    assert all(small.image(i).size == (64, 64) and small.image(i).mode == "RGB" for i in small.images)


# --- schema and loader ---------------------------------------------------------------


def test_records_round_trip_through_dicts() -> None:
    records = [
        Person("p000", "Ada Bo", "fictitious", {"skin_tone": "tan", "face_ratio": 0.8}),
        Event(
            "e00", "arts", "mural", "artists paint a wall", ["artists", "paint", "wall"], "real", {"palette": "dusk"}
        ),
        ImageRecord("img00000", "p000", "e00", "heldout", "fictitious", "images/img00000.png", "red", 3),
        QAItem("qa000000", "img00000", "person", PERSON_QUESTION, "Ada Bo", "p000", "e00", "train", "real"),
    ]
    for record in records:
        assert type(record).from_dict(json.loads(json.dumps(record.to_dict()))) == record
    with pytest.raises(ValueError, match="split"):
        ImageRecord("i", "p", "e", "test", "fictitious", "f", "red", 1)
    with pytest.raises(ValueError, match="missing"):
        Person.from_dict({"person_id": "p000"})


def test_load_gives_back_generated_records(small: PEBenchDataset) -> None:
    plan = _plan(SMALL)
    assert list(small.persons.values()) == plan.persons
    assert list(small.events.values()) == plan.events
    assert list(small.images.values()) == plan.images
    assert small.qa == plan.qa
    assert small.config == SMALL.to_dict()
    assert "persons=8" in repr(small) and "images=52" in repr(small)  # 6 x 3 x (1 + 1) + 2 x 2 x (1 + 3)


def test_select_filters(small: PEBenchDataset) -> None:
    assert len(small.select()) == len(small.qa)
    picked = small.select(
        population="fictitious", split="heldout", kind="person", person_ids={"p001"}, event_ids=["e02"]
    )
    assert len(picked) == 1 and picked[0].answer == small.persons["p001"].name
    assert {q.population for q in small.select(population="real")} == {"real"}
    n_train = sum(r.split == "train" for r in small.images.values())
    assert len(small.select(kind="general", split="train")) == 2 * n_train


def _write_minimal(root: Path, version: object = SCHEMA_VERSION) -> None:
    root.mkdir()
    (root / "images").mkdir()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(root / "images" / "x1.png")
    meta = {} if version is None else {"schema_version": version}
    (root / "metadata.json").write_text(json.dumps(meta))
    lines = {
        "persons.jsonl": [{"person_id": "a", "name": "Real Person", "population": "real", "attributes": {}}],
        "events.jsonl": [
            {
                "event_id": "b",
                "domain": "arts",
                "name": "gig",
                "description": "a band plays loudly",
                "keywords": ["band", "plays", "loudly"],
                "population": "real",
                "scene": {},
                "extra_field": "ignored",
            }
        ],
        "images.jsonl": [
            {
                "image_id": "x1",
                "person_id": "a",
                "event_id": "b",
                "split": "heldout",
                "population": "real",
                "file": "images/x1.png",
                "shirt_colour": "red",
                "object_count": 1,
            }
        ],
        "qa.jsonl": [
            {
                "qa_id": "q1",
                "image_id": "x1",
                "kind": "person",
                "question": PERSON_QUESTION,
                "answer": "Real Person",
                "person_id": "a",
                "event_id": "b",
                "split": "heldout",
                "population": "real",
            }
        ],
    }
    for name, rows in lines.items():
        (root / name).write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_loader_reads_a_hand_made_folder(tmp_path: Path) -> None:
    _write_minimal(tmp_path / "mini")
    ds = PEBenchDataset.load(tmp_path / "mini")
    assert ds.config == {}
    assert ds.person_ids("real") == ["a"] and ds.person_ids("fictitious") == []
    assert ds.persons["a"].profile == {}  # a profile is optional
    assert ds.event_ids() == ["b"]
    assert ds.answers("person") == {"Real Person"} and ds.answers("event") == set()
    assert ds.select(split="heldout")[0].qa_id == "q1"
    image = ds.image("x1")
    assert image.mode == "RGB" and image.getpixel((0, 0)) == (200, 10, 10)
    assert ds.image("x1") is image  # cached


@pytest.mark.parametrize("version", [None, 1, 3, "2"])
def test_unsupported_schema_version_raises(tmp_path: Path, version: object) -> None:
    _write_minimal(tmp_path / "mini", version)
    with pytest.raises(ValueError, match="schema_version"):
        PEBenchDataset.load(tmp_path / "mini")


@pytest.mark.parametrize("missing", ["metadata.json", "qa.jsonl", "images/x1.png"])
def test_missing_file_raises_naming_the_path(tmp_path: Path, missing: str) -> None:
    _write_minimal(tmp_path / "mini")
    (tmp_path / "mini" / missing).unlink()
    with pytest.raises(FileNotFoundError, match=re.escape(missing)):
        PEBenchDataset.load(tmp_path / "mini").image("x1")


# --- names, looks, taxonomy ----------------------------------------------------------


def test_names_are_unique_down_to_each_word() -> None:
    names = make_names(400, np.random.default_rng(0), reserved={"Bala"})
    words = [w for name in names for w in name.split()]
    assert len(set(names)) == 400
    assert len({w.lower() for w in words}) == len(words) == 800
    assert all(re.fullmatch(r"[A-Z][a-z]+", w) for w in words)
    assert "Bala" not in words


def test_profiles_come_from_the_papers_pools() -> None:
    profiles = make_profiles(500, np.random.default_rng(0))
    jobs = {(job, category) for category, items in JOBS for job in items}
    places = {(city, region) for region, items in BIRTHPLACES for city in items}
    assert all(tuple(p) == PROFILE_KEYS for p in profiles)
    assert {(p["job"], p["job_category"]) for p in profiles} <= jobs
    assert {(p["birthplace"], p["region"]) for p in profiles} <= places
    assert len({p["job_category"] for p in profiles}) == len(JOBS)  # 500 draws reach every category
    assert (len(jobs), len(places)) == (77, 55)  # the paper's Tables 4 and 5
    assert pool_sizes() == {"jobs": 77, "job_categories": 17, "birthplaces": 55, "regions": 7}


def test_every_generated_person_has_a_profile(small: PEBenchDataset) -> None:
    assert all(tuple(p.profile) == PROFILE_KEYS for p in small.persons.values())


def test_generated_names_avoid_event_and_question_words(small: PEBenchDataset) -> None:
    vocabulary = {w for _, n, d in all_events() for w in f"{n} {d}".split()} | set(SHIRT_COLOURS) | set(COUNT_WORDS)
    assert not {w.lower() for p in small.persons.values() for w in p.name.split()} & vocabulary


def test_visual_tuples_are_unique() -> None:
    looks = person_looks(400, np.random.default_rng(0))
    assert len({tuple(a[k] for k in PERSON_KEYS) for a in looks}) == 400
    scenes = scene_specs(len(all_events()), np.random.default_rng(0))
    assert len({tuple(s[k] for k in SCENE_KEYS) for s in scenes}) == len(all_events())


def test_generated_visual_tuples_are_unique(small: PEBenchDataset) -> None:
    assert len({tuple(p.attributes[k] for k in PERSON_KEYS) for p in small.persons.values()}) == len(small.persons)
    assert len({tuple(e.scene[k] for k in SCENE_KEYS) for e in small.events.values()}) == len(small.events)


def _rouge_l_f1(a: str, b: str) -> float:
    x, y = a.split(), b.split()
    table = [[0] * (len(y) + 1) for _ in range(len(x) + 1)]
    for i, j in itertools.product(range(len(x)), range(len(y))):
        table[i + 1][j + 1] = table[i][j] + 1 if x[i] == y[j] else max(table[i][j + 1], table[i + 1][j])
    lcs = table[-1][-1]
    return 0.0 if lcs == 0 else 2 * lcs / (len(x) + len(y))


def test_taxonomy_is_large_well_formed_and_distinct() -> None:
    events = all_events()
    assert len(events) >= 64 and len({d for d, _, _ in events}) >= 14
    assert len({n for _, n, _ in events}) == len({d for _, _, d in events}) == len(events)
    for _, name, description in events:
        assert re.fullmatch(r"[a-z]+( [a-z]+)*", description) and 8 <= len(description.split()) <= 12
        assert re.fullmatch(r"[a-z]+( [a-z]+)*", name)
    worst = max(_rouge_l_f1(a[2], b[2]) for a, b in itertools.combinations(events, 2))
    assert worst < 0.5


# --- rendering -----------------------------------------------------------------------


def test_different_persons_and_events_look_different() -> None:
    looks = person_looks(20, np.random.default_rng(1))
    scenes = scene_specs(10, np.random.default_rng(1))
    variation = sample_variation(np.random.default_rng(2))
    people = [np.asarray(render_image(a, scenes[0], variation, 32), dtype=np.float32) for a in looks]
    places = [np.asarray(render_image(looks[0], s, variation, 32), dtype=np.float32) for s in scenes]
    for group in (people, places):
        closest = min(np.abs(a - b).mean() for a, b in itertools.combinations(group, 2))
        assert closest > 2.0


@pytest.mark.parametrize("size", ALLOWED_IMAGE_SIZES)
def test_render_supports_every_allowed_size(size: int) -> None:
    rng = np.random.default_rng(0)
    image = render_image(person_looks(1, rng)[0], scene_specs(1, rng)[0], sample_variation(rng), size)
    assert image.size == (size, size) and image.mode == "RGB"


# --- config validation and caching ---------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "parameter"),
    [
        ({"n_persons": 0}, "n_persons"),
        ({"n_events": 0}, "n_events"),
        ({"n_real_persons": 0}, "n_real_persons"),
        ({"n_real_events": -1}, "n_real_events"),
        ({"train_images_per_pair": 0}, "train_images_per_pair"),
        ({"heldout_images_per_pair": 0}, "heldout_images_per_pair"),
        ({"image_size": 50}, "image_size"),
        ({"n_events": 1000}, "n_events"),
        ({"n_persons": 5000}, "n_persons"),
        ({"seed": -1}, "seed"),
        ({"n_persons": 2.5}, "n_persons"),
    ],
)
def test_bad_parameters_raise_naming_the_parameter(overrides: dict, parameter: str) -> None:
    with pytest.raises(ValueError, match=parameter):
        DatasetConfig(**overrides)


def test_error_messages_state_the_allowed_values() -> None:
    with pytest.raises(ValueError, match=re.escape("n_persons must be >= 1, got 0")):
        DatasetConfig(n_persons=0)
    with pytest.raises(ValueError, match=re.escape("image_size must be one of (32, 64, 128, 224, 336), got 50")):
        DatasetConfig(image_size=50)


def test_config_key_is_short_stable_and_config_specific() -> None:
    key = DatasetConfig().key()
    assert re.fullmatch(r"[0-9a-f]{12}", key) and key == DatasetConfig().key()
    assert key != DatasetConfig(seed=1).key() and key != DatasetConfig(image_size=32).key()


def test_config_key_follows_the_drawing_libraries_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    key = DatasetConfig().key()
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.1" if name == "pillow" else real(name))
    assert DatasetConfig().key() != key  # images drawn by another Pillow are not reused


def test_generation_is_atomic_and_reuses_a_complete_dataset(small_dir: Path) -> None:
    assert [p.name for p in small_dir.parent.iterdir()] == ["ds"]  # no temp folder left behind
    stamps = {p: p.stat().st_mtime_ns for p in small_dir.rglob("*")}
    assert generate(SMALL, small_dir, progress=False) == small_dir
    assert {p: p.stat().st_mtime_ns for p in small_dir.rglob("*")} == stamps


def test_failed_generation_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> Image.Image:
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(generate_module, "render_image", broken)
    with pytest.raises(RuntimeError, match="renderer broke"):
        generate(SMALL, tmp_path / "ds", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_generate_refuses_to_overwrite_other_content(small_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(FileExistsError):
        generate(DatasetConfig(**{**SMALL.to_dict(), "seed": 9}), small_dir, progress=False)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        generate(SMALL, tmp_path / "busy", progress=False)


def test_ensure_dataset_caches_under_the_config_key(tmp_path: Path) -> None:
    path = ensure_dataset(SMALL, tmp_path, progress=False)
    assert path == tmp_path / SMALL.key()
    stamp = (path / "metadata.json").stat().st_mtime_ns
    assert ensure_dataset(SMALL, tmp_path, progress=False) == path
    assert (path / "metadata.json").stat().st_mtime_ns == stamp
    assert json.loads((path / "metadata.json").read_text())["generator"] == "pebench procedural"
