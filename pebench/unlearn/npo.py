"""NPO, negative preference optimisation (Zhang et al., 2024), with a retain term."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pebench.train.stages import nll_loss
from pebench.unlearn.base import UnlearnBatch, UnlearningMethod, check_positive, log_ratio


class NegativePreferenceOptimization(UnlearningMethod):
    r"""Negative preference optimisation :cite:p:`zhang2024npo`: the forget answers are pushed below
    the frozen model's likelihood, by a loss that is bounded below.

    .. math::

        \mathcal{L}(\theta) = -\frac{2}{\beta}\,\mathbb{E}_{(x, y) \in B_f}
            \log\sigma\big(-\beta\,\rho_\theta(x, y)\big) + \lambda\,\mathcal{L}_\mathrm{NLL}(\theta; B_r)

    ``beta`` is :math:`\beta`, ``retain_weight`` is :math:`\lambda`.

    Sequence-level log-ratio against the frozen pre-unlearning model. Unlike GA the forget term
    is bounded below, so it slows down once the forget answers are unlikely: less collapse.
    When the model equals the reference the forget term is ``(2/beta) * log 2``.
    """

    name = "npo"
    label = "NPO"
    colour = "C5"
    uses_retain = True
    uses_reference = True

    def __init__(self, beta: float = 0.1, retain_weight: float = 1.0) -> None:
        super().__init__(retain_weight=retain_weight)
        self.beta = check_positive("beta", beta)

    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        ratio = log_ratio(model, self.reference, batch.forget)
        return -(2.0 / self.beta) * F.logsigmoid(-self.beta * ratio).mean()

    def retain_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return nll_loss(model, batch.retain)
