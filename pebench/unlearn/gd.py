"""GD, gradient difference: gradient ascent on forget plus ordinary descent on retain."""

from __future__ import annotations

import torch

from pebench.train.stages import nll_loss
from pebench.unlearn.base import UnlearnBatch, UnlearningMethod
from pebench.unlearn.ga import ascent_loss


class GradientDifference(UnlearningMethod):
    r"""Gradient difference :cite:p:`liu2022continual,maini2024tofu`: gradient ascent on the forget
    answers, ordinary descent on the retain answers.

    .. math::

        \mathcal{L}(\theta) = -\mathcal{L}_\mathrm{NLL}(\theta; B_f) + \lambda\,\mathcal{L}_\mathrm{NLL}(\theta; B_r)

    ``retain_weight`` is :math:`\lambda`.
    """

    name = "gd"
    label = "GD"
    colour = "C2"
    uses_retain = True

    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return ascent_loss(model, batch)

    def retain_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return nll_loss(model, batch.retain)
