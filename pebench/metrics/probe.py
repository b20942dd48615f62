"""Efficacy and retain along an unlearning run, measured on a small fixed probe set.

The final metrics (:mod:`pebench.metrics.suite`) say where a run ends; the probe says how it got
there, so a chapter can compare runs at every budget up to the one they ran (forgetting one concept
against forgetting both, a method against its balanced version) without a run per budget. It scores
answers the way the suite does (:func:`pebench.metrics.quality.answer_quality`), on at most
``size`` forget and ``size`` retain questions per forgotten kind, drawn once with a fixed seed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from pebench.data import QAItem
from pebench.encoding import Encoder
from pebench.metrics.predictions import answer_budget, predict
from pebench.metrics.quality import answer_quality
from pebench.targets import ForgetSplit

#: Questions per probe group: a probe costs about a twentieth of a run's final evaluation.
PROBE_SIZE = 16
#: Prefix of the probe's numbers in a run's history (``probe_person_efficacy``, ...).
PREFIX = "probe_"


def probe_groups(split: ForgetSplit, size: int = PROBE_SIZE) -> dict[str, list[QAItem]]:
    """``{kind}_efficacy`` (forget questions on training images) and ``{kind}_retain`` per forgotten kind."""
    rng = np.random.default_rng(0)
    groups = {}
    for kind in split.spec.kinds:
        for name, items in ((f"{kind}_efficacy", split.forget(kind, "train")), (f"{kind}_retain", split.retain(kind))):
            picks = sorted(rng.choice(len(items), size=min(size, len(items)), replace=False))
            groups[name] = [items[i] for i in picks]
    return groups


def progress_probe(model: torch.nn.Module, encoder: Encoder, split: ForgetSplit) -> Callable[[], dict[str, float]]:
    """A function measuring ``model`` now: ``probe_{kind}_efficacy`` (1 - quality), the same by the
    second scorers (``probe_{kind}_efficacy_second``, which the chance scale reads) and
    ``probe_{kind}_retain``."""
    groups = probe_groups(split)
    items = [item for group in groups.values() for item in group]
    budget = answer_budget(encoder, split.dataset)
    keywords = split.dataset.keywords()

    def measure() -> dict[str, float]:
        table = predict(model, encoder, items, max_new_tokens=budget, keywords=keywords)
        values, start = {}, 0
        for name, group in groups.items():
            answers = table.iloc[start : start + len(group)]
            if name.endswith("efficacy"):
                values[PREFIX + name] = 1.0 - answer_quality(answers)
                values[f"{PREFIX}{name}_second"] = 1.0 - answer_quality(answers, "second")
            else:
                values[PREFIX + name] = answer_quality(answers)
            start += len(group)
        return values

    return measure
