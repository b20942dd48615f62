"""Shared image prefixes answer exactly as ``model.generate`` does, on the book's kind of model and on a
LLaVA-1.5-style checkpoint, and fall back to ``generate`` (saying why) where they cannot apply."""

from __future__ import annotations

import copy
import logging

import pytest
import torch
from llava15_checkpoint import save_llava15_style_checkpoint
from test_unlearn import SETTINGS

from pebench import decoding
from pebench.data import DatasetConfig, PEBenchDataset, ensure_dataset
from pebench.encoding import Encoder, as_examples
from pebench.inference import generate_answers, generation_settings
from pebench.model import load_model
from pebench.refusals import REFUSALS
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.unlearn import METHODS, UnlearnConfig, make_method, unlearn


def both_ways(model, encoder, examples, **options) -> tuple[list[str], list[str]]:
    """The answers with shared prefixes, and ``model.generate``'s."""
    shared = generate_answers(model, encoder, examples, **options)
    with generation_settings(share_prefixes=False):
        generated = generate_answers(model, encoder, examples, **options)
    return shared, generated


@pytest.fixture(scope="module")
def unlearned_models(small_pipeline):
    """Every registered method's unlearned model of the small fixture, at its test setting."""
    models = {"finetune": small_pipeline.finetuned(progress=False)}
    for name, (target, steps, lr) in sorted(SETTINGS.items()):
        model = small_pipeline.finetuned(progress=False)
        split = ForgetSplit(small_pipeline.dataset, ForgetSpec(target, 0.25, seed=0))
        unlearn(
            model, small_pipeline.encoder, split, make_method(name), UnlearnConfig(steps=steps, lr=lr), progress=False
        )
        models[name] = model
    return models


def test_every_method_is_compared():
    assert set(SETTINGS) == set(METHODS)


@pytest.mark.parametrize("name", ["finetune", *sorted(SETTINGS)])
def test_answers_equal_generate_on_every_methods_unlearned_model(small_pipeline, unlearned_models, name):
    examples = as_examples(small_pipeline.dataset.qa)
    shared, generated = both_ways(unlearned_models[name], small_pipeline.encoder, examples)
    assert shared == generated
    assert len(set(generated)) > 1, "a degenerate model would compare nothing"


@pytest.fixture(scope="module")
def llava15(tmp_path_factory):
    """A LLaVA-1.5-style checkpoint saved and loaded as a real one is (its own BPE tokenizer, chat
    template with a BOS and a newline after the image, 336-pixel processor)."""
    config = DatasetConfig(n_persons=4, n_events=2, n_real_persons=2, n_real_events=2, seed=0)
    dataset = PEBenchDataset.load(ensure_dataset(config, tmp_path_factory.mktemp("data")))
    texts = [item.question for item in dataset.qa] + [item.answer for item in dataset.qa] + list(REFUSALS)
    folder = save_llava15_style_checkpoint(texts, tmp_path_factory.mktemp("ckpt") / "llava15-style", seed=0)
    model, processor = load_model(folder)
    return model, Encoder(processor, dataset.image), dataset


def test_answers_equal_generate_on_a_llava15_style_checkpoint(llava15):
    model, encoder, dataset = llava15
    examples = as_examples(dataset.qa[:40])
    assert decoding.prefix_sharing_obstacle(model) is None
    shared, generated = both_ways(model, encoder, examples, max_new_tokens=6)
    assert shared == generated


def test_a_generation_setting_that_changes_greedy_choices_falls_back_to_generate(llava15, caplog):
    model, encoder, dataset = llava15
    model = copy.deepcopy(model)
    model.generation_config.repetition_penalty = 1.3
    assert "repetition_penalty" in decoding.prefix_sharing_obstacle(model)
    examples = as_examples(dataset.qa[:8])
    with caplog.at_level(logging.WARNING, logger="pebench.inference"):
        shared, generated = both_ways(model, encoder, examples, max_new_tokens=4)
    assert shared == generated
    assert "repetition_penalty" in caplog.text and "model.generate" in caplog.text


def test_models_of_other_architectures_are_named_as_such():
    assert "not a LLaVA-architecture model" in decoding.prefix_sharing_obstacle(torch.nn.Linear(2, 2))


@pytest.mark.parametrize(
    ("prompts", "expected"),
    [
        ([(1, 9, 9, 5, 6), (1, 9, 9, 7)], (1, 9, 9)),  # up to the last image token
        ([(1, 9, 5, 9, 6)], (1, 9, 5, 9)),
        ([(1, 9, 5), (2, 9, 5)], None),  # differ before the image
        ([(1, 5, 6)], None),  # no image
        ([(1, 9, 5), (1, 9, 5, 9)], None),  # an image token after the common prefix
        ([], None),
    ],
)
def test_shared_prefix_ends_with_the_last_image_token(prompts, expected):
    assert decoding.shared_prefix(prompts, image_token_id=9) == expected


def test_the_tower_runs_once_per_picture_for_models_that_share_it(small_pipeline, unlearned_models):
    """An unlearned model keeps the frozen tower of the model it came from: its pictures are not
    encoded again; a model with another tower is; and an answer does not depend on what the
    process encoded before."""
    decoding.tower_features.clear()
    examples = as_examples(small_pipeline.dataset.qa)
    pictures = len({example.image_id for example in examples})
    before = decoding.tower_features.computed
    generate_answers(unlearned_models["ga"], small_pipeline.encoder, examples)
    assert decoding.tower_features.computed - before == pictures
    warm = generate_answers(unlearned_models["npo"], small_pipeline.encoder, examples)
    assert decoding.tower_features.computed - before == pictures
    other = copy.deepcopy(unlearned_models["npo"])
    with torch.no_grad():
        next(other.model.vision_tower.parameters()).add_(1e-3)
    generate_answers(other, small_pipeline.encoder, examples[:5])
    assert decoding.tower_features.computed - before == pictures + len({e.image_id for e in examples[:5]})
    decoding.tower_features.clear()
    assert generate_answers(unlearned_models["npo"], small_pipeline.encoder, examples) == warm


def test_picture_groups_bound_the_prefix_memory():
    assert decoding.picture_groups(list("abcde"), bytes_per_picture=10, budget=25) == [["a", "b"], ["c", "d"], ["e"]]
    assert decoding.picture_groups(list("ab"), bytes_per_picture=100, budget=10) == [["a"], ["b"]]


def test_a_small_prefix_budget_changes_no_answer(small_pipeline, unlearned_models, monkeypatch):
    examples = as_examples(small_pipeline.dataset.qa[:60])
    expected = generate_answers(unlearned_models["kl"], small_pipeline.encoder, examples)
    monkeypatch.setattr(decoding, "PREFIX_MEMORY_BYTES", 1)  # one picture's prefix at a time
    assert generate_answers(unlearned_models["kl"], small_pipeline.encoder, examples) == expected
