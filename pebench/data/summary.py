"""What the dataset chapter shows: tables and figures describing one PEBench dataset.

The book's first chapter rebuilds the paper's descriptive material for *our* data: the dataset
statistics, the event taxonomy (the paper's Table 4), the image generator's settings (Table 3),
the comparison with earlier multimodal unlearning benchmarks (Figure 2), sample images, and the
pipeline overview (Figure 3). The logic lives here, not in the notebook, so that it is tested and
so that the notebook stays prose plus calls.

Every number comes from the dataset or from the generator's own modules, never retyped: when
someone changes a default, a vocabulary or a variation range, the chapter follows on its next run.
The one deliberate exception is :func:`benchmark_comparison`, whose rows for other benchmarks
quote their papers.

Matplotlib is imported inside the plotting functions only, so that the tables need no plotting
stack.
"""

from __future__ import annotations

import dataclasses
import itertools
import textwrap
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pebench.data import appearance, bust, render
from pebench.data.dataset import PEBenchDataset
from pebench.data.generate import DatasetConfig
from pebench.data.schema import POPULATIONS, QA_KINDS, SHIRT_COLOURS, SPLITS
from pebench.data.taxonomy import all_events
from pebench.plotting import bare, upscaled

if TYPE_CHECKING:
    from matplotlib.figure import Figure

IDENTITY_KINDS = ("person", "event")  # the two concepts of an image (the general kind tests a skill)
_SPLIT_LABELS = {"train": "train", "heldout": "held-out"}


# -- the configuration a chapter describes -------------------------------------------------------
def config_from_parameters(**parameters: int | None) -> DatasetConfig:
    """The :class:`DatasetConfig` of notebook parameters, where ``None`` means "the default".

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


# -- statistics ----------------------------------------------------------------------------------
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
            column[f"{_SPLIT_LABELS[split]} images per pair"] = per_split[split] // pairs if pairs else 0
        for split in SPLITS:
            column[f"{_SPLIT_LABELS[split]} images"] = per_split[split]
        column["images"] = len(images)
        for kind in QA_KINDS:
            column[f"{kind} questions"] = per_kind[kind]
        column["questions"] = len(qa)
        columns[population or "total"] = column
    table = pd.DataFrame(columns)
    table.loc["image side (px)"] = image_side(dataset)
    table.index.name = "quantity"
    return table.astype(int)


# -- Table 4: the event taxonomy -----------------------------------------------------------------
def taxonomy_table(dataset: PEBenchDataset) -> pd.DataFrame:
    """The events of this dataset by domain (the paper's Table 4), each marked fictitious or real.

    Why: the paper draws its event scenes from occupational/activity domains; ours come from
    :mod:`pebench.data.taxonomy`, of which a dataset uses a subset spread over as many domains as
    possible. Rows follow the taxonomy's order (events it does not list, as in converted data,
    come last); the index is (domain, event name), the description is the event question's answer.
    """
    order = {(domain, name): i for i, (domain, name, _) in enumerate(all_events())}
    events = sorted(dataset.events.values(), key=lambda e: (order.get((e.domain, e.name), len(order)), e.event_id))
    rows = [
        {
            "domain": e.domain,
            "event": e.name,
            "description": e.description,
            "population": e.population,
            "event id": e.event_id,
        }
        for e in events
    ]
    table = pd.DataFrame(rows, columns=["domain", "event", "description", "population", "event id"])
    return table.set_index(["domain", "event"])


def taxonomy_coverage(dataset: PEBenchDataset) -> dict[str, int]:
    """How much of the taxonomy the dataset uses: domains and events, available and used."""
    used = {(e.domain, e.name) for e in dataset.events.values()}
    available = all_events()
    return {
        "taxonomy_domains": len({d for d, _, _ in available}),
        "taxonomy_events": len(available),
        "domains_used": len({d for d, _ in used}),
        "events_used": len(used),
    }


# -- Table 3: the generator's settings -----------------------------------------------------------
class _ExtremeRNG:
    """A stand-in for ``numpy.random.Generator`` whose every draw is the lower (or upper) end.

    The per-image variation ranges are arguments inside :func:`render.sample_variation` (and the
    face-width range inside :func:`appearance.person_looks`), not module constants. Calling those
    functions with this stub reads the ranges off the code itself instead of retyping them.
    A draw method the stub lacks raises ``AttributeError``, so a changed generator fails loudly.
    """

    def __init__(self, upper: bool) -> None:
        self.upper = upper

    def uniform(self, low: float = 0.0, high: float = 1.0, size: int | None = None) -> Any:
        value = high if self.upper else low
        return value if size is None else np.full(size, value, dtype=np.float64)

    def integers(self, low: int, high: int | None = None, size: int | None = None) -> Any:
        low, high = (0, low) if high is None else (low, high)
        value = high - 1 if self.upper else low
        return value if size is None else np.full(size, value, dtype=np.int64)

    def choice(self, a: int | Sequence[Any], size: int | None = None, replace: bool = True) -> Any:
        options = list(range(a)) if isinstance(a, (int, np.integer)) else list(a)
        if size is None:
            return options[-1] if self.upper else options[0]
        return np.array(options[-size:] if self.upper else options[:size])

    def permutation(self, n: int) -> np.ndarray:
        return np.arange(n)


def _numbers(value: Any) -> list[float]:
    """Every number in a (possibly nested) variation value."""
    if isinstance(value, (bool, str)):
        return []
    if isinstance(value, (int, float, np.integer, np.floating)):
        return [float(value)]
    if isinstance(value, (list, tuple, np.ndarray)):
        return [x for v in value for x in _numbers(v)]
    return []


def _span(low: Any, high: Any) -> str:
    numbers = _numbers(low) + _numbers(high)
    lo, hi = min(numbers), max(numbers)
    return f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}"


def variation_ranges() -> dict[str, str]:
    """The range of every numeric per-image variation parameter, read from ``sample_variation``."""
    low = render.sample_variation(_ExtremeRNG(upper=False))  # type: ignore[arg-type]
    high = render.sample_variation(_ExtremeRNG(upper=True))  # type: ignore[arg-type]
    return {key: _span(low[key], high[key]) for key in low if _numbers(low[key])}


def face_ratio_range() -> str:
    """The range of the face width/height ratio drawn per person, read from ``person_looks``."""
    low = appearance.person_looks(1, _ExtremeRNG(upper=False))[0]["face_ratio"]  # type: ignore[arg-type]
    high = appearance.person_looks(1, _ExtremeRNG(upper=True))[0]["face_ratio"]  # type: ignore[arg-type]
    return _span(low, high)


# What each per-image variation parameter does; parameters not listed here are shown by their key.
_VARIATION_LABELS = {
    "dx": "horizontal shift of the person (fraction of the width)",
    "dy": "vertical shift of the person (fraction of the height)",
    "scale": "size of the person (factor)",
    "tilt": "tilt of the person (degrees)",
    "brightness": "brightness (factor)",
    "noise_std": "pixel noise (standard deviation, of 255)",
    "object_count": "number of scene objects (asked by a general question)",
    "object_jitter": "scene object position jitter (fraction of the width)",
}
# Drawn per image but not a range worth a row: a seed, and slot indices (shown as "slots" below).
_VARIATION_HIDDEN = ("noise_seed", "object_slots")


def _vocabulary(options: Any) -> str:
    return ", ".join(options)


def generator_parameters(dataset: PEBenchDataset) -> pd.DataFrame:
    """The procedural generator's settings (the paper's Table 3 lists its text-to-image settings).

    Why: the paper's images come from a text-to-image model, whose settings its Table 3 records;
    ours are drawn by code, and what determines them is the image size, the attribute vocabularies
    a person's look and an event's scene are built from, and the per-image variation that makes a
    held-out picture of a (person, event) pair differ from the trained one. Everything is read
    from :mod:`pebench.data.bust`, :mod:`pebench.data.render` and the dataset itself.
    """
    side = image_side(dataset)
    person_vocab = {
        "skin tones": bust.SKIN_TONES,
        "hair colours": bust.HAIR_COLOURS,
        "hair styles": bust.HAIR_STYLES,
        "eye colours": bust.EYE_COLOURS,
        "accessories": bust.ACCESSORIES,
    }
    scene_vocab = {
        "sky / ground palettes": render.PALETTES,
        "ground patterns": render.GROUND_PATTERNS,
        "object shapes": render.OBJECT_SHAPES,
        "object colours": render.OBJECT_COLOURS,
    }
    rows: list[tuple[str, str, str]] = [
        ("image", "size (px)", f"{side} × {side}"),
        ("image", "drawn at", f"{render.SUPERSAMPLE}× the size, then downsampled (Lanczos)"),
        ("image", "horizon", f"{render.HORIZON:g} of the height"),
        ("image", "scene object slots", f"{len(render.OBJECT_SLOTS)} (the corners left free by the person)"),
    ]
    config = dataset.config or {}
    if "seed" in config:
        rows.append(("image", "seed", str(config["seed"])))
    for label, options in person_vocab.items():
        rows.append(("person look", f"{label} ({len(options)})", _vocabulary(options)))
    rows.append(("person look", "face width / height", face_ratio_range()))
    distinct_people = int(np.prod([len(o) for o in person_vocab.values()]))
    rows.append(("person look", "distinct looks", f"{distinct_people:,} (each person has its own)"))
    for label, options in scene_vocab.items():
        rows.append(("event scene", f"{label} ({len(options)})", _vocabulary(options)))
    distinct_scenes = int(np.prod([len(o) for o in scene_vocab.values()]))
    rows.append(("event scene", "distinct scenes", f"{distinct_scenes:,} (each event has its own)"))
    ranges = variation_ranges()
    for key, span in ranges.items():
        if key not in _VARIATION_HIDDEN:
            rows.append(("per image", _VARIATION_LABELS.get(key, key), span))
    rows.append(
        ("per image", f"shirt colours ({len(SHIRT_COLOURS)}; asked by a general question)", _vocabulary(SHIRT_COLOURS))
    )
    return pd.DataFrame(rows, columns=["group", "parameter", "value"]).set_index(["group", "parameter"])


# -- Figure 2: earlier benchmarks ----------------------------------------------------------------
_COMPARISON_COLUMNS = (
    "identities",
    "forgets persons",
    "forgets events",
    "concepts per image",
    "persons",
    "events",
    "images",
    "source",
)
UNKNOWN = "—"


def _with_real(fictitious: int, real: int) -> str:
    return f"{fictitious:,}" if not real else f"{fictitious:,} (+{real:,} real)"


def benchmark_comparison(dataset: PEBenchDataset) -> pd.DataFrame:
    """Properties of multimodal unlearning benchmarks (the paper's Figure 2, as a table).

    Why: the paper's point is that earlier benchmarks (MLLMU-Bench, CLEAR, FIUBench) forget one
    entity per image, a person, while PEBench pictures a person *in an event* and can forget
    either concept, which is what makes cross-concept interference measurable.

    The rows for other benchmarks state only what their own papers say (abstracts: MLLMU-Bench
    has 500 fictitious profiles plus 153 real celebrities; CLEAR 200 fictitious individuals and
    about 3,700 images); counts not checked here are ``"—"``. The PEBench row is the paper's
    200 persons × 40 events = 8,000 images; this companion's row is computed from ``dataset``
    (fictitious counts, with the "real" pretraining population in parentheses).
    """
    stats = dataset_statistics(dataset)
    companion = (
        "fictitious (procedural drawings)",
        "yes",
        "yes",
        len(IDENTITY_KINDS),
        _with_real(int(stats.loc["persons", "fictitious"]), int(stats.loc["persons", "real"])),
        _with_real(int(stats.loc["events", "fictitious"]), int(stats.loc["events", "real"])),
        _with_real(int(stats.loc["images", "fictitious"]), int(stats.loc["images", "real"])),
        "this book",
    )
    rows = {
        "MLLMU-Bench": (
            "fictitious (+ real celebrities)",
            "yes",
            "no",
            1,
            _with_real(500, 153),
            "none",
            UNKNOWN,
            "Liu et al., NAACL 2025",
        ),
        "CLEAR": ("fictitious", "yes", "no", 1, "200", "none", "≈3,700", "Dontsov et al., ACL Findings 2025"),
        "FIUBench": ("fictitious faces", "yes", "no", 1, UNKNOWN, "none", UNKNOWN, "Ma et al., ICLR 2025"),
        "PEBench (paper)": (
            "fictitious (text-to-image)",
            "yes",
            "yes",
            2,
            "200",
            "40",
            "8,000",
            "Xu et al., arXiv 2503.12545",
        ),
        "PEBench companion (this book)": companion,
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(_COMPARISON_COLUMNS))
    table.index.name = "benchmark"
    return table


# -- QA examples and pipeline counts -------------------------------------------------------------
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
                    "split": _SPLIT_LABELS[image.split],
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
        "finetune_questions": sum(q.split == "train" and q.kind in IDENTITY_KINDS for q in fictitious),
        "heldout_questions": sum(q.split == "heldout" and q.kind in IDENTITY_KINDS for q in fictitious),
    }


# -- figures -------------------------------------------------------------------------------------
def _event_title(dataset: PEBenchDataset, event_id: str) -> str:
    event = dataset.events[event_id]
    return f"{textwrap.fill(event.name, 16)}\n({event.domain})"


def plot_sample_grid(
    dataset: PEBenchDataset,
    person_ids: Sequence[str],
    event_ids: Sequence[str],
    *,
    split: str = "train",
    factor: int = 4,
) -> Figure:
    """A grid of images: one row per person (named on the left), one column per event (titled).

    Why: every image pairs one person with one event, and a row shares the person's look while a
    column shares the event's scene; seen side by side, both concepts are visibly separable.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        len(person_ids),
        len(event_ids),
        squeeze=False,
        figsize=(1.55 * len(event_ids) + 0.9, 1.55 * len(person_ids) + 0.7),
    )
    for (r, pid), (c, eid) in itertools.product(enumerate(person_ids), enumerate(event_ids)):
        ax = axes[r][c]
        ax.imshow(upscaled(dataset, dataset.first_image(pid, eid, split), factor), interpolation="nearest")
        bare(ax)
        if r == 0:
            ax.set_title(_event_title(dataset, eid), fontsize=9)
        if c == 0:
            ax.set_ylabel(textwrap.fill(dataset.persons[pid].name, 12), fontsize=10)
    fig.tight_layout()
    return fig


def plot_train_vs_heldout(
    dataset: PEBenchDataset, person_id: str, event_ids: Sequence[str], *, factor: int = 4
) -> Figure:
    """One person's training images (top row) against its held-out images (bottom row), per event.

    Why: held-out pictures show the same person in the same event but drawn with other nuisance
    parameters (position, size, tilt, lighting, shirt, objects), and are never trained on; a model
    that still names the person on them has learned the identity, not one picture, and unlearning
    that also silences them generalises.
    """
    import matplotlib.pyplot as plt

    rows = [
        (split, f"{_SPLIT_LABELS[split]}\n({'fine-tuned on' if split == 'train' else 'never trained on'})")
        for split in SPLITS
    ]
    fig, axes = plt.subplots(
        len(rows), len(event_ids), squeeze=False, figsize=(1.55 * len(event_ids) + 1.0, 1.55 * len(rows) + 1.0)
    )
    for (r, (split, label)), (c, eid) in itertools.product(enumerate(rows), enumerate(event_ids)):
        ax = axes[r][c]
        ax.imshow(upscaled(dataset, dataset.first_image(person_id, eid, split), factor), interpolation="nearest")
        bare(ax)
        if r == 0:
            ax.set_title(_event_title(dataset, eid), fontsize=9)
        if c == 0:
            ax.set_ylabel(label, fontsize=10)
    fig.suptitle(dataset.persons[person_id].name, fontsize=12)
    fig.tight_layout()
    return fig


# Colours of the pipeline figure's stages: data, training, models, unlearning and evaluation.
_STAGE_COLOURS = {"data": "#dbe9f6", "train": "#fde3c8", "model": "#d9f0d3", "unlearn": "#e8dcf0"}


def plot_pipeline(counts: dict[str, int]) -> Figure:
    """The pipeline of this companion as a flow diagram, with the dataset's counts in the boxes.

    Why: the paper's Figure 3 shows its pipeline (descriptions, images, split, fine-tuned and goal
    models, unlearning, metrics); ours has one more stage, pretraining on a "real" population,
    which gives a model trained from scratch the prior knowledge the paper's pretrained MLLM has.
    ``counts`` is :func:`pipeline_counts`.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    c = counts
    side = c["image_side"]
    # (row, column) -> (stage, title, body); rows run top to bottom, the middle row right to left.
    boxes = {
        (0, 0): (
            "data",
            "1  Procedural descriptions",
            f"{c['persons']} fictitious + {c['real_persons']} \u201creal\u201d persons\n(name + look)\n"
            f"{c['events']} + {c['real_events']} events from {c['domains']} domains",
        ),
        (0, 1): ("data", "2  Images", f"{c['images']:,} drawings, {side} × {side} px\none person in one event each"),
        (0, 2): (
            "data",
            "3  Train / held-out split + QA",
            f"{c['train_images']:,} train + {c['heldout_images']:,} held-out images\n"
            f"{c['questions']:,} questions\n(person, event, general)",
        ),
        (1, 2): (
            "train",
            "4  Pretraining",
            f"\u201creal\u201d population:\n{c['real_persons']} persons × {c['real_events']} events\n"
            f"{c['pretrain_questions']:,} questions incl. general ones",
        ),
        (1, 1): (
            "train",
            "5  Fine-tuning",
            f"fictitious population:\n{c['persons']} persons × {c['events']} events\n"
            f"{c['finetune_questions']:,} person + event questions\n(+ replayed pretraining ones)",
        ),
        (1, 0): ("model", "6  Finetune model", "knows every fictitious\nperson and event\n(before unlearning)"),
        (2, 0): (
            "unlearn",
            "7  Unlearning",
            "forget persons, events or both\nGA · GD · KL · PO · NPO\n+ balanced (joint)",
        ),
        (2, 1): (
            "unlearn",
            "8  Metrics",
            f"efficacy (train images)\ngenerality ({c['heldout_questions']:,} held-out questions)\n"
            "retain · scope · real · world fact",
        ),
        (2, 2): ("model", "Goal model", "fine-tuned again\nwithout the forget set\n(retrain oracle)"),
    }
    width, height, dx, dy = 3.3, 1.55, 4.1, 2.3

    def centre(cell: tuple[int, int]) -> tuple[float, float]:
        return cell[1] * dx, -cell[0] * dy

    fig, ax = plt.subplots(figsize=(11.5, 6.6))
    for cell, (stage, title, body) in boxes.items():
        x, y = centre(cell)
        ax.add_patch(
            FancyBboxPatch(
                (x - width / 2, y - height / 2),
                width,
                height,
                boxstyle="round,pad=0.02,rounding_size=0.15",
                facecolor=_STAGE_COLOURS[stage],
                edgecolor="#555555",
                linewidth=1.0,
            )
        )
        ax.text(x, y + height / 2 - 0.2, title, ha="center", va="top", fontsize=10.5, fontweight="bold")
        ax.text(x, y - 0.12, body, ha="center", va="center", fontsize=9, linespacing=1.35)

    def arrow(a: tuple[int, int], b: tuple[int, int], label: str = "", rad: float = 0.0) -> None:
        (xa, ya), (xb, yb) = centre(a), centre(b)
        # Leave each box through the side that faces the other box.
        if ya == yb:
            sign = 1 if xb > xa else -1
            start, end = (xa + sign * width / 2, ya), (xb - sign * width / 2, yb)
        elif xa == xb:
            sign = 1 if yb > ya else -1
            start, end = (xa, ya + sign * height / 2), (xb, yb - sign * height / 2)
        else:
            start = (xa + width / 2 * 0.6, ya - height / 2)
            end = (xb - width / 2 * 0.6, yb + height / 2)
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=16,
                linewidth=1.4,
                color="#333333",
                connectionstyle=f"arc3,rad={rad}",
            )
        )
        if label:
            # Below-left of the arrow's middle: clear of a line that falls to the right.
            ax.text(
                (start[0] + end[0]) / 2 - 0.1,
                (start[1] + end[1]) / 2 - 0.08,
                label,
                fontsize=8.5,
                style="italic",
                ha="right",
                va="top",
                color="#333333",
            )

    for a, b in [
        ((0, 0), (0, 1)),
        ((0, 1), (0, 2)),
        ((0, 2), (1, 2)),
        ((1, 2), (1, 1)),
        ((1, 1), (1, 0)),
        ((1, 0), (2, 0)),
        ((2, 0), (2, 1)),
        ((2, 2), (2, 1)),
    ]:
        arrow(a, b)
    arrow((1, 1), (2, 2), "retrain without the forget set")
    ax.set_xlim(-width / 2 - 0.2, 2 * dx + width / 2 + 0.2)
    ax.set_ylim(-2 * dy - height / 2 - 0.2, height / 2 + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig
