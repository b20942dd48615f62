"""LoRA adapters (``peft``) for fine-tuning and unlearning a LLaVA model, tiny or 7B-class.

Why a thin layer over ``peft`` rather than calling it directly:

* PEBench trains the *language model* and, by choice, the projector; the vision tower stays frozen.
  ``peft`` matches module names anywhere in the model (CLIP has ``q_proj`` too), so the targets are
  turned into a regular expression anchored in the language model.
* The book's code paths modify a model *in place* (``unlearn(model, ...)``). ``lora_adapters`` keeps
  that contract: it injects adapters, yields the ``PeftModel`` to train, then merges the adapters
  back and restores the model's own ``requires_grad`` flags, so the caller's object ends up a plain
  ``LlavaForConditionalGeneration`` with updated weights.
* Gradient checkpointing with frozen embeddings silently starves adapters of gradients under
  re-entrant checkpointing (the checkpointed blocks see inputs that do not require grad). We use
  non-re-entrant checkpointing *and* ``enable_input_require_grads``, and the tests check that the
  adapters' gradients equal those computed without checkpointing.
* Methods with a frozen reference (KL, NPO, RMU) normally get a deep copy of the model. With LoRA the
  base weights *are* the reference, so ``shared_reference=True`` evaluates the reference by switching
  the adapters off instead of copying the model: no second 7B model in GPU memory.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import torch
from peft import LoraConfig, PeftModel, get_peft_model

logger = logging.getLogger(__name__)

#: The attention and MLP projections of a Llama/Mistral/Vicuna decoder (LLaVA-1.5's language model).
DEFAULT_TARGETS: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
#: Where the language model and the projector live in ``LlavaForConditionalGeneration`` (transformers 5).
LANGUAGE_MODEL_PREFIX = "model.language_model."
PROJECTOR = "multi_modal_projector"


@dataclass(frozen=True)
class LoraSettings:
    """LoRA hyper-parameters and what else is trained.

    ``target_modules`` are leaf names of linear layers *inside the language model* (the vision tower
    is never adapted); ``train_projector`` trains a full copy of the multimodal projector beside the
    adapters (``peft``'s ``modules_to_save``). ``seed`` fixes the adapters' random initialisation, so
    a LoRA run is as reproducible as a full one.
    """

    r: int = 8
    alpha: float = 16.0
    dropout: float = 0.0
    target_modules: tuple[str, ...] = DEFAULT_TARGETS
    train_projector: bool = True
    gradient_checkpointing: bool = False
    shared_reference: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.target_modules, str) or not all(isinstance(t, str) for t in self.target_modules):
            raise ValueError(f"target_modules must be a tuple of module names, got {self.target_modules!r}")
        object.__setattr__(self, "target_modules", tuple(self.target_modules))
        if not self.target_modules:
            raise ValueError("target_modules must name at least one module, e.g. ('q_proj', 'v_proj')")
        if not (isinstance(self.r, int) and self.r >= 1):
            raise ValueError(f"r must be an int >= 1, got {self.r!r}")
        if not self.alpha > 0:
            raise ValueError(f"alpha must be > 0, got {self.alpha}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")


def language_model_linear_names(model: torch.nn.Module) -> set[str]:
    """Leaf names of every ``nn.Linear`` in the language model (what LoRA can target)."""
    return {
        name.rsplit(".", 1)[-1]
        for name, module in model.named_modules()
        if name.startswith(LANGUAGE_MODEL_PREFIX) and isinstance(module, torch.nn.Linear)
    }


def target_pattern(target_modules: tuple[str, ...]) -> str:
    """A regular expression (``peft`` full-matches it) selecting only language-model layers."""
    names = "|".join(re.escape(name) for name in target_modules)
    return rf"{re.escape(LANGUAGE_MODEL_PREFIX)}.*\.({names})"


def _set_activation_checkpointing(model: torch.nn.Module, enable: bool) -> None:
    """Switch (non-re-entrant) activation checkpointing on or off. transformers calls it
    ``activation_checkpointing_*`` since 5.2x and ``gradient_checkpointing_*`` before (as on GPU
    images that ship their own transformers)."""
    if hasattr(model, "activation_checkpointing_enable"):
        if enable:
            model.activation_checkpointing_enable({"use_reentrant": False})
        else:
            model.activation_checkpointing_disable()
    elif enable:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    else:
        model.gradient_checkpointing_disable()


def apply_lora(model: torch.nn.Module, settings: LoraSettings) -> PeftModel:
    """Inject LoRA adapters into ``model``'s language model and return the ``PeftModel`` to train.

    Every original parameter is frozen (vision tower, embeddings, head, norms); trainable are the
    adapters and, with ``train_projector``, a copy of the projector. Raises ``ValueError`` naming the
    available modules when a target is not a linear layer of the language model.
    """
    available = language_model_linear_names(model)
    unknown = sorted(set(settings.target_modules) - available)
    if unknown:
        raise ValueError(
            f"target_modules {unknown} are not linear layers of the language model; allowed: {sorted(available)}"
        )
    if settings.gradient_checkpointing:
        # Non-re-entrant checkpointing gives adapters their gradients even with frozen embeddings;
        # input grads make re-entrant checkpointing (which a user may switch on) safe as well.
        _set_activation_checkpointing(model, True)
        model.enable_input_require_grads()
    config = LoraConfig(
        r=settings.r,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=target_pattern(settings.target_modules),
        modules_to_save=[PROJECTOR] if settings.train_projector else None,
        bias="none",
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        peft_model = get_peft_model(model, config)
    trainable = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in peft_model.parameters())
    logger.info(
        "LoRA r=%d: %d trainable of %d parameters (%.2f%%)", settings.r, trainable, total, 100 * trainable / total
    )
    return peft_model


def remove_lora(peft_model: PeftModel, *, merge: bool) -> torch.nn.Module:
    """Take the adapters out again (merged into the weights, or discarded); return the base model."""
    base = peft_model.merge_and_unload() if merge else peft_model.unload()
    for attribute in ("peft_config", "_hf_peft_config_loaded"):
        if attribute in vars(base):
            delattr(base, attribute)
    return base


@contextmanager
def lora_adapters(model: torch.nn.Module, settings: LoraSettings) -> Iterator[PeftModel]:
    """Train ``model`` through LoRA adapters, then merge them into ``model`` in place.

    Yields the ``PeftModel`` to hand to ``run_loop`` (or ``train_stage``/``unlearn``'s loss). On
    normal exit the adapters are merged; on an exception they are discarded, leaving the weights as
    they were. Either way ``model``'s ``requires_grad`` flags and gradient-checkpointing state are
    restored, so the same object can be trained in full afterwards.
    """
    flags = {name: p.requires_grad for name, p in model.named_parameters()}
    checkpointing_before = getattr(model, "is_activation_checkpointing", None)
    if checkpointing_before is None:  # transformers before 5.2x
        checkpointing_before = getattr(model, "is_gradient_checkpointing", False)
    peft_model = apply_lora(model, settings)
    merged = False
    try:
        yield peft_model
        merged = True
    finally:
        base = remove_lora(peft_model, merge=merged)
        if base is not model:  # peft always unwraps to the object it was given
            raise RuntimeError("peft returned a different model object; cannot merge in place")
        for name, parameter in model.named_parameters():
            parameter.requires_grad_(flags.get(name, True))
        if settings.gradient_checkpointing and not checkpointing_before:
            _set_activation_checkpointing(model, False)
            model.disable_input_require_grads()
        model.eval()


def maybe_lora(model: torch.nn.Module, settings: LoraSettings | None):
    """``lora_adapters(model, settings)``, or the model itself when ``settings`` is ``None``."""
    return nullcontext(model) if settings is None else lora_adapters(model, settings)


class AdaptersOff(torch.nn.Module):
    """The frozen base model under a ``PeftModel``, used as a reference without copying it.

    Calling it runs the peft model with its adapters (and trained projector copy) switched off, in
    eval mode and without gradients: exactly the weights before unlearning, since LoRA leaves the
    base weights untouched until it is merged.
    """

    def __init__(self, peft_model: PeftModel) -> None:
        super().__init__()
        # Not registered as a submodule: the reference must not expose the trained parameters.
        object.__setattr__(self, "_peft", peft_model)

    @property
    def config(self) -> Any:
        return self._peft.config

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The peft model's output with its adapters off, in eval mode, without gradients."""
        was_training = self._peft.training
        self._peft.eval()
        try:
            with torch.no_grad(), self._peft.disable_adapter():
                return self._peft(*args, **kwargs)
        finally:
            self._peft.train(was_training)
