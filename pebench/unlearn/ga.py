"""GA, gradient ascent: raise the NLL of the forget answers, nothing else."""

from __future__ import annotations

import torch

from pebench.train.stages import nll_loss
from pebench.unlearn.base import UnlearnBatch, UnlearningMethod


def ascent_loss(model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
    """``-NLL`` of the forget answers: the forget term that GA, GD and KL share."""
    return -nll_loss(model, batch.forget)


class GradientAscent(UnlearningMethod):
    r"""Gradient ascent on the forget answers :cite:p:`jang2023knowledge`: fast and blunt, since nothing
    holds the rest of the model in place.

    .. math::

        \mathcal{L}(\theta) = -\mathcal{L}_\mathrm{NLL}(\theta; B_f)
    """

    name = "ga"
    label = "GA"
    colour = "C1"

    def __init__(self) -> None:
        super().__init__(retain_weight=0.0)

    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return ascent_loss(model, batch)
