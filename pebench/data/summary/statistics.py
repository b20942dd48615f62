"""Counts that describe a dataset: its structure, its event taxonomy, its questions.

The paper's claims rest on the data's structure (every person in every event, unseen images of
every pair for generality). The tables and counts here show that structure for a generated
dataset, computed from the dataset itself, never retyped: when a default changes, every table
that describes the data follows on its next run.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence

import pandas as pd

from pebench.data.dataset import PEBenchDataset
from pebench.data.generate import DatasetConfig
from pebench.data.paper_events import keyword_sharing, paper_event_keywords
from pebench.data.scenes import SCENE_EVENTS
from pebench.data.schema import POPULATIONS, QA_KINDS, SPLITS
from pebench.data.taxonomy import all_events

IDENTITY_KINDS = ("person", "event")  # the two concepts of an image (the general kind tests a skill)
#: How tables and figures name the splits.
SPLIT_LABELS = {"train": "train", "heldout": "held-out"}


def config_from_parameters(**parameters: int | None) -> DatasetConfig:
    """The :class:`~pebench.data.generate.DatasetConfig` of notebook parameters, where ``None`` means "the default".

    The chapter's parameters cell holds ``None`` for every field, so that by default it describes
    exactly ``DatasetConfig()``, the dataset every later chapter uses (``PipelineConfig().data``),
    without copying its numbers; papermill's ``-p n_persons 20`` still overrides one field.
    Unknown names raise ``TypeError``, invalid values ``ValueError`` (from ``DatasetConfig``).
    """
    return dataclasses.replace(DatasetConfig(), **{k: v for k, v in parameters.items() if v is not None})


def image_side(dataset: PEBenchDataset) -> int:
    """The side in pixels of the dataset's (square) images, read from an image file."""
    first = next(iter(dataset.images))
    return dataset.image(first).size[0]


def dataset_statistics(dataset: PEBenchDataset) -> pd.DataFrame:
    """Counts per population: persons, events, images per split, QA items per kind, image size.

    Why: the paper's claims rest on the data's structure (every person in every event, unseen
    images of every pair for generality); this table shows that structure for our dataset.
    Columns are the populations (*fictitious*: fine-tuned, then unlearned; *real*: the stand-in
    for what a pretrained model already knows) and their total.
    """
    columns = {}
    for population in (*POPULATIONS, None):
        persons = dataset.person_ids(population)
        events = dataset.event_ids(population)
        images = [i for i in dataset.images.values() if population is None or i.population == population]
        qa = [q for q in dataset.qa if population is None or q.population == population]
        pairs = len({(i.person_id, i.event_id) for i in images})
        per_split = Counter(i.split for i in images)
        per_kind = Counter(q.kind for q in qa)
        column = {"persons": len(persons), "events": len(events), "person × event pairs": pairs}
        for split in SPLITS:
            column[f"{SPLIT_LABELS[split]} images per pair"] = per_split[split] // pairs if pairs else 0
        for split in SPLITS:
            column[f"{SPLIT_LABELS[split]} images"] = per_split[split]
        column["images"] = len(images)
        for kind in QA_KINDS:
            column[f"{kind} questions"] = per_kind[kind]
        column["questions"] = len(qa)
        columns[population or "total"] = column
    table = pd.DataFrame(columns)
    table.loc["image side (px)"] = image_side(dataset)
    table.index.name = "quantity"
    return table.astype(int)


def _taxonomy(dataset: PEBenchDataset) -> list[tuple[str, str]]:
    """``(domain, name)`` of every event the dataset's kind of events draws from, in a fixed order:
    the paper's 40 events by setting (``events="scenes"``), or the label taxonomy's by domain."""
    if dataset.config.get("events", "labels") == "scenes":
        return [(event.setting, event.name) for event in SCENE_EVENTS]
    return [(domain, name) for domain, name, _ in all_events()]


def _parts(scene: dict | None) -> str:
    """A scene event's visible parts in words (empty for a label event, whose scene is colours)."""
    if not scene or "objects" not in scene:
        return ""
    return f"{' and '.join(scene['objects'])}; light: {scene['light']}; crowd: {scene['crowd']}"


def taxonomy_table(dataset: PEBenchDataset) -> pd.DataFrame:
    """The events of this dataset by domain (a scene event's setting), each marked fictitious or real.

    Why: a reader needs to see which events a dataset asks about and, for scene events, which
    visible parts each shares with others. Rows follow the taxonomy's order (events it does not
    list, as in converted data, come last); the index is (domain, event name), the description is
    the event question's answer (on each picture of a scene event in other words, the same keywords).
    """
    order = {key: i for i, key in enumerate(_taxonomy(dataset))}
    events = sorted(dataset.events.values(), key=lambda e: (order.get((e.domain, e.name), len(order)), e.event_id))
    columns = ["domain", "event", "description", "parts", "population", "event id"]
    rows = [
        {
            "domain": e.domain,
            "event": e.name,
            "description": e.description,
            "parts": _parts(e.scene),
            "population": e.population,
            "event id": e.event_id,
        }
        for e in events
    ]
    table = pd.DataFrame(rows, columns=columns)
    if not table["parts"].any():
        table = table.drop(columns="parts")
    return table.set_index(["domain", "event"])


def taxonomy_coverage(dataset: PEBenchDataset) -> dict[str, int]:
    """How much of the taxonomy the dataset uses: domains and events, available and used."""
    used = {(e.domain, e.name) for e in dataset.events.values()}
    available = _taxonomy(dataset)
    return {
        "taxonomy_domains": len({d for d, _ in available}),
        "taxonomy_events": len(available),
        "domains_used": len({d for d, _ in used}),
        "events_used": len(used),
    }


def keyword_sharing_comparison(dataset: PEBenchDataset) -> dict[str, float]:
    """How much the dataset's events share keywords (:func:`~pebench.data.paper_events.keyword_sharing`),
    beside the paper's 40 events (``paper_*``; ``ours_*`` for the dataset's, real ones included)."""
    ours = keyword_sharing({e.event_id: e.keywords for e in dataset.events.values()})
    paper = keyword_sharing(paper_event_keywords())
    return {f"paper_{key}": value for key, value in paper.items()} | {
        f"ours_{key}": value for key, value in ours.items()
    }


def qa_examples(dataset: PEBenchDataset, image_ids: Sequence[str]) -> pd.DataFrame:
    """Every question asked about each of ``image_ids``, with its reference answer.

    Why: the model is trained and scored on exactly these question/answer strings; showing a few
    makes the person (a name), event (a description) and general (a skill) kinds concrete.
    """
    rows = []
    for image_id in image_ids:
        image = dataset.images[image_id]
        for item in (q for q in dataset.qa if q.image_id == image_id):
            rows.append(
                {
                    "image": image_id,
                    "population": image.population,
                    "split": SPLIT_LABELS[image.split],
                    "kind": item.kind,
                    "question": item.question,
                    "answer": item.answer,
                }
            )
    return pd.DataFrame(rows, columns=["image", "population", "split", "kind", "question", "answer"])


def pipeline_counts(dataset: PEBenchDataset) -> dict[str, int]:
    """The sizes the pipeline figure quotes, computed from the dataset.

    ``pretrain_questions`` and ``finetune_questions`` are the training sets of
    :func:`pebench.train.stages.pretraining_items` (every question on the real population's
    training images) and :func:`~pebench.train.stages.finetuning_items` (person and event
    questions on the fictitious training images); they are recomputed here so that the data
    chapter does not import the training stack (a test checks that they agree).
    """
    fictitious = dataset.select(population="fictitious")
    return {
        "persons": len(dataset.person_ids("fictitious")),
        "events": len(dataset.event_ids("fictitious")),
        "real_persons": len(dataset.person_ids("real")),
        "real_events": len(dataset.event_ids("real")),
        "domains": len({e.domain for e in dataset.events.values()}),
        "images": len(dataset.images),
        "train_images": sum(i.split == "train" for i in dataset.images.values()),
        "heldout_images": sum(i.split == "heldout" for i in dataset.images.values()),
        "questions": len(dataset.qa),
        "image_side": image_side(dataset),
        "pretrain_questions": len(dataset.select(population="real", split="train")),
        "captions": len(dataset.captions),
        "finetune_questions": sum(q.split == "train" and q.kind in IDENTITY_KINDS for q in fictitious),
        "heldout_questions": sum(q.split == "heldout" and q.kind in IDENTITY_KINDS for q in fictitious),
    }


def headline_counts(dataset: PEBenchDataset) -> dict[str, int]:
    """The counts the dataset's description quotes: persons, events, pairs, images and questions of
    each population, the World Fact questions, the image side, the taxonomy's coverage and the
    questions of each stage."""
    stats = dataset_statistics(dataset)
    cells = {
        "n_persons": ("persons", "fictitious"),
        "n_events": ("events", "fictitious"),
        "n_real_persons": ("persons", "real"),
        "n_real_events": ("events", "real"),
        "n_pairs": ("person × event pairs", "fictitious"),
        "n_train_per_pair": ("train images per pair", "fictitious"),
        "n_heldout_per_pair": ("held-out images per pair", "fictitious"),
        "n_real_heldout_per_pair": ("held-out images per pair", "real"),
        "n_fictitious_images": ("images", "fictitious"),
        "n_real_images": ("images", "real"),
        "n_images": ("images", "total"),
        "n_questions": ("questions", "total"),
        "image_side": ("image side (px)", "total"),
    }
    counts = {key: int(stats.loc[row, column]) for key, (row, column) in cells.items()}
    counts |= {key: int(value) for key, value in taxonomy_coverage(dataset).items()}
    counts["world_fact_questions"] = len(dataset.select(population="real", split="heldout", kind="general"))
    stages = pipeline_counts(dataset)
    return counts | {key: int(stages[key]) for key in ("pretrain_questions", "captions", "finetune_questions")}


def example_images(dataset: PEBenchDataset) -> list[str]:
    """Two images to show questions about: the first fictitious person at the first fictitious
    event (a training image) and the first held-out image of the real population."""
    person, event = dataset.person_ids("fictitious")[0], dataset.event_ids("fictitious")[0]
    fictitious = dataset.select(person_ids=[person], event_ids=[event], split="train")[0].image_id
    real = dataset.select(population="real", split="heldout")[0].image_id
    return [fictitious, real]
