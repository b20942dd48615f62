"""Loading any dataset folder written in the PEBench schema (see :mod:`pebench.data.schema`).

The loader knows nothing about how the folder was made, so procedural data and a
real release converted into the same schema go through the same code.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from pathlib import Path
from typing import Any

from PIL import Image

from pebench.data.schema import SCHEMA_VERSION, Caption, Event, ImageRecord, Person, QAItem

#: The optional file of captioned pictures (:class:`~pebench.data.schema.Caption`).
CAPTIONS_FILE = "captions.jsonl"


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise FileNotFoundError(f"PEBench dataset file not found: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise FileNotFoundError(f"PEBench dataset file not found: {path}")
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class PEBenchDataset:
    """Persons, events, images and QA items of one dataset folder, with simple filters, and the
    captioned pictures pretraining describes (``captions``; none in a folder without them)."""

    def __init__(
        self,
        root: Path,
        config: dict[str, Any],
        persons: list[Person],
        events: list[Event],
        images: list[ImageRecord],
        qa: list[QAItem],
        captions: list[Caption] | None = None,
    ) -> None:
        self.root = Path(root)
        self.config = config
        self.persons = {p.person_id: p for p in persons}
        self.events = {e.event_id: e for e in events}
        self.images = {i.image_id: i for i in images}
        self.qa = qa
        self.captions = captions or []
        self._files = {i.image_id: i.file for i in images} | {c.image_id: c.file for c in self.captions}
        self._pixels: dict[str, Image.Image] = {}
        self._check_references()

    @classmethod
    def load(cls, path: Path | str) -> PEBenchDataset:
        """Read a dataset folder; raises if a file is missing or the schema version is not supported."""
        root = Path(path)
        meta = _read_json(root / "metadata.json")
        version = meta.get("schema_version") if isinstance(meta, dict) else None
        if version is None:
            raise ValueError(f"{root / 'metadata.json'} has no schema_version; expected {SCHEMA_VERSION}")
        if version != SCHEMA_VERSION:
            raise ValueError(f"{root} has unsupported schema_version {version!r}; this pebench reads {SCHEMA_VERSION}")
        return cls(
            root,
            meta.get("config", {}),
            [Person.from_dict(d) for d in _read_jsonl(root / "persons.jsonl")],
            [Event.from_dict(d) for d in _read_jsonl(root / "events.jsonl")],
            [ImageRecord.from_dict(d) for d in _read_jsonl(root / "images.jsonl")],
            [QAItem.from_dict(d) for d in _read_jsonl(root / "qa.jsonl")],
            [Caption.from_dict(d) for d in _read_jsonl(root / CAPTIONS_FILE)]
            if (root / CAPTIONS_FILE).is_file()
            else None,
        )

    def _check_references(self) -> None:
        """Fail at load time, not mid-training, when a record points at nothing."""
        for image in self.images.values():
            if image.person_id not in self.persons or image.event_id not in self.events:
                raise ValueError(f"image {image.image_id} references an unknown person or event")
        for item in self.qa:
            if item.image_id not in self.images:
                raise ValueError(f"qa item {item.qa_id} references unknown image {item.image_id}")
        counts = Counter([*self.images, *(c.image_id for c in self.captions)])
        repeated = sorted(image_id for image_id, n in counts.items() if n > 1)
        if repeated:
            raise ValueError(f"image ids must be unique across images and captions; repeated: {repeated[:5]}")

    def first_image(self, person_id: str, event_id: str, split: str = "train") -> str:
        """The first image (in dataset order) of ``person_id`` in ``event_id`` in ``split``."""
        for image in self.images.values():
            if image.person_id == person_id and image.event_id == event_id and image.split == split:
                return image.image_id
        raise KeyError(f"no {split} image of person {person_id} in event {event_id}")

    def image(self, image_id: str) -> Image.Image:
        """The RGB picture of ``image_id``, read once then kept in memory (do not modify it)."""
        if image_id not in self._pixels:
            path = self.root / self._files[image_id]
            if not path.is_file():
                raise FileNotFoundError(f"PEBench image file not found: {path}")
            with Image.open(path) as im:
                self._pixels[image_id] = im.convert("RGB")
        return self._pixels[image_id]

    def select(
        self,
        *,
        population: str | None = None,
        split: str | None = None,
        kind: str | None = None,
        person_ids: Collection[str] | None = None,
        event_ids: Collection[str] | None = None,
    ) -> list[QAItem]:
        """QA items matching every given filter (``None`` means any), in file order."""
        person_ids = None if person_ids is None else set(person_ids)
        event_ids = None if event_ids is None else set(event_ids)
        return [
            q
            for q in self.qa
            if (population is None or q.population == population)
            and (split is None or q.split == split)
            and (kind is None or q.kind == kind)
            and (person_ids is None or q.person_id in person_ids)
            and (event_ids is None or q.event_id in event_ids)
        ]

    def person_ids(self, population: str | None = None) -> list[str]:
        """Sorted ids of the persons of ``population`` (all when ``None``)."""
        return sorted(pid for pid, p in self.persons.items() if population is None or p.population == population)

    def event_ids(self, population: str | None = None) -> list[str]:
        """Sorted ids of the events of ``population`` (all when ``None``)."""
        return sorted(eid for eid, e in self.events.items() if population is None or e.population == population)

    def keywords(self) -> dict[str, list[str]]:
        """Each event's keywords, by event id: what an event answer is scored against by keyword recall."""
        return {event_id: event.keywords for event_id, event in self.events.items()}

    def answers(self, kind: str) -> set[str]:
        """Every reference answer of QA items of ``kind``: the candidate set scorers match against."""
        return {q.answer for q in self.qa if q.kind == kind}

    def __repr__(self) -> str:
        return (
            f"PEBenchDataset(root={str(self.root)!r}, persons={len(self.persons)}, events={len(self.events)}, "
            f"images={len(self.images)}, qa={len(self.qa)}, captions={len(self.captions)})"
        )
