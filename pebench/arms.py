"""The rows of a comparison: a method (or one of the paper's two bounds) under its display name.

A chapter compares *arms*: a registered unlearning method with fixed hyper-parameters, or one of
the paper's bounds, Finetune (the model before unlearning) and Goal (the retrain oracle). Display
names are read from the method classes (``UnlearningMethod.label``), so a newly registered method
is named the same way in every table and figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pebench.unlearn import METHODS

#: The bounds' display names: the paper's Finetune row and its Goal row (the retrain oracle).
BOUND_LABELS = {"finetune": "Finetune", "retrain": "Goal (retrain)"}


def method_label(method: str) -> str:
    """The display name of a bound or a registered method (read from its class when asked, so a
    newly registered method has its label everywhere)."""
    if method in BOUND_LABELS:
        return BOUND_LABELS[method]
    return METHODS[method].label if method in METHODS else method


@dataclass(frozen=True)
class Arm:
    """One row of a comparison: a method with fixed hyper-parameters, under a display label."""

    method: str
    hyperparameters: Mapping[str, object] = field(default_factory=dict)
    label: str | None = None

    @property
    def name(self) -> str:
        return self.label or method_label(self.method)


#: Display names in the order of the paper's tables (bounds first and last), from the method classes.
LABELS = {method: method_label(method) for method in ("finetune", *METHODS, "retrain")}


def arms(methods: Iterable[str]) -> list[Arm]:
    """Default-hyper-parameter arms for method names."""
    return [Arm(method) for method in methods]


def bounded(methods: Iterable[str]) -> list[Arm]:
    """The paper's row order: Finetune, then ``methods``, then Goal (retrain)."""
    return arms(["finetune", *methods, "retrain"])


def balanced_label(base: str) -> str:
    """The display name of the paper's balanced wrapper of ``base`` (``GD + balanced``; the paper's ``GD+BGD``)."""
    return f"{method_label(base)} + balanced"


def balanced_arms(bases: Iterable[str]) -> list[Arm]:
    """Each base method followed by the paper's balanced wrapper of it (``GD``, ``GD + balanced``, ...),
    the arms of the joint-unlearning comparison (Table 2)."""
    rows = []
    for base in bases:
        rows += [Arm(base), Arm("balanced", {"base": base}, balanced_label(base))]
    return rows
