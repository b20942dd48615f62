"""LoRA on LLaVA, and a LLaVA-1.5-style checkpoint through fine-tune -> every method with LoRA -> metrics.

The checkpoint is built and saved locally (BPE tokenizer, LLaVA-1.5 chat template, resizing image
processor) and loaded back with ``load_model``, the path a real ``llava-hf`` checkpoint takes.
"""

from __future__ import annotations

import copy
import math

import pandas as pd
import pytest
import torch
from llava15_checkpoint import build_bpe_tokenizer, save_llava15_style_checkpoint

from pebench import decoding
from pebench.data import DatasetConfig, PEBenchDataset, ensure_dataset
from pebench.encoding import IGNORE_INDEX, Encoder
from pebench.inference import generate_answers, generation_settings
from pebench.metrics import evaluate
from pebench.metrics.likelihood import likelihood_statistics
from pebench.model import load_model
from pebench.model.lora import AdaptersOff, LoraSettings, apply_lora, lora_adapters
from pebench.refusals import REFUSALS
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.train.stages import StageConfig, as_examples, finetuning_items, train_stage
from pebench.unlearn import METHODS, UnlearnBatch, UnlearnConfig, make_method, unlearn

TINY_DATA = DatasetConfig(n_persons=4, n_events=2, n_real_persons=2, n_real_events=2, seed=0)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """One intra-op thread: these models are tiny, and on a busy 2-core machine two OpenMP threads
    wait on each other for far longer than the arithmetic takes (measured: 0.4 s vs 16 s)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> PEBenchDataset:
    return PEBenchDataset.load(ensure_dataset(TINY_DATA, tmp_path_factory.mktemp("data")))


@pytest.fixture(scope="module")
def checkpoint(dataset, tmp_path_factory):
    """Path of a saved LLaVA-1.5-style checkpoint whose tokenizer was trained on the dataset's text."""
    texts = [item.question for item in dataset.qa] + [item.answer for item in dataset.qa] + list(REFUSALS)
    return save_llava15_style_checkpoint(texts, tmp_path_factory.mktemp("ckpt") / "llava15-style", seed=0)


@pytest.fixture(scope="module")
def loaded(checkpoint, dataset):
    model, processor = load_model(checkpoint)
    return model, Encoder(processor, dataset.image)


@pytest.fixture(scope="module")
def finetuned(loaded, dataset):
    """The checkpoint after a short LoRA fine-tune on the fictitious population (adapters merged)."""
    model, encoder = copy.deepcopy(loaded[0]), loaded[1]
    settings = LoraSettings(r=8, alpha=16, train_projector=True, gradient_checkpointing=True)
    with lora_adapters(model, settings) as peft_model:
        history = train_stage(
            peft_model,
            encoder,
            finetuning_items(dataset),
            StageConfig(steps=20, batch_size=16, lr=5e-3, warmup_steps=5),
            progress=False,
        )
    return model, history


def a_batch(encoder: Encoder, dataset: PEBenchDataset, n: int = 4) -> dict[str, torch.Tensor]:
    return encoder.training_batch(as_examples(finetuning_items(dataset)[:n]))


# -- the LLaVA-1.5-style checkpoint and its chat template ---------------------------------------------
def test_checkpoint_round_trips_with_its_own_template_and_processor(loaded, dataset):
    model, encoder = loaded
    tokenizer = encoder.tokenizer
    item = finetuning_items(dataset)[0]
    assert encoder._render(item.question, None).startswith("USER: <image>\n")
    assert encoder._render(item.question, None).endswith("ASSISTANT:")
    assert encoder.image_token_count == 9  # 48 px / 16 px patches, CLS dropped
    prompt, answer = encoder.prompt_ids(item.question), encoder.answer_ids(item.question, item.answer)
    assert prompt[0] == tokenizer.bos_token_id, "the tokenizer's BOS must lead the prompt (template writes none)"
    assert answer[-1] == tokenizer.eos_token_id, "EOS must close the answer (LLaVA-1.5's template writes none)"
    assert tokenizer.decode(answer, skip_special_tokens=True).strip() == item.answer
    batch = encoder.training_batch(as_examples([item]))
    labelled = batch["labels"][0][batch["labels"][0] != IGNORE_INDEX].tolist()
    assert labelled == list(answer)
    assert batch["pixel_values"].shape[-1] == 48  # the 32 px image was resized by the processor
    assert torch.isfinite(model(**batch).loss)


def test_bpe_tokenizer_is_deterministic_and_validates():
    texts = ["Who is the person in this image?", "Stiton Dahais", "a cashier scans groceries"]
    assert build_bpe_tokenizer(texts).get_vocab() == build_bpe_tokenizer(reversed(texts)).get_vocab()
    with pytest.raises(ValueError, match="vocab_size"):
        build_bpe_tokenizer(texts, vocab_size=10)


def test_generation_batch_cap_changes_no_answer(loaded, dataset, monkeypatch):
    """The cap bounds the batches of both ways of answering: shared image prefixes and ``generate``."""
    model, encoder = loaded
    examples = as_examples(dataset.qa[:12])
    expected = generate_answers(model, encoder, examples, max_new_tokens=3)
    shared, generated = [], []
    continuation, original = decoding.greedy_continuation, model.generate
    monkeypatch.setattr(
        decoding,
        "greedy_continuation",
        lambda model, suffix, *a: shared.append(len(suffix)) or continuation(model, suffix, *a),
    )
    monkeypatch.setattr(model, "generate", lambda **kw: generated.append(len(kw["input_ids"])) or original(**kw))
    with generation_settings(max_batch_size=1):
        assert generate_answers(model, encoder, examples, max_new_tokens=3) == expected
    with generation_settings(max_batch_size=1, share_prefixes=False):
        assert generate_answers(model, encoder, examples, max_new_tokens=3) == expected
    assert shared == [1] * len(examples) and generated == [1] * len(examples)
    with pytest.raises(ValueError, match="max_batch_size"), generation_settings(max_batch_size=0):
        pass


def test_evaluation_batch_cap_also_bounds_the_likelihood_statistics(loaded, dataset, monkeypatch):
    model, encoder = loaded
    items = dataset.qa[:5]
    expected = likelihood_statistics(model, encoder, items)
    rows = []
    original = model.forward
    monkeypatch.setattr(model, "forward", lambda **kw: rows.append(len(kw["input_ids"])) or original(**kw))
    with generation_settings(max_batch_size=2):
        capped = likelihood_statistics(model, encoder, items)
    assert rows == [2, 2, 1]
    pd.testing.assert_frame_equal(capped, expected, atol=1e-5, rtol=0)


# -- LoRA mechanics ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"r": 0}, "r must be"),
        ({"alpha": 0.0}, "alpha must be"),
        ({"dropout": 1.0}, "dropout must be"),
        ({"target_modules": ()}, "target_modules"),
        ({"target_modules": "q_proj"}, "target_modules"),
    ],
)
def test_lora_settings_name_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LoraSettings(**kwargs)


def test_unknown_target_module_names_the_allowed_ones(loaded):
    model = copy.deepcopy(loaded[0])
    with pytest.raises(ValueError, match=r"allowed: \['down_proj'"):
        apply_lora(model, LoraSettings(target_modules=("fc1",)))  # a CLIP layer, not the language model


@pytest.mark.parametrize("train_projector", [True, False])
def test_only_adapters_and_optionally_the_projector_train(loaded, train_projector):
    peft_model = apply_lora(
        copy.deepcopy(loaded[0]), LoraSettings(target_modules=("q_proj", "v_proj"), train_projector=train_projector)
    )
    trainable = [name for name, p in peft_model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in name or "multi_modal_projector" in name for name in trainable)
    assert not any("vision_tower" in name for name in trainable)
    assert all(".language_model." in name for name in trainable if "lora_" in name)
    assert {name.split(".")[-4] for name in trainable if "lora_" in name} == {"q_proj", "v_proj"}
    assert any("multi_modal_projector" in name for name in trainable) is train_projector


def lora_gradients(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    model.train()
    model(**batch).loss.backward()
    return {name: p.grad.clone() for name, p in model.named_parameters() if p.requires_grad and p.grad is not None}


def test_gradient_checkpointing_still_gives_adapters_their_gradients(loaded, dataset):
    """Frozen embeddings + frozen projector is the case where re-entrant checkpointing loses them."""
    batch = a_batch(loaded[1], dataset)
    plain = apply_lora(copy.deepcopy(loaded[0]), LoraSettings(train_projector=False))
    checkpointed = apply_lora(
        copy.deepcopy(loaded[0]), LoraSettings(train_projector=False, gradient_checkpointing=True)
    )
    # LoRA's B starts at zero, so A gets no gradient at step 0; give B a value to test both.
    for model in (plain, checkpointed):
        with torch.no_grad():
            for name, p in model.named_parameters():
                if "lora_B" in name:
                    p.copy_(torch.linspace(-0.1, 0.1, p.numel()).reshape(p.shape))
    expected = lora_gradients(plain, batch)
    assert len(expected) == sum(p.requires_grad for p in plain.parameters())
    assert checkpointed.base_model.model.is_activation_checkpointing
    got = lora_gradients(checkpointed, batch)
    assert got.keys() == expected.keys()
    for name in expected:
        torch.testing.assert_close(got[name], expected[name], rtol=1e-4, atol=1e-6, msg=name)
        assert got[name].abs().sum() > 0, name
    # Re-entrant checkpointing as well (what older recipes switch on): input grads keep it working.
    checkpointed.zero_grad(set_to_none=True)
    checkpointed.base_model.model.activation_checkpointing_enable({"use_reentrant": True})
    reentrant = lora_gradients(checkpointed, batch)
    assert reentrant.keys() == expected.keys()
    for name in expected:
        torch.testing.assert_close(reentrant[name], expected[name], rtol=1e-4, atol=1e-6, msg=name)


def test_lora_context_merges_in_place_and_restores_the_model(loaded, dataset):
    model = copy.deepcopy(loaded[0])
    original = copy.deepcopy(model)
    batch = a_batch(loaded[1], dataset)
    with lora_adapters(model, LoraSettings(gradient_checkpointing=True)) as peft_model:
        peft_model.train()
        optimizer = torch.optim.SGD([p for p in peft_model.parameters() if p.requires_grad], lr=0.5)
        for _ in range(2):
            optimizer.zero_grad()
            peft_model(**batch).loss.backward()
            optimizer.step()
        adapted = peft_model(**batch).logits.detach()
    assert type(model) is type(original)
    assert not any("lora" in name or "modules_to_save" in name for name, _ in model.named_parameters())
    assert all(p.requires_grad for p in model.parameters()), "requires_grad flags must be restored"
    assert not model.is_activation_checkpointing
    assert model.state_dict().keys() == original.state_dict().keys()
    changed = {n for n, p in model.state_dict().items() if not torch.equal(p, original.state_dict()[n])}
    assert not any("vision_tower" in name for name in changed)
    assert any("multi_modal_projector" in name for name in changed) and any("q_proj" in name for name in changed)
    torch.testing.assert_close(model(**batch).logits, adapted, rtol=1e-4, atol=1e-4)  # merged = adapted

    # An exception inside the block discards the adapters: weights as before.
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(RuntimeError, match="boom"), lora_adapters(model, LoraSettings()) as peft_model:
        with torch.no_grad():
            next(p for n, p in peft_model.named_parameters() if "lora_B" in n).add_(1.0)
        raise RuntimeError("boom")
    assert all(torch.equal(p, before[n]) for n, p in model.state_dict().items())


def test_shared_reference_is_the_untouched_base_model(loaded, dataset):
    model = copy.deepcopy(loaded[0])
    batch = a_batch(loaded[1], dataset)
    expected = model(**batch).logits.detach()
    peft_model = apply_lora(model, LoraSettings(train_projector=True))
    reference = AdaptersOff(peft_model)
    assert not list(reference.parameters()), "the reference must not expose trainable parameters"
    npo = make_method("npo", beta=0.5)
    npo.setup(peft_model, reference)
    forget = UnlearnBatch(forget=batch)
    assert npo.forget_loss(peft_model, forget).item() == pytest.approx((2 / 0.5) * math.log(2), rel=1e-5)
    optimizer = torch.optim.SGD([p for p in peft_model.parameters() if p.requires_grad], lr=1.0)
    peft_model.train()
    for _ in range(2):
        optimizer.zero_grad()
        npo.forget_loss(peft_model, forget).backward()
        optimizer.step()
    assert peft_model.training, "calling the reference must not leave the model in eval mode"
    torch.testing.assert_close(reference(**batch).logits, expected)
    assert not torch.allclose(peft_model(**batch).logits, expected)


# -- fine-tune -> every unlearning method with LoRA -> metrics ---------------------------------------------
def test_lora_finetune_learns(finetuned):
    _, history = finetuned
    assert history[-1]["loss"] < history[0]["loss"] - 0.3, (history[0]["loss"], history[-1]["loss"])


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_runs_with_lora_on_the_checkpoint(finetuned, loaded, dataset, name):
    encoder = loaded[1]
    target = "joint" if METHODS[name].balances_kinds else "person"
    split = ForgetSplit(dataset, ForgetSpec(target, 0.3, seed=0))
    model = copy.deepcopy(finetuned[0])
    before = {n: p.clone() for n, p in model.state_dict().items()}
    lora = LoraSettings(r=4, alpha=8, shared_reference=name in ("kl", "npo"))
    history = unlearn(
        model,
        encoder,
        split,
        make_method(name),
        UnlearnConfig(steps=2, lr=1e-3, batch_size=4, lora=lora),
        progress=False,
    )
    assert len(history) == 2 and all(math.isfinite(record["loss"]) for record in history)
    assert any(not torch.equal(p, before[n]) for n, p in model.state_dict().items()), "LoRA was merged"
    assert all(torch.equal(p, before[n]) for n, p in model.state_dict().items() if "vision_tower" in n)
    metrics, table = evaluate(model, encoder, split)
    assert len(table) > 0
    per_kind = [f"{kind}_{measure}" for kind in split.spec.kinds for measure in ("efficacy", "real")]
    for key in [*per_kind, "world_fact", "mia_loss_auc"]:
        assert 0.0 <= metrics[key] <= 1.0, (key, metrics[key])
