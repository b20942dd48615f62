r"""The paper's remedy for forgetting persons and events at once: a balanced wrapper of GD, KL or NPO.

Forgetting a person and forgetting an event pull the shared image representation in different
directions, and with plain sampling the concept with more (or easier) forget data dominates the
update. The paper balances the two objectives: its description names *data balancing* (forget
batches hold person and event questions in equal numbers) and *task balancing* (a forget term per
concept); the equations were not reachable, so this is our reading, and the book says so.

Task balancing here averages the concepts' forget terms, each divided by its value at the first
step and multiplied by the mean of those first values:

.. math::

    L_\text{forget} = \bar{s} \cdot \frac{1}{K} \sum_{k=1}^{K} \frac{L_k}{|L_k^{(0)}|},
    \qquad \bar{s} = \frac{1}{K} \sum_{k=1}^{K} |L_k^{(0)}|,

with :math:`L_k` the base method's forget loss on concept :math:`k`'s half of the batch. Why this
form: dividing by the first value makes each concept progress at the same *relative* rate, whatever
its scale (a well-fitted concept has a small loss); averaging rather than summing, and the factor
:math:`\bar{s}`, keep the forget term at the base method's own scale at the start, so the base's
forget:retain ratio is unchanged and balancing moves weight between the concepts without adding
forget pressure. (A first reading summed the two terms, each rescaled at every step to the mean
magnitude: that doubled the forget pressure and kept re-weighting toward whichever concept was
fitted best, so at a saturated budget it could only add damage.)
"""

from __future__ import annotations

import torch

from pebench.encoding import Example
from pebench.unlearn.base import UnlearnBatch, UnlearningMethod

BALANCEABLE = ("gd", "kl", "npo")


class Balanced(UnlearningMethod):
    r"""The paper's joint method :cite:p:`xu2025pebench`, in our reading (the module's docstring says
    why this form): a base method's forget term per concept, balanced.

    .. math::

        \mathcal{L}(\theta) = \bar s\,\frac{1}{K}\sum_{k=1}^{K}\frac{L_k(\theta)}{|L_k^{(0)}|}
            + \lambda\,R(\theta),
        \qquad \bar s = \frac{1}{K}\sum_{k=1}^{K}|L_k^{(0)}|

    with :math:`L_k` the base method's forget term on concept :math:`k`'s equal share of the forget
    batch, :math:`L_k^{(0)}` its value at the first step (held fixed) and :math:`R` the base's retain
    term. ``base`` is the base method (``gd``, ``kl`` or ``npo``); the other hyper-parameters are the
    base's.
    """

    name = "balanced"
    label = "Balanced"
    colour = "C8"
    balances_kinds = True

    def __init__(self, base: str = "gd", **base_hyperparameters: float) -> None:
        from pebench.unlearn.registry import make_method  # the registry lists this class too

        if base not in BALANCEABLE:
            raise ValueError(f"base must be one of {BALANCEABLE}, got {base!r}")
        self.base = make_method(base, **base_hyperparameters)
        super().__init__(retain_weight=self.base.retain_weight)
        self.uses_retain = self.base.uses_retain
        self.uses_reference = self.base.uses_reference

        self._initial: list[torch.Tensor] | None = None

    def setup(self, model: torch.nn.Module, reference: torch.nn.Module | None) -> None:
        super().setup(model, reference)
        self.base.setup(model, reference)
        self._initial = None

    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        if not batch.forget_by_kind:
            raise ValueError("the balanced method needs forget batches per concept (forget_by_kind)")
        losses = [self.base.forget_loss(model, UnlearnBatch(forget=part)) for part in batch.forget_by_kind.values()]
        if self._initial is None:
            self._initial = [loss.detach().abs().clamp(min=1e-6) for loss in losses]
        scale = sum(self._initial) / len(self._initial)
        return scale * sum(loss / initial for loss, initial in zip(losses, self._initial)) / len(losses)

    def retain_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        return self.base.retain_loss(model, batch)

    def alternatives(self, examples: list[Example], kinds: list[str], seed: int) -> list[Example] | None:
        return self.base.alternatives(examples, kinds, seed)

    def sources(self) -> tuple[str, ...]:
        """This wrapper's module and its base method's."""
        return tuple(sorted({*super().sources(), *self.base.sources()}))

    def hyperparameters(self) -> dict[str, object]:
        return {"base": self.base.name, **self.base.hyperparameters()}
