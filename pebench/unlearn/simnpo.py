"""SimNPO (Fan et al., 2024): NPO without a reference model, with length normalisation."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pebench.inference import answer_log_likelihood
from pebench.train.stages import nll_loss
from pebench.unlearn.base import UnlearnBatch, UnlearningMethod, check_non_negative, check_positive


class SimNPO(UnlearningMethod):
    """Minimises ``-(2/beta) E[log sigmoid(-beta * log pi(y|x) / |y| - gamma)] + retain NLL``.

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
