"""The interface every unlearning method implements: a loss over an ``UnlearnBatch``.

Methods are small classes (one file each) in the spirit of ``peft``'s tuners and
open-unlearning's trainers: they declare which data they need (retain batch, refusal answers,
a frozen reference model, forget batches balanced per concept) and compute a loss to *minimise*.
Sampling, optimisation and evaluation are shared (``pebench.unlearn.runner``), so differences
between methods are differences between their losses and nothing else.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from pebench.cache import module_sources
from pebench.encoding import Example
from pebench.inference import answer_log_likelihood
from pebench.refusals import EVENT_REFUSALS, PERSON_REFUSALS

Batch = dict[str, torch.Tensor]


@dataclass
class UnlearnBatch:
    """What one optimisation step sees.

    ``forget`` holds forget questions with their true answers; ``alternative`` the same questions
    answered otherwise (a refusal for PO and DPO, a substitute for SIU:
    :meth:`UnlearningMethod.alternatives`); ``retain`` questions to keep;
    ``forget_by_kind`` the forget questions split per concept ("person", "event") in equal
    numbers, for methods that balance the two (the paper's joint method).
    """

    forget: Batch
    retain: Batch | None = None
    alternative: Batch | None = None
    forget_by_kind: dict[str, Batch] | None = None


class UnlearningMethod(ABC):
    """Base class: a forget loss, an optional retain loss, and what data they need.

    The total loss is ``forget_loss + retain_weight * retain_loss``; subclasses set the class
    attributes and implement ``forget_loss`` (and ``retain_loss`` when they use retain data).
    """

    #: Registry name, e.g. ``"npo"``.
    name: ClassVar[str]
    #: Display name in tables and figures, e.g. ``"NPO"``.
    label: ClassVar[str]
    #: Matplotlib colour of the method in every figure: one of ``C0`` to ``C9`` while they last, then any
    #: other colour no method has (``C7``, grey, is kept for references).
    colour: ClassVar[str]
    #: Whether the method descends on retain data (needs ``batch.retain``).
    uses_retain: ClassVar[bool] = False
    #: Whether the method compares against the frozen pre-unlearning model.
    uses_reference: ClassVar[bool] = False
    #: Whether the method trains toward refusal answers (``batch.alternative`` holds them).
    uses_refusals: ClassVar[bool] = False
    #: Whether forget batches are drawn in equal numbers per forgotten concept.
    balances_kinds: ClassVar[bool] = False

    def __init__(self, retain_weight: float = 1.0) -> None:
        self.retain_weight = check_non_negative("retain_weight", retain_weight)
        self.reference: torch.nn.Module | None = None

    def setup(self, model: torch.nn.Module, reference: torch.nn.Module | None) -> None:
        """Called once before the first step; ``reference`` is a frozen copy when requested."""
        self.reference = reference

    def alternatives(self, examples: list[Example], kinds: list[str], seed: int) -> list[Example] | None:
        """The forget questions answered the way this method trains toward (``batch.alternative``),
        or None when it uses no other answer: refusals of the matching kind when ``uses_refusals``."""
        return refusal_examples(examples, kinds, seed) if self.uses_refusals else None

    @abstractmethod
    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        """The term that removes the forget set (minimised)."""

    def retain_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        """The term that preserves everything else; only called when ``uses_retain``."""
        raise NotImplementedError(f"{self.name} uses no retain data")

    def loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> tuple[torch.Tensor, dict[str, float]]:
        """The loss to minimise on this batch, and its parts for the log."""
        forget = self.forget_loss(model, batch)
        logs = {"forget_loss": float(forget.detach())}
        if not self.uses_retain:
            return forget, logs
        retain = self.retain_loss(model, batch)
        logs["retain_loss"] = float(retain.detach())
        return forget + self.retain_weight * retain, logs

    def hyperparameters(self) -> dict[str, object]:
        """Everything that changes the result (part of the experiment cache key)."""
        params = {k: v for k, v in vars(self).items() if k != "reference" and not k.startswith("_")}
        if not self.uses_retain:
            params.pop("retain_weight", None)
        return params

    def sources(self) -> tuple[str, ...]:
        """The files whose code computes this method's loss, part of its runs' cache key: its module
        and the modules of ``pebench.unlearn`` it imports (:func:`pebench.cache.module_sources`).
        A method defined outside ``pebench`` (a notebook, a test) names the whole package; the key
        adds its own class's code (:func:`pebench.cache.class_code_digest`)."""
        try:
            return module_sources(type(self))
        except ValueError:
            return ("unlearn",)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({params})"


def refusal_examples(examples: list[Example], kinds: list[str], seed: int) -> list[Example]:
    """The same questions answered with a refusal of the matching kind (fixed by ``seed``)."""
    rng = np.random.default_rng(seed)
    pools = {"person": PERSON_REFUSALS, "event": EVENT_REFUSALS}
    return [
        Example(example.image_id, example.question, pools[kind][rng.integers(len(pools[kind]))])
        for example, kind in zip(examples, kinds)
    ]


def log_ratio(model: torch.nn.Module, reference: torch.nn.Module, batch: Batch) -> torch.Tensor:
    """Per-sequence ``log pi(y|x) - log pi_ref(y|x)``: how much more likely ``model`` makes each answer
    than the frozen reference (NPO's and DPO's losses are functions of it)."""
    log_pi = answer_log_likelihood(model, batch)[0]
    with torch.no_grad():
        log_pi_ref = answer_log_likelihood(reference, batch)[0]
    return log_pi - log_pi_ref


def check_positive(name: str, value: float) -> float:
    """Validate a hyper-parameter that must be strictly positive."""
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return float(value)


def check_non_negative(name: str, value: float) -> float:
    """Validate a hyper-parameter that must be zero or positive."""
    if not value >= 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return float(value)
