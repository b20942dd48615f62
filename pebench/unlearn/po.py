"""PO, preference optimisation toward refusals: learn to say "I do not know" to forget questions."""

from __future__ import annotations

import torch

from pebench.train.stages import nll_loss
from pebench.unlearn.base import UnlearnBatch, UnlearningMethod


class PreferenceOptimization(UnlearningMethod):
    r"""Preference optimisation toward refusals :cite:p:`maini2024tofu`: the forget questions are
    answered with a refusal :math:`\tilde y` ("I do not know") and the model learns that answer.

    .. math::

        \mathcal{L}(\theta) = \mathcal{L}_\mathrm{NLL}(\theta; \tilde B_f) + \lambda\,\mathcal{L}_\mathrm{NLL}(\theta; B_r)

    with :math:`\tilde B_f` the forget questions with refusal answers; ``retain_weight`` is :math:`\lambda`.

    The forget answers are replaced by refusals (``pebench.refusals``), so the model is taught an
    alternative rather than pushed away from the truth: gentle on the rest of the model, but the
    knowledge may remain underneath.
    """

    name = "po"
    label = "PO"
    colour = "C4"
    uses_retain = True
    uses_refusals = True

    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return nll_loss(model, batch.alternative)

    def retain_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return nll_loss(model, batch.retain)
