"""SimNPO (Fan et al., 2024): NPO without a reference model, with length normalisation."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pebench.inference import answer_log_likelihood
from pebench.train.stages import nll_loss
from pebench.unlearn.base import UnlearnBatch, UnlearningMethod, check_non_negative, check_positive


class SimNPO(UnlearningMethod):
    r"""SimNPO :cite:p:`fan2024simnpo`: NPO without a reference model, with length normalisation.

    .. math::

        \mathcal{L}(\theta) = -\frac{2}{\beta}\,\mathbb{E}_{(x, y) \in B_f}
            \log\sigma\Big(-\frac{\beta}{|y|}\log\pi_\theta(y \mid x) - \gamma\Big)
            + \lambda\,\mathcal{L}_\mathrm{NLL}(\theta; B_r)

    ``beta`` is :math:`\beta`, ``gamma`` is :math:`\gamma`, ``retain_weight`` is :math:`\lambda`.

    The reference model's log-likelihood is replaced by a margin ``gamma`` and the answer length
    normalises the log-likelihood, so long and short answers are forgotten at the same pace.
    """

    name = "simnpo"
    label = "SimNPO"
    colour = "C6"
    uses_retain = True

    def __init__(self, beta: float = 2.5, gamma: float = 0.0, retain_weight: float = 1.0) -> None:
        super().__init__(retain_weight=retain_weight)
        self.beta = check_positive("beta", beta)
        self.gamma = check_non_negative("gamma", gamma)

    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        log_pi, length = answer_log_likelihood(model, batch.forget)
        normalised = log_pi / length.clamp(min=1)
        return -(2.0 / self.beta) * F.logsigmoid(-self.beta * normalised - self.gamma).mean()

    def retain_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return nll_loss(model, batch.retain)
