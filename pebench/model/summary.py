"""Parameter counts per LLaVA component, for the book's model table and the GPU estimates."""

from __future__ import annotations

import pandas as pd
import torch

from pebench.model.parts import COMPONENTS, component


def parameter_counts(model: torch.nn.Module) -> dict[str, int]:
    """Parameters of the vision tower, projector, language model and output head, and the total.

    Works on any ``LlavaForConditionalGeneration`` (tiny or real); tied weights count once.
    """
    seen: set[int] = set()
    counts: dict[str, int] = {}
    for name in COMPONENTS:
        module = component(model, name)
        unique = [p for p in module.parameters() if id(p) not in seen]
        seen.update(id(p) for p in unique)
        counts[name] = sum(p.numel() for p in unique)
    counts["total"] = sum(counts.values())
    return counts


#: The display name of each component in the book's model table.
COMPONENT_NAMES = {
    "vision_tower": "vision tower (CLIP)",
    "multi_modal_projector": "projector",
    "language_model": "language model (Llama)",
    "lm_head": "output head",
    "total": "total",
}


def parameter_table(model: torch.nn.Module) -> pd.DataFrame:
    """:func:`parameter_counts` as a table: one row per component, then the total."""
    counts = parameter_counts(model)
    return pd.DataFrame(
        {"component": list(COMPONENT_NAMES.values()), "parameters": [counts[key] for key in COMPONENT_NAMES]}
    ).set_index("component")
