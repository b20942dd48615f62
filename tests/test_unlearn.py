"""Unlearning methods: exact loss identities on a fixed batch, and real forgetting on a trained fixture."""

from __future__ import annotations

import copy
import math

import pytest
import torch
from matplotlib.colors import is_color_like

from pebench.arms import arms
from pebench.encoding import Example, as_examples
from pebench.experiment import Experiment
from pebench.metrics import evaluate
from pebench.pipeline import Pipeline
from pebench.refusals import PERSON_REFUSALS
from pebench.study import run_grid
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.train.stages import nll_loss
from pebench.unlearn import METHODS, UnlearnBatch, UnlearnConfig, make_method, unlearn
from pebench.unlearn.base import UnlearningMethod
from pebench.unlearn.kl import answer_kl
from pebench.unlearn.siu import concept_vocabulary, substitute_answer


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


def nll(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> float:
    """The mean answer-token NLL, computed by transformers' own loss (independent of pebench)."""
    return model(**batch).loss.item()


def test_gd_loss_is_ascent_on_forget_plus_weighted_descent_on_retain(small_pipeline, batch):
    model = small_pipeline.finetuned(progress=False)
    loss, _ = make_method("gd", retain_weight=2.0).loss(model, batch)
    assert loss.item() == pytest.approx(-nll(model, batch.forget) + 2.0 * nll(model, batch.retain), rel=1e-5)


def test_po_loss_is_descent_on_refusals_plus_retain(small_pipeline, batch):
    model = small_pipeline.finetuned(progress=False)
    with_refusals = UnlearnBatch(batch.forget, batch.retain, refusal_batch(small_pipeline))
    loss, _ = make_method("po").loss(model, with_refusals)
    assert loss.item() == pytest.approx(nll(model, with_refusals.alternative) + nll(model, batch.retain), rel=1e-5)


def test_dpo_at_the_reference_is_two_over_beta_log_two(small_pipeline, batch):
    model = small_pipeline.finetuned(progress=False)
    method = make_method("dpo", beta=0.5)
    method.setup(model, copy.deepcopy(model))
    refusals = UnlearnBatch(batch.forget, alternative=refusal_batch(small_pipeline))
    assert method.forget_loss(model, refusals).item() == pytest.approx((2 / 0.5) * math.log(2), rel=1e-5)


def refusal_batch(pipeline: Pipeline) -> dict[str, torch.Tensor]:
    """The fixture batch's forget questions answered with a refusal."""
    split = ForgetSplit(pipeline.dataset, ForgetSpec("person", 0.25, seed=0))
    refusals = [Example(e.image_id, e.question, PERSON_REFUSALS[0]) for e in as_examples(split.forget()[:6])]
    return pipeline.encoder.training_batch(refusals)


def test_siu_relearns_a_reversed_answer_and_keeps_the_rest_of_the_reference(small_pipeline, batch):
    """SIU's substitute is the answer reversed; at the reference its DMK term is zero, so the forget
    loss is the NLL of the substitute; the vocabulary mask holds each answer's words, not its end."""
    assert substitute_answer("stiton dahais") == "dahais stiton"
    model = small_pipeline.finetuned(progress=False)
    split = ForgetSplit(small_pipeline.dataset, ForgetSpec("person", 0.25, seed=0))
    forget = as_examples(split.forget()[:6])
    method = make_method("siu")
    substitutes = small_pipeline.encoder.training_batch(method.alternatives(forget, ["person"] * 6, seed=0))
    siu_batch = UnlearnBatch(small_pipeline.encoder.training_batch(forget), alternative=substitutes)
    method.setup(model, copy.deepcopy(model))
    assert method.forget_loss(model, siu_batch).item() == pytest.approx(nll(model, substitutes), rel=1e-5)
    tokenizer = small_pipeline.encoder.tokenizer
    hidden = concept_vocabulary(siu_batch.forget, len(tokenizer))
    for row, example in zip(hidden, forget):
        assert set(torch.nonzero(row).flatten().tolist()) == set(
            tokenizer(example.answer.lower().split(), is_split_into_words=True, add_special_tokens=False).input_ids
        )


def test_simnpo_forget_loss_on_one_answer_is_a_softplus_of_its_mean_nll(small_pipeline, batch):
    """For one sequence, log pi(y|x) / |y| is minus its mean token NLL, so the forget term is
    -(2/beta) log sigmoid(beta * NLL) = (2/beta) softplus(-beta * NLL)."""
    model = small_pipeline.finetuned(progress=False)
    one = UnlearnBatch(forget={k: v[:1] for k, v in batch.forget.items()})
    beta = 2.5
    expected = (2 / beta) * math.log1p(math.exp(-beta * nll(model, one.forget)))
    assert make_method("simnpo", beta=beta).forget_loss(model, one).item() == pytest.approx(expected, rel=1e-5)


def test_rmu_steers_attended_tokens_toward_a_unit_direction_and_keeps_the_reference(small_pipeline, batch):
    model = small_pipeline.finetuned(progress=False)
    method = make_method("rmu", layer=1, steering=3.0)
    method.setup(model, copy.deepcopy(model))
    direction = method._direction
    assert direction.norm().item() == pytest.approx(1.0, rel=1e-6)
    inputs = {k: v for k, v in batch.forget.items() if k != "labels"}
    hidden = model(**inputs, output_hidden_states=True).hidden_states[1]
    attended = hidden[batch.forget["attention_mask"].bool()]
    expected = ((attended - 3.0 * direction) ** 2).mean().item()
    assert method.forget_loss(model, batch).item() == pytest.approx(expected, rel=1e-5)
    assert method.retain_loss(model, batch).item() == pytest.approx(0.0, abs=1e-10)  # model == reference


def test_balanced_gd_averages_each_concepts_progress_at_the_bases_scale(small_pipeline):
    """With GD as base, each concept's ascent term -NLL_k is divided by its first value and the mean
    taken at the first values' mean scale: at the first step the forget loss is the plain mean
    -(NLL_person + NLL_event) / 2, the base's own scale; later each concept counts by its relative
    progress, NLL_k / NLL_k at the first step."""
    model = copy.deepcopy(small_pipeline.finetuned(progress=False))
    split = ForgetSplit(small_pipeline.dataset, ForgetSpec("joint", 0.25, seed=0))
    encoder = small_pipeline.encoder
    parts = {kind: encoder.training_batch(as_examples(split.forget(kind)[:4])) for kind in ("person", "event")}
    method = make_method("balanced", base="gd")
    method.setup(model, None)
    first = {kind: nll(model, part) for kind, part in parts.items()}
    loss = method.forget_loss(model, UnlearnBatch(forget={}, forget_by_kind=parts))
    assert loss.item() == pytest.approx(-(first["person"] + first["event"]) / 2, rel=1e-5)
    with torch.no_grad():  # move the model: the weights stay those of the first step
        for parameter in model.parameters():
            parameter.mul_(0.99)
    now = {kind: nll(model, part) for kind, part in parts.items()}
    scale = (first["person"] + first["event"]) / 2
    expected = -scale * (now["person"] / first["person"] + now["event"] / first["event"]) / 2
    assert method.forget_loss(model, UnlearnBatch(forget={}, forget_by_kind=parts)).item() == pytest.approx(
        expected, rel=1e-5
    )


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


def perturbed(model: torch.nn.Module, scale: float = 0.05, seed: int = 0) -> torch.nn.Module:
    """A copy of ``model`` with small random noise on every trainable weight."""
    other = copy.deepcopy(model)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in other.parameters():
            if parameter.requires_grad:
                parameter.add_(scale * torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype))
    return other


def test_kl_is_reference_to_current_as_its_formula_says(small_pipeline, batch):
    """KL's retain term is KL(pi_ref || pi_theta), averaged over answer positions: computed here by
    hand, position by position in float64, on a perturbed model; the other direction differs."""
    reference = small_pipeline.finetuned(progress=False)
    model = perturbed(reference)
    inputs = {key: value for key, value in batch.retain.items() if key != "labels"}
    with torch.no_grad():
        log_p = torch.log_softmax(model(**inputs).logits.double(), dim=-1)
        log_q = torch.log_softmax(reference(**inputs).logits.double(), dim=-1)
    labels = batch.retain["labels"]
    forward, backward = [], []
    for row in range(labels.shape[0]):
        for position in range(labels.shape[1] - 1):
            if labels[row, position + 1] == -100:  # this position does not predict an answer token
                continue
            p, q = log_p[row, position], log_q[row, position]
            forward.append(float((q.exp() * (q - p)).sum()))
            backward.append(float((p.exp() * (p - q)).sum()))
    by_hand, reversed_direction = sum(forward) / len(forward), sum(backward) / len(backward)
    computed = answer_kl(model, reference, batch.retain).item()
    assert by_hand > 1e-3, "the perturbation must move the distributions"
    assert computed == pytest.approx(by_hand, rel=1e-4)
    assert abs(reversed_direction - by_hand) > 1e-3 * by_hand and computed != pytest.approx(
        reversed_direction, rel=1e-4
    )


def test_rmu_retain_term_holds_the_frozen_models_activations(small_pipeline, batch):
    """RMU's retain term is the mean squared distance to the *frozen reference's* activations after
    decoder layer ``layer``, read here with a forward hook on that layer: zero at the reference,
    non-zero on a perturbed model, and with a gradient that reaches the model, not the reference."""
    reference = small_pipeline.finetuned(progress=False)
    model = perturbed(reference)
    method = make_method("rmu", layer=2)
    method.setup(model, reference)

    def activations(network: torch.nn.Module) -> torch.Tensor:
        captured = []
        layer = network.get_decoder().layers[method.layer - 1]
        hook = layer.register_forward_hook(
            lambda _m, _i, out: captured.append(out[0] if isinstance(out, tuple) else out)
        )
        try:
            with torch.no_grad():
                network(**{key: value for key, value in batch.retain.items() if key != "labels"})
        finally:
            hook.remove()
        return captured[0][batch.retain["attention_mask"].bool()].double()

    by_hand = float(((activations(model) - activations(reference)) ** 2).mean())
    term = method.retain_loss(model, batch)
    assert by_hand > 1e-6 and term.item() == pytest.approx(by_hand, rel=1e-4)
    term.backward()
    gradients = [p.grad for p in model.parameters() if p.grad is not None]
    assert gradients and any(float(g.abs().sum()) > 0 for g in gradients)
    assert all(p.grad is None for p in reference.parameters())
    at_reference = make_method("rmu", layer=2)
    at_reference.setup(reference, reference)
    assert at_reference.retain_loss(reference, batch).item() == pytest.approx(0.0, abs=1e-10)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_method("sgd"), "method must be one of"),
        (lambda: make_method("npo", beta=0.0), "beta must be > 0"),
        (lambda: make_method("npo", temperature=1.0), "allowed"),
        (lambda: make_method("balanced", base="po"), "base must be one of"),
        (lambda: ForgetSpec(target="face"), "target must be one of"),
        (lambda: ForgetSpec(ratio=1.5), "ratio must be a number in"),
        (lambda: ForgetSpec(ratio="abc"), "ratio must be a number in .* got 'abc'"),
        (lambda: ForgetSpec(seed="1"), "seed must be an integer"),
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
    "siu": ("person", 20, 3e-4),
    "dpo": ("person", 20, 3e-4),
    "npo": ("person", 10, 1e-4),
    "simnpo": ("person", 20, 1e-4),
    "rmu": ("person", 20, 3e-4),
    "balanced": ("joint", 20, 1e-4),  # half the forget pressure per concept of GD on one, by design
}
#: The budgets tried, as fractions of a setting's steps. Where along its run a method starts to
#: forget depends on the machine's numerics (balanced forgets at 10 steps and has wiped out the
#: retained persons by 20 on an Intel CPU with AVX-512, and is still within bounds at 20 on an AMD
#: one), so the test asks what the method is for: by the first budget at which it has forgotten,
#: it has kept the rest.
BUDGETS = (0.5, 1.0)


def test_every_method_has_a_fixture_setting():
    assert set(SETTINGS) == set(METHODS)


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_method_forgets_and_keeps_scope(small_pipeline, name):
    target, steps, lr = SETTINGS[name]
    split = ForgetSplit(small_pipeline.dataset, ForgetSpec(target, 0.25, seed=0))
    before, _ = evaluate(small_pipeline.finetuned(progress=False), small_pipeline.encoder, split)
    assert before["person_efficacy"] < 0.2, "the fixture should know its persons before unlearning"
    for budget in (round(fraction * steps) for fraction in BUDGETS):
        model = small_pipeline.finetuned(progress=False)
        config = UnlearnConfig(steps=budget, lr=lr)
        unlearn(model, small_pipeline.encoder, split, make_method(name), config, progress=False)
        after, _ = evaluate(model, small_pipeline.encoder, split)
        if after["person_efficacy"] >= before["person_efficacy"] + 0.5:
            break
    assert after["person_efficacy"] >= before["person_efficacy"] + 0.5, after
    kept = after["event_scope"] if target == "person" else after["person_retain"]
    assert kept > 0.2, (budget, after)


def test_every_method_carries_its_display_name_and_colour():
    """Tables and figures take a method's label and colour from its class: one place per method."""
    labels = [method.label for method in METHODS.values()]
    colours = [method.colour for method in METHODS.values()]
    assert len(set(labels)) == len(labels) and len(set(colours)) == len(colours)
    assert all(is_color_like(colour) and colour != "C7" for colour in colours)  # C7, grey: the references


def test_a_method_added_the_documented_way_appears_in_a_grid(small_pipeline, tmp_path, monkeypatch):
    """CONTRIBUTING.md's recipe: a class with a name, label, colour and loss, and its registration."""

    class Toy(UnlearningMethod):
        """Gradient ascent at half strength."""

        name = "toy"
        label = "Toy"
        colour = "C9"

        def forget_loss(self, model, batch):
            return -0.5 * nll_loss(model, batch.forget)

    monkeypatch.setitem(METHODS, "toy", Toy)  # what adding Toy to registry.py's tuple does
    root = tmp_path / "artifacts"
    root.mkdir()
    for shared in ("data", "models"):
        (root / shared).symlink_to(small_pipeline.root / shared, target_is_directory=True)
    pipeline = Pipeline(small_pipeline.config, root=root)
    settings = dict(ratio=0.25, unlearn=UnlearnConfig(steps=2), compare_to_oracle=False, workers=1, progress=False)
    results = run_grid(pipeline, arms(["finetune", "toy"]), ["person"], [0], **settings)
    assert list(dict.fromkeys(results["method"])) == ["Finetune", "Toy"]
    assert make_method("toy").label == "Toy"
