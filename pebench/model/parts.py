"""The components of a LLaVA model (tiny or real), and freezing the vision tower.

LLaVA-1.5 trains its CLIP vision tower once, before the paper's stages, and keeps it frozen while
the projector and the language model are fine-tuned (Liu et al., 2024); unlearning then starts from
that model. :func:`freeze_vision_tower` gives the tiny model the same regime after its pretraining.
"""

from __future__ import annotations

import torch

#: The parts of a LLaVA model, from the image to the output.
COMPONENTS = ("vision_tower", "multi_modal_projector", "language_model", "lm_head")


def component(model: torch.nn.Module, name: str) -> torch.nn.Module:
    """The ``name`` component (:data:`COMPONENTS`) of any ``LlavaForConditionalGeneration``."""
    if name not in COMPONENTS:
        raise ValueError(f"component must be one of {COMPONENTS}, got {name!r}")
    return getattr(model, name, None) or getattr(model.model, name)


def freeze_vision_tower(model: torch.nn.Module) -> torch.nn.Module:
    """Stop training ``model``'s vision tower (in place); every other weight keeps its flag."""
    component(model, "vision_tower").requires_grad_(False)
    return model
