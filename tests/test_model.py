"""Tokenizer, tiny model and checkpoint loading."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from pebench.data import DatasetConfig
from pebench.model import TinyLlavaSpec, build_tiny_llava, build_tiny_processor, load_model, save_model
from pebench.model.parts import component
from pebench.model.tokenizer import TOKENIZER_KINDS, build_subword_tokenizer, build_word_tokenizer
from pebench.pipeline import Pipeline, PipelineConfig, base_config
from pebench.train.stages import StageConfig

TEXTS = ["Who is the person in this image?", "Tavin Morrel", "a chemist mixes glowing liquids"]


def test_tokenizer_round_trips_words_and_is_deterministic():
    first, second = build_word_tokenizer(TEXTS), build_word_tokenizer(reversed(TEXTS))
    assert first.get_vocab() == second.get_vocab()
    ids = first("Tavin Morrel", add_special_tokens=False)["input_ids"]
    assert len(ids) == 2 and first.unk_token_id not in ids
    assert first.decode(ids) == "tavin morrel"
    assert first.decode(first("a chemist mixes glowing liquids")["input_ids"]) == "a chemist mixes glowing liquids"


def test_subword_tokenizer_is_deterministic_and_cuts_unseen_names_into_learned_pieces():
    first, second = build_subword_tokenizer(TEXTS), build_subword_tokenizer(reversed(TEXTS))
    assert first.backend_tokenizer.to_str() == second.backend_tokenizer.to_str()
    for text in TEXTS:  # every word it was trained on is one token
        assert len(first(text, add_special_tokens=False)["input_ids"]) == len(text.replace("?", " ?").split())
    ids = first("Mortavin Zyx", add_special_tokens=False)["input_ids"]  # never seen
    assert len(ids) > 2 and first.unk_token_id not in ids
    assert first.decode(ids) == "mortavin zyx"


@pytest.mark.parametrize("kind", TOKENIZER_KINDS)
def test_tokenizer_keeps_image_tokens_apart(kind):
    tokenizer = {"word": build_word_tokenizer, "subword": build_subword_tokenizer}[kind](TEXTS)
    image_id = tokenizer.convert_tokens_to_ids("<image>")
    assert tokenizer("<image><image> who", add_special_tokens=False)["input_ids"][:2] == [image_id, image_id]


def test_spec_rejects_bad_sizes():
    with pytest.raises(ValueError, match="image_size"):
        TinyLlavaSpec(image_size=36)
    with pytest.raises(ValueError, match="text_layers"):
        TinyLlavaSpec(text_layers=0)
    with pytest.raises(ValueError, match=r"tokenizer must be one of \('word', 'subword'\)"):
        TinyLlavaSpec(tokenizer="bpe")


def test_save_load_round_trip(tmp_path):
    spec = TinyLlavaSpec()
    processor = build_tiny_processor(build_word_tokenizer(TEXTS), spec)
    model = build_tiny_llava(processor, spec, seed=0)
    path = save_model(model, processor, tmp_path / "ckpt", extra_json={"note.json": {"a": 1}})
    loaded, loaded_processor = load_model(path)
    for (name, a), b in zip(model.state_dict().items(), loaded.state_dict().values()):
        assert torch.equal(a, b), name
    assert loaded_processor.tokenizer.get_vocab() == processor.tokenizer.get_vocab()
    assert (path / "note.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "staging folder left behind"


def test_same_seed_same_weights():
    spec = TinyLlavaSpec()
    processor = build_tiny_processor(build_word_tokenizer(TEXTS), spec)
    a, b = build_tiny_llava(processor, spec, seed=3), build_tiny_llava(processor, spec, seed=3)
    assert all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters()))


def test_missing_checkpoint_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such-checkpoint"):
        load_model(tmp_path / "no-such-checkpoint")


def test_parameter_counts_cover_every_parameter_once():
    from pebench.model import parameter_counts

    spec = TinyLlavaSpec()
    model = build_tiny_llava(build_tiny_processor(build_word_tokenizer(TEXTS), spec), spec, seed=0)
    counts = parameter_counts(model)
    assert counts["total"] == sum(p.numel() for p in model.parameters())
    assert all(counts[name] > 0 for name in ("vision_tower", "multi_modal_projector", "language_model"))


def test_a_subword_pipeline_cuts_every_name_into_pieces_shared_across_populations(tmp_path):
    data = DatasetConfig(n_persons=4, n_events=2, n_real_persons=2, n_real_events=1, caption_images=0)
    pipeline = Pipeline(PipelineConfig(data=data, model=TinyLlavaSpec(tokenizer="subword")), root=tmp_path)
    tokenizer, persons = pipeline.processor.tokenizer, pipeline.dataset.persons.values()
    cuts = {
        population: [tokenizer.tokenize(word) for p in persons if p.population == population for word in p.name.split()]
        for population in ("real", "fictitious")
    }
    assert len(cuts["real"]) == 4 and len(cuts["fictitious"]) == 8
    words = cuts["real"] + cuts["fictitious"]
    assert sum(len(cut) > 1 for cut in words) >= 0.9 * len(words)  # names are not known whole
    pieces = {population: {piece for cut in cuts[population] for piece in cut} for population in cuts}
    assert pieces["real"] & pieces["fictitious"]  # what pretraining teaches about names carries over
    description = next(iter(pipeline.dataset.events.values())).description
    words = [token for token in tokenizer.tokenize(description) if token != "▁,"]
    assert len(words) == len(description.replace(",", " ").split())  # common words are whole


def test_a_frozen_tower_is_trained_in_pretraining_only(tmp_path):
    data = DatasetConfig(n_persons=2, n_events=2, n_real_persons=2, n_real_events=1, caption_images=0)
    stage = StageConfig(steps=3, batch_size=4, warmup_steps=1)
    config = PipelineConfig(data=data, pretrain=stage, finetune=stage, freeze_vision_tower=True)
    pipeline = Pipeline(config, root=tmp_path)
    pretrained, finetuned = pipeline.pretrained(progress=False), pipeline.finetuned(progress=False)
    before, after = (dict(component(m, "vision_tower").named_parameters()) for m in (pretrained, finetuned))
    assert all(torch.equal(before[name], after[name]) for name in before)
    assert not any(p.requires_grad for p in after.values())  # unlearning will not train it either
    projectors = [component(m, "multi_modal_projector").parameters() for m in (pretrained, finetuned)]
    assert not all(torch.equal(a, b) for a, b in zip(*projectors))
    assert (
        pipeline.has_finetuned()
        and not Pipeline(replace(config, freeze_vision_tower=False), root=tmp_path).has_finetuned()
    )


def test_base_models_share_one_pretraining_unless_it_is_replicated(tmp_path):
    data = DatasetConfig(n_persons=2, n_events=2, n_real_persons=1, n_real_events=1, caption_images=0)
    shared = PipelineConfig(data=data, replicate_pretraining=False)
    one, two = (Pipeline(base_config(seed, shared), root=tmp_path) for seed in (1, 2))
    assert one.pretrained_path() == two.pretrained_path() == Pipeline(shared, root=tmp_path).pretrained_path()
    assert one.config.finetune.seed == 1 and two.config.finetune.seed == 2
    assert one.finetuned_path(frozenset()) != two.finetuned_path(frozenset())
    replicated = [base_config(seed, replace(shared, replicate_pretraining=True)) for seed in (1, 2)]
    assert [(c.pretrain.seed, c.init_seed, c.finetune.seed) for c in replicated] == [(1, 1, 1), (2, 2, 2)]
