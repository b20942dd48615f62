"""The paper's remedy for forgetting persons and events at once: a balanced wrapper of GD or KL.

Forgetting a person and forgetting an event pull the shared image representation in
different directions, and with plain sampling the concept with more (or easier) forget data
dominates the update. The paper balances the two objectives; we implement that as (1) forget
batches drawn in equal numbers from person and event questions and (2) each concept's forget
loss rescaled to the mean magnitude of the two (weights are detached), on top of the base
method's own retain term. PAPER.md marks the exact form "to confirm"; the book says so.
"""

from __future__ import annotations

import torch

from pebench.unlearn.base import UnlearnBatch, UnlearningMethod

BALANCEABLE = ("gd", "kl", "npo")


class Balanced(UnlearningMethod):
    """``sum_k w_k * forget_loss_k + retain term of base``, ``w_k = mean_j |L_j| / |L_k|`` (detached)."""

    name = "balanced"
    label = "Balanced"
    colour = "C8"
    balances_kinds = True

    def __init__(self, base: str = "gd", **base_hyperparameters: float) -> None:
        from pebench.unlearn.registry import make_method  # the registry lists this class too

        if base not in BALANCEABLE:
            raise ValueError(f"base must be one of {BALANCEABLE}, got {base!r}")
        self.base = make_method(base, **base_hyperparameters)
        super().__init__(retain_weight=self.base.retain_weight)
        self.uses_retain = self.base.uses_retain
        self.uses_reference = self.base.uses_reference

    def setup(self, model: torch.nn.Module, reference: torch.nn.Module | None) -> None:
        super().setup(model, reference)
        self.base.setup(model, reference)

    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        if not batch.forget_by_kind:
            raise ValueError("the balanced method needs forget batches per concept (forget_by_kind)")
        losses = [self.base.forget_loss(model, UnlearnBatch(forget=part)) for part in batch.forget_by_kind.values()]
        magnitudes = [loss.detach().abs().clamp(min=1e-6) for loss in losses]
        mean = sum(magnitudes) / len(magnitudes)
        return sum(loss * (mean / magnitude) for loss, magnitude in zip(losses, magnitudes))

    def retain_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return self.base.retain_loss(model, batch)

    def hyperparameters(self) -> dict[str, object]:
        return {"base": self.base.name, **self.base.hyperparameters()}
