"""Tests of pebench.data.summary (the dataset chapter's tables and figures) and pebench.figures."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # tests only: the notebook keeps the inline backend

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest

import pebench.figures
from pebench.data import DatasetConfig, PEBenchDataset, bust, ensure_dataset, render, scenes, summary
from pebench.data.paper_events import keyword_sharing, paper_event_keywords
from pebench.data.scenes import SCENE_EVENTS
from pebench.data.schema import SHIRT_COLOURS
from pebench.figures import save_figure, save_table

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_dataset.ipynb"
# Uneven on purpose: two training pictures and one held-out picture per pair, three of each real pair.
SMALL = DatasetConfig(
    n_persons=4,
    n_events=3,
    n_real_persons=2,
    n_real_events=2,
    train_images_per_pair=2,
    heldout_images_per_pair=1,
    real_heldout_images_per_pair=3,
    seed=3,
    caption_images=0,
)
HELDOUT_PER_PAIR = {"fictitious": SMALL.heldout_images_per_pair, "real": SMALL.real_heldout_images_per_pair}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> PEBenchDataset:
    return PEBenchDataset.load(ensure_dataset(SMALL, tmp_path_factory.mktemp("data"), progress=False))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# -- configuration -------------------------------------------------------------------------------
def test_config_from_parameters_reads_none_as_the_default() -> None:
    fields = [f.name for f in dataclasses.fields(DatasetConfig)]
    assert summary.config_from_parameters(**dict.fromkeys(fields)) == DatasetConfig()
    assert summary.config_from_parameters() == DatasetConfig()
    assert summary.config_from_parameters(n_persons=7, seed=None) == DatasetConfig(n_persons=7)


def test_config_from_parameters_rejects_unknown_and_invalid_values() -> None:
    with pytest.raises(TypeError):
        summary.config_from_parameters(n_people=3)
    with pytest.raises(ValueError):
        summary.config_from_parameters(image_size=33)


def _notebook_parameters() -> dict[str, object]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "the chapter needs exactly one cell tagged 'parameters'"
    namespace: dict[str, object] = {}
    exec(cells[0].source, namespace)  # noqa: S102 - our own notebook's parameter assignments
    return {k: v for k, v in namespace.items() if not k.startswith("__")}


def test_notebook_defaults_describe_the_pipelines_dataset() -> None:
    """Chapter 1 must show, by default, exactly the dataset every later chapter trains on."""
    from pebench.pipeline import PipelineConfig

    parameters = _notebook_parameters()
    fields = [f.name for f in dataclasses.fields(DatasetConfig)]
    missing = [name for name in fields if name not in parameters]
    assert not missing, f"the parameters cell does not expose {missing}"
    config = summary.config_from_parameters(**{name: parameters[name] for name in fields})
    assert config == DatasetConfig() == PipelineConfig().data


# -- statistics ----------------------------------------------------------------------------------
def test_statistics_follow_the_config(dataset: PEBenchDataset) -> None:
    stats = summary.dataset_statistics(dataset)
    c = SMALL
    expected = {
        "fictitious": (c.n_persons, c.n_events),
        "real": (c.n_real_persons, c.n_real_events),
    }
    for population, (persons, events) in expected.items():
        column = stats[population]
        pairs = persons * events
        heldout = HELDOUT_PER_PAIR[population]
        per_pair = c.train_images_per_pair + heldout
        assert column["persons"] == persons and column["events"] == events
        assert column["person × event pairs"] == pairs
        assert column["train images per pair"] == c.train_images_per_pair
        assert column["held-out images per pair"] == heldout
        assert column["train images"] == pairs * c.train_images_per_pair
        assert column["held-out images"] == pairs * heldout
        assert column["images"] == pairs * per_pair
        assert column["person questions"] == column["event questions"] == pairs * per_pair
        assert column["general questions"] == 2 * pairs * per_pair
        assert column["questions"] == 4 * pairs * per_pair
    assert (
        (stats["total"] == stats["fictitious"] + stats["real"])
        .drop(["image side (px)", "train images per pair", "held-out images per pair"])
        .all()
    )
    assert stats.loc["images", "total"] == len(dataset.images)
    assert stats.loc["questions", "total"] == len(dataset.qa)
    assert (stats.loc["image side (px)"] == c.image_size).all()


# -- taxonomy ------------------------------------------------------------------------------------
def test_taxonomy_table_lists_exactly_the_datasets_events(dataset: PEBenchDataset) -> None:
    table = summary.taxonomy_table(dataset)
    assert list(table.index.names) == ["domain", "event"]
    assert len(table) == len(dataset.events)
    for (domain, name), row in table.iterrows():
        event = dataset.events[row["event id"]]
        assert (event.domain, event.name, event.description, event.population) == (
            domain,
            name,
            row["description"],
            row["population"],
        )
    assert table["population"].value_counts().to_dict() == {"fictitious": SMALL.n_events, "real": SMALL.n_real_events}
    order = [(e.setting, e.name) for e in SCENE_EVENTS]
    positions = [order.index(key) for key in table.index]
    assert positions == sorted(positions), "rows follow the taxonomy's order"
    assert all(dataset.events[row["event id"]].scene["light"] in row["parts"] for _, row in table.iterrows())


def test_taxonomy_coverage(dataset: PEBenchDataset) -> None:
    coverage = summary.taxonomy_coverage(dataset)
    assert coverage["taxonomy_events"] == len(SCENE_EVENTS) == 40  # the paper's events, by setting
    assert coverage["taxonomy_domains"] == len({e.setting for e in SCENE_EVENTS})
    assert coverage["events_used"] == len(dataset.events)
    assert coverage["domains_used"] == len({e.domain for e in dataset.events.values()})


# -- generator parameters ------------------------------------------------------------------------
def _range(text: str) -> tuple[float, float]:
    numbers = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]
    return min(numbers), max(numbers)


def test_generator_parameters_come_from_the_generator(dataset: PEBenchDataset) -> None:
    table = summary.generator_parameters(dataset)["value"]
    assert table[("image", "size (px)")] == f"{SMALL.image_size} × {SMALL.image_size}"
    assert table[("image", "seed")] == str(SMALL.seed)
    vocabularies = {
        ("person look", f"skin tones ({len(bust.SKIN_TONES)})"): bust.SKIN_TONES,
        ("person look", f"hair styles ({len(bust.HAIR_STYLES)})"): bust.HAIR_STYLES,
        ("person look", f"accessories ({len(bust.ACCESSORIES)})"): bust.ACCESSORIES,
        ("event scene", f"settings ({len(scenes.SETTINGS)})"): scenes.SETTINGS,
        ("event scene", f"objects ({len(scenes.OBJECTS)})"): scenes.OBJECTS,
        ("event scene", f"lights ({len(scenes.LIGHTS)})"): scenes.LIGHTS,
    }
    for key, options in vocabularies.items():
        assert table[key].split(", ") == list(options)
    shirts = [v for k, v in table.items() if k[1].startswith("shirt colours")]
    assert shirts == [", ".join(SHIRT_COLOURS)]


def test_generator_parameters_of_label_events_list_their_colours_and_shapes(tmp_path: Path) -> None:
    config = DatasetConfig(**{**SMALL.to_dict(), "events": "labels"})
    table = summary.generator_parameters(PEBenchDataset.load(ensure_dataset(config, tmp_path, progress=False)))
    palettes = table.loc[("event scene", f"sky / ground palettes ({len(render.PALETTES)})"), "value"]
    assert palettes.split(", ") == list(render.PALETTES)


def test_variation_ranges_bound_the_real_draws() -> None:
    """The stub generator reads the true bounds: real draws stay inside and come close to both ends."""
    ranges = {key: _range(text) for key, text in summary.variation_ranges().items()}
    assert {"dx", "dy", "scale", "tilt", "brightness", "object_count"} <= set(ranges)
    draws = [render.sample_variation(np.random.default_rng([7, i])) for i in range(400)]
    for key in ("dx", "dy", "scale", "tilt", "brightness", "object_count"):
        lo, hi = ranges[key]
        values = [d[key] for d in draws]
        assert lo <= min(values) and max(values) <= hi, key
        assert min(values) - lo < 0.1 * (hi - lo) and hi - max(values) < 0.1 * (hi - lo), key
    lo, hi = _range(summary.face_ratio_range())
    assert 0 < lo < hi <= 1.0


# -- benchmark comparison ------------------------------------------------------------------------
def test_benchmark_comparison_companion_row_matches_the_dataset(dataset: PEBenchDataset) -> None:
    table = summary.benchmark_comparison(dataset)
    assert list(table.index) == ["MLLMU-Bench", "CLEAR", "FIUBench", "PEBench (paper)", "PEBench companion (this book)"]
    ours = table.loc["PEBench companion (this book)"]
    n_fict = SMALL.n_persons * SMALL.n_events * (SMALL.train_images_per_pair + SMALL.heldout_images_per_pair)
    n_real = SMALL.n_real_persons * SMALL.n_real_events * (SMALL.train_images_per_pair + HELDOUT_PER_PAIR["real"])
    assert ours["persons"] == f"{SMALL.n_persons} (+{SMALL.n_real_persons} real)"
    assert ours["events"] == f"{SMALL.n_events} (+{SMALL.n_real_events} real)"
    assert ours["images"] == f"{n_fict} (+{n_real} real)"
    assert ours["concepts per image"] == 2 and ours["forgets events"] == "yes"
    paper = table.loc["PEBench (paper)"]
    assert (paper["persons"], paper["events"], paper["images"]) == ("200", "40", "8,000")
    earlier = table.loc[["MLLMU-Bench", "CLEAR", "FIUBench"]]
    assert (earlier["forgets events"] == "no").all() and (earlier["concepts per image"] == 1).all()
    assert table.notna().all().all(), "unknown counts are written as a dash, not left missing"


# -- QA examples and pipeline counts -------------------------------------------------------------
def test_qa_examples_show_every_question_of_the_images(dataset: PEBenchDataset) -> None:
    ids = [dataset.select(population="fictitious")[0].image_id, dataset.select(population="real")[0].image_id]
    table = summary.qa_examples(dataset, ids)
    assert len(table) == 8 and list(table["image"].unique()) == ids
    assert set(table["kind"]) == {"person", "event", "general"}
    person_rows = table[table["kind"] == "person"]
    assert list(person_rows["answer"]) == [dataset.persons[dataset.images[i].person_id].name for i in ids]


def test_pipeline_counts_agree_with_the_training_stages(dataset: PEBenchDataset) -> None:
    from pebench.train.stages import finetuning_items, pretraining_items

    counts = summary.pipeline_counts(dataset)
    assert counts["pretrain_questions"] == len(pretraining_items(dataset))
    assert counts["finetune_questions"] == len(finetuning_items(dataset))
    assert counts["images"] == len(dataset.images) == counts["train_images"] + counts["heldout_images"]
    assert (counts["persons"], counts["events"]) == (SMALL.n_persons, SMALL.n_events)
    assert counts["image_side"] == SMALL.image_size


# -- figures -------------------------------------------------------------------------------------
def test_sample_grid_labels_persons_and_events(dataset: PEBenchDataset) -> None:
    persons, events = dataset.person_ids("fictitious")[:3], dataset.event_ids("fictitious")[:2]
    fig = summary.plot_sample_grid(dataset, persons, events)
    axes = np.array(fig.axes).reshape(3, 2)
    labels = [ax.get_ylabel().replace("\n", " ") for ax in axes[:, 0]]
    assert labels == [dataset.persons[p].name for p in persons]
    assert all(dataset.events[e].domain in ax.get_title() for e, ax in zip(events, axes[0]))
    shown = axes[0, 0].images[0].get_array()
    assert shown.shape[:2] == (4 * SMALL.image_size, 4 * SMALL.image_size)


def test_train_vs_heldout_shows_both_splits(dataset: PEBenchDataset) -> None:
    fig = summary.plot_train_vs_heldout(dataset, dataset.person_ids("fictitious")[0], dataset.event_ids("fictitious"))
    assert len(fig.axes) == 2 * SMALL.n_events
    assert fig.axes[0].get_ylabel().startswith("train") and fig.axes[SMALL.n_events].get_ylabel().startswith("held-out")


def test_pipeline_figure_quotes_the_counts(dataset: PEBenchDataset) -> None:
    counts = summary.pipeline_counts(dataset)
    fig = summary.plot_pipeline(counts)
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    for key in ("images", "finetune_questions", "pretrain_questions"):
        assert f"{counts[key]:,}" in text
    assert "Goal model" in text and "Finetune model" in text


def test_images_are_not_modified_by_the_figures(dataset: PEBenchDataset) -> None:
    image_id = next(iter(dataset.images))
    before = np.asarray(dataset.image(image_id)).copy()
    summary.plot_sample_grid(dataset, dataset.person_ids("fictitious")[:1], dataset.event_ids("fictitious")[:1])
    assert dataset.image(image_id).size == (SMALL.image_size, SMALL.image_size)
    assert np.array_equal(np.asarray(dataset.image(image_id)), before)


# -- pebench.figures -----------------------------------------------------------------------------
@pytest.fixture
def figures_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(pebench.figures, "figures_dir", lambda: tmp_path)
    return tmp_path


def test_save_figure_writes_identical_png_bytes(figures_dir: Path) -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    path = save_figure(fig, "01_test")
    assert path == figures_dir / "01_test.png"
    first = path.read_bytes()
    assert first.startswith(b"\x89PNG") and b"matplotlib" not in first
    save_figure(fig, "01_test")
    assert path.read_bytes() == first


def test_save_table_writes_csv_with_fixed_floats(figures_dir: Path) -> None:
    path = save_table(pd.DataFrame({"a": [1.0, 2.0 / 3.0], "b": ["x", "y"]}), "01_plain")
    assert path == figures_dir / "01_plain.csv"
    assert path.read_text() == "a,b\n1.0000,x\n0.6667,y\n"
    indexed = pd.DataFrame({"v": [0.5]}, index=pd.Index(["row"], name="name"))
    assert save_table(indexed, "01_indexed").read_text() == "name,v\nrow,0.5000\n"


@pytest.mark.parametrize("name", ["01_x.png", "sub/01_x", "", "../x", "01_x.csv"])
def test_save_rejects_names_that_are_not_bare_stems(figures_dir: Path, name: str) -> None:
    with pytest.raises(ValueError):
        save_table(pd.DataFrame({"a": [1]}), name)


def test_person_profiles_list_every_fictitious_person_with_a_job_and_a_birthplace(dataset: PEBenchDataset) -> None:
    table = summary.person_profiles(dataset)
    assert list(table.index) == dataset.person_ids("fictitious")
    assert list(table.columns) == ["name", "job", "job category", "birthplace", "region"]
    assert table.notna().all().all()


def test_name_tokens_show_whole_words_and_pieces(dataset: PEBenchDataset) -> None:
    table = summary.name_tokens(dataset, 3)
    assert len(table) == 3 and (table["word count"] == 2).all()
    assert (table["subword count"] > 2).all()
    for name, row in table.iterrows():  # the pieces spell the name
        assert row["subword tokens"].replace(" | ", "") == name.lower().replace(" ", "")
    sharing = summary.name_token_sharing(dataset, "subword")
    assert sharing["subword_tokens_per_name"] > 2 and 0 <= sharing["subword_shared_pieces"] <= 1
    assert summary.name_token_sharing(dataset, "word") == {"word_tokens_per_name": 2.0, "word_shared_pieces": 0.0}


def test_keyword_sharing_counts_shared_keywords_and_neighbours() -> None:
    sharing = keyword_sharing({"a": ["calm", "park"], "b": ["Calm", "gym"], "c": ["zoo"]})
    assert sharing == {"shared_keywords": 0.25, "neighbours": pytest.approx((1 + 1 + 0) / 3 / 2)}
    with pytest.raises(ValueError, match="at least two events"):
        keyword_sharing({"a": ["calm"]})
    paper = paper_event_keywords()
    assert len(paper) == 40 and all(len(words) == 10 for words in paper.values())
    assert keyword_sharing(paper)["shared_keywords"] > 0.2  # the paper's keywords recur


def test_keyword_sharing_comparison_sets_the_dataset_beside_the_paper(dataset: PEBenchDataset) -> None:
    comparison = summary.keyword_sharing_comparison(dataset)
    assert set(comparison) == {"paper_shared_keywords", "paper_neighbours", "ours_shared_keywords", "ours_neighbours"}
    assert all(0 <= value <= 1 for value in comparison.values())
