"""GD, gradient difference: gradient ascent on forget plus ordinary descent on retain."""

from __future__ import annotations

import torch

from pebench.train.stages import nll_loss
from pebench.unlearn.base import UnlearnBatch, UnlearningMethod
from pebench.unlearn.ga import ascent_loss


class GradientDifference(UnlearningMethod):
    """Minimises ``-NLL(forget) + retain_weight * NLL(retain)``."""

    name = "gd"
    label = "GD"
    colour = "C2"
    uses_retain = True

    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return ascent_loss(model, batch)

    def retain_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return nll_loss(model, batch.retain)
