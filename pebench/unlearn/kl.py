"""KL: gradient ascent on forget plus KL(reference || current) on the retain answers."""

from __future__ import annotations

import torch

from pebench.encoding import IGNORE_INDEX
from pebench.unlearn.base import Batch, UnlearnBatch, UnlearningMethod
from pebench.unlearn.ga import ascent_loss


def answer_kl(model: torch.nn.Module, reference: torch.nn.Module, batch: Batch) -> torch.Tensor:
    """Mean over answer tokens of KL(p_reference || p_model) of the next-token distributions.

    Only positions that predict an answer token count: the prompt and image tokens are the
    same for both models and would dilute the term.
    """
    inputs = {key: value for key, value in batch.items() if key != "labels"}
    log_p = torch.log_softmax(model(**inputs).logits[:, :-1].float(), dim=-1)
    with torch.no_grad():
        log_q = torch.log_softmax(reference(**inputs).logits[:, :-1].float(), dim=-1)
    mask = (batch["labels"][:, 1:] != IGNORE_INDEX).float()
    per_token = (log_q.exp() * (log_q - log_p)).sum(-1)
    return (per_token * mask).sum() / mask.sum().clamp(min=1.0)


class KLMinimization(UnlearningMethod):
    r"""KL minimisation :cite:p:`maini2024tofu`: gradient ascent on the forget answers, while the
    next-token distributions on the retain answers stay close to the frozen model's.

    .. math::

        \mathcal{L}(\theta) = -\mathcal{L}_\mathrm{NLL}(\theta; B_f)
            + \lambda\,\frac{1}{|T_r|}\sum_{t \in T_r}
              \mathrm{KL}\big(\pi_\mathrm{ref}(\cdot \mid x, y_{<t}) \,\big\|\, \pi_\theta(\cdot \mid x, y_{<t})\big)

    with :math:`T_r` the answer positions of the retain batch; ``retain_weight`` is :math:`\lambda`.
    """

    name = "kl"
    label = "KL"
    colour = "C3"
    uses_retain = True
    uses_reference = True

    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return ascent_loss(model, batch)

    def retain_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return answer_kl(model, self.reference, batch.retain)
