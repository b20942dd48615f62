"""RMU, representation misdirection (Li et al., 2024, the WMDP paper), adapted to a LLaVA decoder.

On forget inputs a middle decoder layer's activations are pushed toward a fixed random direction
scaled by ``steering``; on retain inputs they are held at the frozen model's activations. The model
loses the ability to *compute* the forgotten answer rather than being taught a different one.
"""

from __future__ import annotations

import torch

from pebench.unlearn.base import Batch, UnlearnBatch, UnlearningMethod, check_positive


def layer_activations(model: torch.nn.Module, batch: Batch, layer: int) -> torch.Tensor:
    """Hidden states after decoder layer ``layer`` (0 = embeddings) for every attended token."""
    inputs = {key: value for key, value in batch.items() if key != "labels"}
    hidden = model(**inputs, output_hidden_states=True).hidden_states[layer]
    return hidden[batch["attention_mask"].bool()]


class RepresentationMisdirection(UnlearningMethod):
    r"""Representation misdirection :cite:p:`li2024wmdp`, adapted to a LLaVA decoder (the module's
    docstring says how).

    .. math::

        \mathcal{L}(\theta) = \mathbb{E}_{B_f}\,\big\lVert h^\theta_\ell - c\,u \big\rVert^2
            + \lambda\,\mathbb{E}_{B_r}\,\big\lVert h^\theta_\ell - h^\mathrm{ref}_\ell \big\rVert^2

    with :math:`h_\ell` the hidden state after decoder layer :math:`\ell` at every attended token
    (a mean over its coordinates) and :math:`u` a fixed random unit vector drawn from ``seed``;
    ``layer`` is :math:`\ell`, ``steering`` is :math:`c`, ``retain_weight`` is :math:`\lambda`.
    """

    name = "rmu"
    label = "RMU"
    colour = "C0"
    uses_retain = True
    uses_reference = True

    def __init__(self, layer: int = 2, steering: float = 5.0, retain_weight: float = 1.0, seed: int = 0) -> None:
        super().__init__(retain_weight=retain_weight)
        self.layer = int(layer)
        self.steering = check_positive("steering", steering)
        self.seed = int(seed)
        self._direction: torch.Tensor | None = None

    def setup(self, model: torch.nn.Module, reference: torch.nn.Module | None) -> None:
        super().setup(model, reference)
        config = model.config.get_text_config()
        if not 0 < self.layer <= config.num_hidden_layers:
            raise ValueError(f"layer must be in 1..{config.num_hidden_layers} for this model, got {self.layer}")
        generator = torch.Generator().manual_seed(self.seed)
        direction = torch.rand(config.hidden_size, generator=generator)
        self._direction = (direction / direction.norm()).to(next(model.parameters()).device)

    def forget_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        hidden = layer_activations(model, batch.forget, self.layer).float()
        return ((hidden - self.steering * self._direction) ** 2).mean()

    def retain_loss(self, model: torch.nn.Module, batch: UnlearnBatch) -> torch.Tensor:
        hidden = layer_activations(model, batch.retain, self.layer).float()
        with torch.no_grad():
            frozen = layer_activations(self.reference, batch.retain, self.layer).float()
        return ((hidden - frozen) ** 2).mean()
