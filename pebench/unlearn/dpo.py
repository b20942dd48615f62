"""DPO, direct preference optimisation (Rafailov et al., 2023) with refusals as the preferred answers.

One of the paper's six methods (its Table 1): the forget question's refusal is the preferred
answer :math:`y_w`, its true answer the rejected one :math:`y_l`, both against the frozen
pre-unlearning model :math:`\\pi_\\text{ref}`:

.. math::

    L_\\text{forget} = -\\frac{2}{\\beta}\\,\\mathbb{E}\\log\\sigma\\Big(\\beta\\big[
        \\log\\tfrac{\\pi(y_w\\mid x)}{\\pi_\\text{ref}(y_w\\mid x)}
        - \\log\\tfrac{\\pi(y_l\\mid x)}{\\pi_\\text{ref}(y_l\\mid x)}\\big]\\Big).

The factor :math:`2/\\beta` is NPO's normalisation (Zhang et al., 2024), not DPO's: at the start
the gradient is then that of gradient ascent on :math:`y_l` plus descent on :math:`y_w`, so DPO
moves at the learning rate every method shares instead of :math:`\\beta/2` times slower. The retain
term is the NLL on retain questions, as for PO; the paper's exact form was not reachable, so this is
our reading.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pebench.train.stages import nll_loss
from pebench.unlearn.base import UnlearnBatch, UnlearningMethod, check_positive, log_ratio


class DirectPreferenceOptimization(UnlearningMethod):
    r"""Direct preference optimisation :cite:p:`rafailov2023dpo` with refusals preferred over the true
    answers, in our reading. The refusal :math:`\tilde y` is preferred, the true answer :math:`y`
    rejected; the module's docstring says why the factor :math:`2/\beta`.

    .. math::

        \mathcal{L}(\theta) = -\frac{2}{\beta}\,\mathbb{E}_{(x, y) \in B_f}
            \log\sigma\big(\beta\,[\rho_\theta(x, \tilde y) - \rho_\theta(x, y)]\big)
            + \lambda\,\mathcal{L}_\mathrm{NLL}(\theta; B_r)

    ``beta`` is :math:`\beta`, ``retain_weight`` is :math:`\lambda`.

    Unlike PO it pushes the true answer down as well as the refusal up, and unlike NPO the push
    stops once the refusal is preferred by a margin, whatever the answer's own likelihood.
    At the reference the forget term is ``(2/beta) * log 2``.
    """

    name = "dpo"
    label = "DPO"
    colour = "C9"
    uses_retain = True
    uses_reference = True
    uses_refusals = True

    def __init__(self, beta: float = 0.1, retain_weight: float = 1.0) -> None:
        super().__init__(retain_weight=retain_weight)
        self.beta = check_positive("beta", beta)

    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        preferred = log_ratio(model, self.reference, batch.alternative)
        rejected = log_ratio(model, self.reference, batch.forget)
        return -(2.0 / self.beta) * F.logsigmoid(self.beta * (preferred - rejected)).mean()

    def retain_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return nll_loss(model, batch.retain)
