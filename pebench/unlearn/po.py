"""PO, preference optimisation toward refusals: learn to say "I do not know" to forget questions."""

from __future__ import annotations

import torch

from pebench.train.stages import nll_loss
from pebench.unlearn.base import UnlearnBatch, UnlearningMethod


class PreferenceOptimization(UnlearningMethod):
    """Minimises ``NLL(refusal | forget question) + retain_weight * NLL(retain)``.

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
