"""Which property of a pretrained MLLM makes events hard to forget: the design, one element off at a time.

The simulation gives the tiny model four things a pretrained MLLM brings to PEBench
(:data:`ELEMENTS`): events it can see as scenes made of shared parts, a captioning prior over those
parts, names cut into subword pieces other names share, and a vision tower that fine-tuning and
unlearning leave alone. The ablation runs the same reduced grid on the full design and on the
design with each element switched back to its simple form, so a difference between two rows is
that one element's doing (on one base model and forget draw: the rows share both).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from pebench.arms import Arm
from pebench.pipeline import Pipeline, PipelineConfig
from pebench.study import run_grid

#: The label of the design with every element on.
FULL_DESIGN = "full design"


@dataclass(frozen=True)
class Element:
    """One property of the simulation: how to tell it is on, and the design without it."""

    name: str
    #: What the design uses instead when the element is off.
    instead: str
    is_on: Callable[[PipelineConfig], bool]
    switch_off: Callable[[PipelineConfig], PipelineConfig]

    @property
    def label(self) -> str:
        """The ablation row of the design without this element."""
        return f"without {self.name} ({self.instead})"


#: The elements, in the order the ablation switches them off.
ELEMENTS = (
    Element(
        "scene events",
        "label events",
        lambda c: c.data.events == "scenes",
        lambda c: replace(c, data=replace(c.data, events="labels")),
    ),
    Element(
        "captioning pretraining",
        "no captioned pictures",
        lambda c: c.data.caption_images > 0,
        lambda c: replace(c, data=replace(c.data, caption_images=0)),
    ),
    Element(
        "subword names",
        "one word token per name part",
        lambda c: c.model.tokenizer == "subword",
        lambda c: replace(c, model=replace(c.model, tokenizer="word")),
    ),
    Element(
        "a frozen tower",
        "tower trained throughout",
        lambda c: c.freeze_vision_tower,
        lambda c: replace(c, freeze_vision_tower=False),
    ),
)


def ablation_designs(config: PipelineConfig) -> dict[str, PipelineConfig]:
    """``config`` (which must have every element on) and, for each element, ``config`` without it,
    by ablation row label."""
    off = [element.name for element in ELEMENTS if not element.is_on(config)]
    if off:
        raise ValueError(f"the ablation starts from the full design; these elements are off: {', '.join(off)}")
    return {FULL_DESIGN: config} | {element.label: element.switch_off(config) for element in ELEMENTS}


def run_ablation(
    pipeline: Pipeline, rows: Sequence[Arm], targets: Sequence[str], seeds: Sequence[int], **grid: object
) -> pd.DataFrame:
    """:func:`pebench.study.run_grid` (same arguments) on each of :func:`ablation_designs` of
    ``pipeline``'s configuration, with a first column ``design`` (the row label)."""
    frames = []
    for label, config in ablation_designs(pipeline.config).items():
        design = Pipeline(config, root=pipeline.root, device=str(pipeline.device))
        frames.append(run_grid(design, rows, targets, seeds, **grid).assign(design=label))
    long = pd.concat(frames, ignore_index=True)
    return long[["design", *[c for c in long.columns if c != "design"]]]
