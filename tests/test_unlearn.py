"""Unlearning methods: exact loss identities on a fixed batch, and real forgetting on a trained fixture."""

from __future__ import annotations

import copy
import math

import pytest
import torch

from pebench.experiment import Experiment
from pebench.metrics import evaluate
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.train.stages import as_examples
from pebench.unlearn import METHODS, UnlearnBatch, UnlearnConfig, make_method, unlearn
from pebench.unlearn.kl import answer_kl


@pytest.fixture(scope="module")
def batch(small_pipeline):
    split = ForgetSplit(small_pipeline.dataset, ForgetSpec("person", 0.25, seed=0))
    encoder = small_pipeline.encoder
    return UnlearnBatch(
        forget=encoder.training_batch(as_examples(split.forget()[:6])),
        retain=encoder.training_batch(as_examples(split.unlearning_retain_items()[:6])),
    )


def test_ga_loss_is_minus_nll(small_pipeline, batch):
    model = small_pipeline.finetuned(progress=False)
    loss, _ = make_method("ga").loss(model, batch)
    assert loss.item() == pytest.approx(-model(**batch.forget).loss.item(), rel=1e-6)


def test_npo_at_the_reference_is_two_over_beta_log_two(small_pipeline, batch):
    model = small_pipeline.finetuned(progress=False)
    method = make_method("npo", beta=0.5)
    method.setup(model, copy.deepcopy(model))
    assert method.forget_loss(model, batch).item() == pytest.approx((2 / 0.5) * math.log(2), rel=1e-5)


def test_kl_of_identical_models_is_zero_and_counts_answer_tokens_only(small_pipeline, batch):
    model = small_pipeline.finetuned(progress=False)
    assert answer_kl(model, copy.deepcopy(model), batch.retain).item() == pytest.approx(0.0, abs=1e-6)
    # Perturbing the logits at prompt positions only must not change the masked KL.
    other = copy.deepcopy(model)
    labels = batch.retain["labels"]
    first_answer = int((labels[0] != -100).nonzero()[0])
    hook = other.lm_head.register_forward_hook(
        lambda _m, _i, out: torch.cat([out[:, : first_answer - 2] + 5.0, out[:, first_answer - 2 :]], 1)
    )
    try:
        shifted = answer_kl(model, other, {k: v[:1] for k, v in batch.retain.items()}).item()
    finally:
        hook.remove()
    assert shifted == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_method("sgd"), "method must be one of"),
        (lambda: make_method("npo", beta=0.0), "beta must be > 0"),
        (lambda: make_method("npo", temperature=1.0), "allowed"),
        (lambda: make_method("balanced", base="po"), "base must be one of"),
        (lambda: ForgetSpec(target="face"), "target must be one of"),
        (lambda: ForgetSpec(ratio=1.5), "ratio must be in"),
        (lambda: Experiment(method="unknown"), "method must be one of"),
        (lambda: UnlearnConfig(steps=0), "steps must be >= 1"),
    ],
)
def test_bad_parameters_name_the_allowed_values(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_balanced_needs_the_joint_target(small_pipeline):
    split = ForgetSplit(small_pipeline.dataset, ForgetSpec("person", 0.25))
    model = small_pipeline.finetuned(progress=False)
    with pytest.raises(ValueError, match="joint"):
        unlearn(model, small_pipeline.encoder, split, make_method("balanced"), UnlearnConfig(steps=1), progress=False)


SETTINGS = {  # method -> (target, steps, lr): forgets on the small fixture without wiping it out
    "ga": ("person", 10, 1e-4),
    "gd": ("person", 10, 1e-4),
    "kl": ("person", 10, 1e-4),
    "po": ("person", 20, 3e-4),
    "npo": ("person", 10, 1e-4),
    "simnpo": ("person", 20, 1e-4),
    "rmu": ("person", 20, 3e-4),
    "balanced": ("joint", 10, 1e-4),
}


def test_every_method_has_a_fixture_setting():
    assert set(SETTINGS) == set(METHODS)


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_method_forgets_and_keeps_scope(small_pipeline, name):
    target, steps, lr = SETTINGS[name]
    split = ForgetSplit(small_pipeline.dataset, ForgetSpec(target, 0.25, seed=0))
    before, _ = evaluate(small_pipeline.finetuned(progress=False), small_pipeline.encoder, split)
    model = small_pipeline.finetuned(progress=False)
    unlearn(model, small_pipeline.encoder, split, make_method(name), UnlearnConfig(steps=steps, lr=lr), progress=False)
    after, _ = evaluate(model, small_pipeline.encoder, split)
    assert before["person_efficacy"] < 0.2, "the fixture should know its persons before unlearning"
    assert after["person_efficacy"] >= before["person_efficacy"] + 0.5, after
    kept = after["event_scope"] if target == "person" else after["person_retain"]
    assert kept > 0.2, after
