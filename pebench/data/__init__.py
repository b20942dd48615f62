"""PEBench data: a procedural, deterministic fictitious dataset of persons in event scenes.

``generate``/``ensure_dataset`` write a dataset folder from a :class:`~pebench.data.generate.DatasetConfig`;
:class:`~pebench.data.dataset.PEBenchDataset` loads any folder in the schema documented in
:mod:`pebench.data.schema`.
"""

from pebench.data.dataset import PEBenchDataset
from pebench.data.generate import ALLOWED_IMAGE_SIZES, DatasetConfig, ensure_dataset, generate
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

__all__ = [
    "ALLOWED_IMAGE_SIZES",
    "CAPTION_QUESTION",
    "COUNT_QUESTION",
    "COUNT_WORDS",
    "EVENT_QUESTION",
    "PERSON_QUESTION",
    "SCHEMA_VERSION",
    "SHIRT_COLOURS",
    "SHIRT_QUESTION",
    "Caption",
    "DatasetConfig",
    "Event",
    "ImageRecord",
    "PEBenchDataset",
    "Person",
    "QAItem",
    "ensure_dataset",
    "generate",
]
