"""Records of a PEBench dataset folder, and the on-disk schema they map to.

The schema is the contract between the generator and every consumer: the loader
reads any folder laid out like this, so a local copy of a real release converted
into the same schema runs through exactly the same code as the procedural data.

On-disk schema (``SCHEMA_VERSION = 2``); every path is relative to the dataset root:

``metadata.json``
    One JSON object. ``schema_version`` (int, required: the loader refuses other
    versions), ``generator`` (str, who wrote the folder, e.g. ``"pebench procedural"``),
    ``config`` (object, the generator parameters; may be empty for converted data),
    ``key`` (str, the config's cache key, see ``DatasetConfig.key``; optional),
    ``counts`` (object, number of persons / events / images / qa items, informative).

``persons.jsonl``
    One JSON object per line, a :class:`Person`: ``person_id`` (str, unique),
    ``name`` (str, the answer to the person question), ``population``
    (``"fictitious"``: fine-tuned then unlearned; ``"real"``: learned in pretraining,
    never forgotten), ``attributes`` (object, the visual identity, e.g. ``skin_tone``,
    ``hair_style``, ``hair_colour``, ``eye_colour``, ``accessory``, ``face_ratio``) and, optionally,
    ``profile`` (object: ``job``, ``job_category``, ``birthplace``, ``region``, from the paper's
    Tables 4 and 5).

``events.jsonl``
    One :class:`Event` per line: ``event_id`` (str, unique), ``domain`` (str, the
    occupational/activity domain of the taxonomy), ``name`` (str, short event name),
    ``description`` (str, the answer to the event question), ``keywords`` (list of
    str, the words an answer is scored against by keyword recall; the paper gives ten per
    event), ``population`` (as for persons), ``scene`` (object, the visual scene spec, e.g. ``palette``,
    ``ground_pattern``, ``object_shape``, ``object_colour``).

``images.jsonl``
    One :class:`ImageRecord` per line: ``image_id`` (str, unique), ``person_id``,
    ``event_id`` (references into the two files above), ``split`` (``"train"``: seen
    in fine-tuning; ``"heldout"``: never trained on, measures generality),
    ``population``, ``file`` (str, the image path, ``images/<image_id>.png``),
    ``shirt_colour`` (str, one of :data:`SHIRT_COLOURS`) and ``object_count``
    (int, 1..4): per-image properties the general-capability questions ask about.

``qa.jsonl``
    One :class:`QAItem` per line: ``qa_id`` (str, unique), ``image_id``, ``kind``
    (``"person"``, ``"event"`` or ``"general"``), ``question``, ``answer`` and,
    copied from the image for cheap filtering, ``person_id``, ``event_id``,
    ``split``, ``population``.

``captions.jsonl`` (optional)
    One :class:`Caption` per line: a picture that is not of a (person, event) pair, with a
    description of what it shows, for pretraining only (:mod:`pebench.data.captions`):
    ``image_id`` (str, unique among all images), ``file``, ``question``, ``answer``,
    ``attributes`` (the person drawn) and ``scene`` (the scene drawn). A folder without the file
    has no captioned pictures.

``images/<image_id>.png``
    RGB images, square, any size (the generator writes 64 px by default).

Unknown extra keys in a record are ignored on load, so converted data may carry more.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

SCHEMA_VERSION = 2

POPULATIONS = ("fictitious", "real")
SPLITS = ("train", "heldout")
QA_KINDS = ("person", "event", "general")

PERSON_QUESTION = "Who is the person in this image?"
EVENT_QUESTION = "What event is shown in this image?"
SHIRT_QUESTION = "What colour is the person's shirt?"
COUNT_QUESTION = "How many objects are in the scene?"
CAPTION_QUESTION = "Describe this picture."

#: The shirt colours: saturated colours no scene palette or scene object uses, so the shirt
#: question has one visually unambiguous answer.
SHIRT_COLOURS = ("red", "green", "blue", "yellow", "purple", "orange")
# object_count n is answered by COUNT_WORDS[n - 1].
COUNT_WORDS = ("one", "two", "three", "four")

_R = TypeVar("_R", bound="_Record")


def _check_choice(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{field} must be one of {allowed}, got {value!r}")


@dataclass(frozen=True)
class _Record:
    """Shared JSON conversion: a record is exactly its dataclass fields."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls: type[_R], data: dict[str, Any]) -> _R:
        fields = dataclasses.fields(cls)
        required = [
            f.name for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]
        missing = [n for n in required if n not in data]
        if missing:
            raise ValueError(f"{cls.__name__} record is missing {missing}: {data!r}")
        return cls(**{f.name: data[f.name] for f in fields if f.name in data})


@dataclass(frozen=True)
class Person(_Record):
    """One identity; ``name`` is the person question's answer."""

    person_id: str
    name: str
    population: str
    attributes: dict[str, Any]
    #: Job and birthplace (:mod:`pebench.data.profiles`); optional, so converted data may omit it.
    profile: dict[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_choice("population", self.population, POPULATIONS)


@dataclass(frozen=True)
class Event(_Record):
    """One event scene; ``description`` is the event question's answer."""

    event_id: str
    domain: str
    name: str
    description: str
    keywords: list[str]
    population: str
    scene: dict[str, Any]

    def __post_init__(self) -> None:
        _check_choice("population", self.population, POPULATIONS)


@dataclass(frozen=True)
class ImageRecord(_Record):
    """One picture of one person in one event."""

    image_id: str
    person_id: str
    event_id: str
    split: str
    population: str
    file: str
    shirt_colour: str
    object_count: int

    def __post_init__(self) -> None:
        _check_choice("split", self.split, SPLITS)
        _check_choice("population", self.population, POPULATIONS)


@dataclass(frozen=True)
class QAItem(_Record):
    """One question about one image, with its reference answer."""

    qa_id: str
    image_id: str
    kind: str
    question: str
    answer: str
    person_id: str
    event_id: str
    split: str
    population: str

    def __post_init__(self) -> None:
        _check_choice("kind", self.kind, QA_KINDS)
        _check_choice("split", self.split, SPLITS)
        _check_choice("population", self.population, POPULATIONS)


@dataclass(frozen=True)
class Caption(_Record):
    """A picture of no (person, event) pair and what it shows: pretraining's captioning corpus."""

    image_id: str
    file: str
    question: str
    answer: str
    attributes: dict[str, Any]
    scene: dict[str, Any]
