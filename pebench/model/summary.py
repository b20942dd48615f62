"""Parameter counts per LLaVA component, for the book's model table and the GPU estimates."""

from __future__ import annotations

import torch

COMPONENTS = ("vision_tower", "multi_modal_projector", "language_model", "lm_head")


def parameter_counts(model: torch.nn.Module) -> dict[str, int]:
    """Parameters of the vision tower, projector, language model and output head, and the total.

    Works on any ``LlavaForConditionalGeneration`` (tiny or real); tied weights count once.
    """
    seen: set[int] = set()
    counts: dict[str, int] = {}
    for name in COMPONENTS:
        module = getattr(model, name, None) or getattr(model.model, name)
        unique = [p for p in module.parameters() if id(p) not in seen]
        seen.update(id(p) for p in unique)
        counts[name] = sum(p.numel() for p in unique)
    counts["total"] = sum(counts.values())
    return counts
