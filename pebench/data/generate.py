"""Generating a procedural PEBench dataset folder, deterministically from a seed.

Two populations share one folder: the *fictitious* persons x events, which the model
fine-tunes on and later unlearns, and the *real* persons x events, the stand-in for
what a pretrained model already knows (learned in a pretraining stage, never
forgotten). Each population is a full grid: every person appears in every event of
its population, with separate train and held-out pictures of every pair. A dataset may also carry
captioned pictures of no pair, for pretraining (:mod:`pebench.data.captions`).

Randomness comes from named sub-streams of ``numpy.random.default_rng([seed, stream,
...])``; each image has its own stream keyed by its index, so one image's pixels do
not depend on how many others were drawn before it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from pebench.cache import library_versions, source_fingerprint
from pebench.data.appearance import person_looks, scene_specs
from pebench.data.captions import caption, caption_words, random_look, random_scene
from pebench.data.dataset import CAPTIONS_FILE
from pebench.data.describe import TEMPLATES, canonical_description, describe
from pebench.data.names import NAME_CAPACITY, make_names
from pebench.data.profiles import make_profiles
from pebench.data.render import render_image, sample_variation
from pebench.data.scenes import SCENE_EVENTS, SceneEvent
from pebench.data.schema import (
    CAPTION_QUESTION,
    COUNT_QUESTION,
    COUNT_WORDS,
    EVENT_QUESTION,
    PERSON_QUESTION,
    SCHEMA_VERSION,
    SHIRT_COLOURS,
    SHIRT_QUESTION,
    Caption,
    Event,
    ImageRecord,
    Person,
    QAItem,
)
from pebench.data.taxonomy import all_events, description_keywords

#: The modules whose code decides the dataset's bytes (part of ``DatasetConfig.key``); the loader
#: and the chapter-1 summaries are not among them.
GENERATOR_SOURCES = tuple(
    f"data/{name}.py"
    for name in (
        "appearance",
        "bust",
        "captions",
        "describe",
        "generate",
        "names",
        "pen",
        "profiles",
        "render",
        "scenery",
        "scenes",
        "schema",
        "taxonomy",
    )
)
#: The libraries that draw it (random streams, rasterisation); their versions are part of the key too.
GENERATOR_LIBRARIES = ("numpy", "pillow")

ALLOWED_IMAGE_SIZES = (32, 64, 128, 224, 336)
#: What an event of a dataset can be (``DatasetConfig.events``).
EVENT_KINDS = ("labels", "scenes")
GENERATOR = "pebench procedural"
DATA_FILES = ("metadata.json", "persons.jsonl", "events.jsonl", "images.jsonl", "qa.jsonl")

_STREAMS = {
    "names": 0,
    "looks": 1,
    "event_order": 2,
    "scenes": 3,
    "images": 4,
    "profiles": 5,
    "descriptions": 6,
    "captions": 7,
}


@dataclass(frozen=True)
class DatasetConfig:
    """Everything that determines a generated dataset; equal configs give identical bytes."""

    n_persons: int = 40
    n_events: int = 10
    n_real_persons: int = 10
    n_real_events: int = 5
    train_images_per_pair: int = 1
    heldout_images_per_pair: int = 1
    #: Held-out pictures of each real pair: their general questions are World Fact, whose items
    #: this sets (``2 * n_real_persons * n_real_events`` per picture: 300 by default, a standard
    #: error of at most 0.03).
    real_heldout_images_per_pair: int = 3
    #: 64 pixels: a scene's setting, its counted objects, light and crowd stay legible beside the
    #: person (at 32 pixels the objects are a few pixels each); chapter 1 shows the pictures.
    image_size: int = 64
    seed: int = 0
    #: What an event is (:data:`EVENT_KINDS`): ``"labels"``, a scene of its own marked by colours and
    #: shapes with one fixed sentence (:mod:`pebench.data.taxonomy`); ``"scenes"``, one of the
    #: paper's 40 events composed of visible parts shared with other events, described in its ten
    #: keywords, in other words on each picture (:mod:`pebench.data.scenes`).
    events: str = "scenes"
    #: Captioned pictures for pretraining (:mod:`pebench.data.captions`): random persons in random
    #: compositions of the scene events' parts, each with a description of what it shows. 1,000:
    #: every setting, object, light and crowd appears in many of them (chapter 1 counts them).
    caption_images: int = 1000

    def __post_init__(self) -> None:
        if self.events not in EVENT_KINDS:
            raise ValueError(f"events must be one of {EVENT_KINDS}, got {self.events!r}")
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name != "events" and (not isinstance(value, int) or isinstance(value, bool)):
                raise ValueError(f"{field.name} must be an int, got {value!r}")
        for name in (
            "n_persons",
            "n_events",
            "n_real_persons",
            "n_real_events",
            "train_images_per_pair",
            "heldout_images_per_pair",
            "real_heldout_images_per_pair",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in ("seed", "caption_images"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.image_size not in ALLOWED_IMAGE_SIZES:
            raise ValueError(f"image_size must be one of {ALLOWED_IMAGE_SIZES}, got {self.image_size}")
        n_taxonomy = len(all_events()) if self.events == "labels" else len(SCENE_EVENTS)
        if self.n_events + self.n_real_events > n_taxonomy:
            raise ValueError(
                f"n_events + n_real_events must be <= {n_taxonomy} (the number of {self.events} events), "
                f"got n_events={self.n_events} + n_real_events={self.n_real_events}"
            )
        if self.n_persons + self.n_real_persons > NAME_CAPACITY:
            raise ValueError(
                f"n_persons + n_real_persons must be <= {NAME_CAPACITY} (the name capacity), "
                f"got n_persons={self.n_persons} + n_real_persons={self.n_real_persons}"
            )

    def to_dict(self) -> dict[str, int | str]:
        """The fields by name (what the key and ``metadata.json`` record)."""
        return dataclasses.asdict(self)

    def key(self) -> str:
        """Short stable hash of the config, the schema version, the code that draws the dataset and
        the versions of the libraries it draws with, used as a cache folder name: editing the renderer
        or upgrading Pillow gives a new folder, never stale images."""
        payload = json.dumps(
            {
                **self.to_dict(),
                "schema_version": SCHEMA_VERSION,
                "code": source_fingerprint(*GENERATOR_SOURCES),
                "libraries": library_versions(*GENERATOR_LIBRARIES),
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class _Plan:
    """All records of a dataset plus what is needed to draw each image."""

    persons: list[Person]
    events: list[Event]
    images: list[ImageRecord]
    variations: list[dict[str, Any]]
    qa: list[QAItem]
    captions: list[Caption]
    caption_variations: list[dict[str, Any]]


def _rng(config: DatasetConfig, stream: str, *extra: int) -> np.random.Generator:
    return np.random.default_rng([config.seed, _STREAMS[stream], *extra])


def _event_order(rng: np.random.Generator) -> list[tuple[str, str, str]]:
    """Taxonomy events shuffled so that consecutive picks cycle through the domains.

    Taking the first ``n`` events then covers as many domains as possible.
    """
    by_domain: dict[str, list[tuple[str, str, str]]] = {}
    for event in all_events():
        by_domain.setdefault(event[0], []).append(event)
    queues = [[evs[i] for i in rng.permutation(len(evs))] for evs in by_domain.values()]
    queues = [queues[i] for i in rng.permutation(len(queues))]
    return [q[r] for r in range(max(map(len, queues))) for q in queues if r < len(q)]


def _reserved_words(events: str) -> set[str]:
    """Words of every other answer and question, which names must not reuse."""
    if events == "labels":
        texts = [f"{name} {description}" for _, name, description in all_events()]
    else:
        texts = [f"{e.name} {' '.join(e.keywords)}" for e in SCENE_EVENTS] + list(TEMPLATES)
    texts += [PERSON_QUESTION, EVENT_QUESTION, SHIRT_QUESTION, COUNT_QUESTION, CAPTION_QUESTION]
    texts += [*SHIRT_COLOURS, *COUNT_WORDS]
    return {w for text in texts for w in re.findall(r"[a-z]+", text.lower())} | caption_words()


def _scene_event_order(rng: np.random.Generator) -> list[SceneEvent]:
    """The paper's events in a drawn order (the first ``n`` are a dataset's)."""
    return [SCENE_EVENTS[i] for i in rng.permutation(len(SCENE_EVENTS))]


def _events(config: DatasetConfig) -> list[Event]:
    """The dataset's events, fictitious then real, each with its visual scene spec."""
    n_scenes = config.n_events + config.n_real_events
    drawn: list[tuple[str, str, str, list[str], dict[str, Any]]] = []  # domain, name, description, keywords, scene
    if config.events == "labels":
        chosen = _event_order(_rng(config, "event_order"))[:n_scenes]
        scenes = scene_specs(n_scenes, _rng(config, "scenes"))
        for (domain, name, description), scene in zip(chosen, scenes):
            drawn.append((domain, name, description, description_keywords(description), scene))
    else:
        for event in _scene_event_order(_rng(config, "event_order"))[:n_scenes]:
            drawn.append((event.setting, event.name, canonical_description(event), event.keywords, event.scene_spec()))
    events = []
    for i, (domain, name, description, keywords, scene) in enumerate(drawn):
        fictitious = i < config.n_events
        eid = f"e{i:02d}" if fictitious else f"re{i - config.n_events:02d}"
        population = "fictitious" if fictitious else "real"
        events.append(Event(eid, domain, name, description, keywords, population, scene))
    return events


def _plan(config: DatasetConfig) -> _Plan:
    n_people = config.n_persons + config.n_real_persons
    names = make_names(n_people, _rng(config, "names"), reserved=_reserved_words(config.events))
    looks = person_looks(n_people, _rng(config, "looks"))
    profiles = make_profiles(n_people, _rng(config, "profiles"))
    events = _events(config)
    by_name = {e.name: e for e in SCENE_EVENTS}

    persons = []
    for i in range(n_people):
        fictitious = i < config.n_persons
        pid = f"p{i:03d}" if fictitious else f"r{i - config.n_persons:03d}"
        persons.append(Person(pid, names[i], "fictitious" if fictitious else "real", looks[i], profiles[i]))

    images, variations, qa = [], [], []
    heldout = {"fictitious": config.heldout_images_per_pair, "real": config.real_heldout_images_per_pair}
    for population in ("fictitious", "real"):
        splits = (("train", config.train_images_per_pair), ("heldout", heldout[population]))
        for person in (p for p in persons if p.population == population):
            for event in (e for e in events if e.population == population):
                for split, per_pair in splits:
                    for _ in range(per_pair):
                        variation = sample_variation(_rng(config, "images", len(images)))
                        image_id = f"img{len(images):05d}"
                        record = ImageRecord(
                            image_id,
                            person.person_id,
                            event.event_id,
                            split,
                            population,
                            f"images/{image_id}.png",
                            variation["shirt_colour"],
                            variation["object_count"],
                        )
                        if config.events == "labels":
                            description = event.description
                        else:  # each picture described in its own words
                            description = describe(by_name[event.name], _rng(config, "descriptions", len(images)))
                        images.append(record)
                        variations.append(variation)
                        qa.extend(_qa_items(record, person, description, start=len(qa)))
    captions, caption_variations = _captions(config)
    return _Plan(persons, events, images, variations, qa, captions, caption_variations)


def _captions(config: DatasetConfig) -> tuple[list[Caption], list[dict[str, Any]]]:
    """The captioned pictures, each from a random stream of its own."""
    captions, variations = [], []
    for i in range(config.caption_images):
        rng = _rng(config, "captions", i)
        look, scene, variation = random_look(rng), random_scene(rng), sample_variation(rng)
        answer = caption(look, scene, variation["shirt_colour"], variation["object_count"])
        image_id = f"cap{i:05d}"
        captions.append(Caption(image_id, f"images/{image_id}.png", CAPTION_QUESTION, answer, look, scene))
        variations.append(variation)
    return captions, variations


def _qa_items(image: ImageRecord, person: Person, description: str, start: int) -> list[QAItem]:
    asked = (
        ("person", PERSON_QUESTION, person.name),
        ("event", EVENT_QUESTION, description),
        ("general", SHIRT_QUESTION, image.shirt_colour),
        ("general", COUNT_QUESTION, COUNT_WORDS[image.object_count - 1]),
    )
    return [
        QAItem(
            f"qa{start + i:06d}",
            image.image_id,
            kind,
            question,
            answer,
            image.person_id,
            image.event_id,
            image.split,
            image.population,
        )
        for i, (kind, question, answer) in enumerate(asked)
    ]


def _write_jsonl(path: Path, records: Iterable[Any]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for record in records:
            f.write(json.dumps(record.to_dict()) + "\n")


def _metadata(config: DatasetConfig, plan: _Plan) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": GENERATOR,
        "config": config.to_dict(),
        "key": config.key(),
        "counts": {
            "persons": len(plan.persons),
            "events": len(plan.events),
            "images": len(plan.images),
            "qa": len(plan.qa),
            **({"captions": len(plan.captions)} if plan.captions else {}),
        },
    }


def _build(config: DatasetConfig, root: Path, progress: bool) -> None:
    plan = _plan(config)
    attrs = {p.person_id: p.attributes for p in plan.persons}
    scenes = {e.event_id: e.scene for e in plan.events}
    (root / "images").mkdir()
    for record, variation in tqdm(
        list(zip(plan.images, plan.variations)), desc="PEBench images", unit="img", disable=not progress
    ):
        image = render_image(attrs[record.person_id], scenes[record.event_id], variation, config.image_size)
        image.save(root / record.file, format="PNG", optimize=False, compress_level=6)
    for record, variation in tqdm(
        list(zip(plan.captions, plan.caption_variations)), desc="captioned pictures", unit="img", disable=not progress
    ):
        image = render_image(record.attributes, record.scene, variation, config.image_size)
        image.save(root / record.file, format="PNG", optimize=False, compress_level=6)
    _write_jsonl(root / "persons.jsonl", plan.persons)
    _write_jsonl(root / "events.jsonl", plan.events)
    _write_jsonl(root / "images.jsonl", plan.images)
    _write_jsonl(root / "qa.jsonl", plan.qa)
    if plan.captions:
        _write_jsonl(root / CAPTIONS_FILE, plan.captions)
    # Written last: a folder with metadata.json is complete.
    (root / "metadata.json").write_text(json.dumps(_metadata(config, plan), indent=2, sort_keys=True) + "\n")


def _holds(out_dir: Path, config: DatasetConfig) -> bool:
    """Whether ``out_dir`` already is a complete dataset generated from ``config``."""
    try:
        meta = json.loads((out_dir / "metadata.json").read_text())
    except (OSError, ValueError):
        return False
    return (
        isinstance(meta, dict)
        and meta.get("schema_version") == SCHEMA_VERSION
        and meta.get("generator") == GENERATOR
        and meta.get("config") == config.to_dict()
        and all((out_dir / name).is_file() for name in DATA_FILES)
    )


def generate(config: DatasetConfig, out_dir: Path, *, progress: bool = True) -> Path:
    """Write the dataset of ``config`` to ``out_dir`` and return ``out_dir``.

    The folder appears atomically: it is built in a sibling temporary folder and
    renamed into place, so readers never see a partial dataset. A folder already
    holding this config's dataset is returned untouched; any other non-empty
    ``out_dir`` raises ``FileExistsError`` rather than being overwritten.
    """
    out_dir = Path(out_dir)
    if _holds(out_dir, config):
        return out_dir
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise FileExistsError(
            f"{out_dir} exists but does not hold the dataset of {config}; remove it or pick another folder"
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.tmp-"))
    try:
        _build(config, tmp, progress)
        tmp.chmod(0o755)
        try:
            os.replace(tmp, out_dir)
        except OSError:
            if not _holds(out_dir, config):  # a concurrent run that finished first is fine
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return out_dir


def ensure_dataset(config: DatasetConfig, root: Path, *, progress: bool = True) -> Path:
    """Return the dataset of ``config`` cached under ``root / config.key()``, generating it if absent."""
    return generate(config, Path(root) / config.key(), progress=progress)
