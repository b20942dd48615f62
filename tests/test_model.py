"""Tokenizer, tiny model and checkpoint loading."""

from __future__ import annotations

import pytest
import torch

from pebench.model import TinyLlavaSpec, build_tiny_llava, build_tiny_processor, load_model, save_model
from pebench.model.tokenizer import build_word_tokenizer

TEXTS = ["Who is the person in this image?", "Tavin Morrel", "a chemist mixes glowing liquids"]


def test_tokenizer_round_trips_words_and_is_deterministic():
    first, second = build_word_tokenizer(TEXTS), build_word_tokenizer(reversed(TEXTS))
    assert first.get_vocab() == second.get_vocab()
    ids = first("Tavin Morrel", add_special_tokens=False)["input_ids"]
    assert len(ids) == 2 and first.unk_token_id not in ids
    assert first.decode(ids) == "tavin morrel"
    assert first.decode(first("a chemist mixes glowing liquids")["input_ids"]) == "a chemist mixes glowing liquids"


def test_tokenizer_keeps_image_tokens_apart():
    tokenizer = build_word_tokenizer(TEXTS)
    image_id = tokenizer.convert_tokens_to_ids("<image>")
    assert tokenizer("<image><image> who", add_special_tokens=False)["input_ids"][:2] == [image_id, image_id]


def test_spec_rejects_bad_sizes():
    with pytest.raises(ValueError, match="image_size"):
        TinyLlavaSpec(image_size=36)
    with pytest.raises(ValueError, match="text_layers"):
        TinyLlavaSpec(text_layers=0)


def test_save_load_round_trip(tmp_path):
    spec = TinyLlavaSpec()
    processor = build_tiny_processor(TEXTS, spec)
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
    processor = build_tiny_processor(TEXTS, spec)
    a, b = build_tiny_llava(processor, spec, seed=3), build_tiny_llava(processor, spec, seed=3)
    assert all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters()))


def test_missing_checkpoint_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such-checkpoint"):
        load_model(tmp_path / "no-such-checkpoint")


def test_parameter_counts_cover_every_parameter_once():
    from pebench.model import parameter_counts

    spec = TinyLlavaSpec()
    model = build_tiny_llava(build_tiny_processor(TEXTS, spec), spec, seed=0)
    counts = parameter_counts(model)
    assert counts["total"] == sum(p.numel() for p in model.parameters())
    assert all(counts[name] > 0 for name in ("vision_tower", "multi_modal_projector", "language_model"))
