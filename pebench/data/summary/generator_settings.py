"""The procedural image generator's settings, as a table read off the generator's own code.

The paper's images come from a text-to-image model whose settings it records; ours are drawn by
code. What determines them (the image size, the attribute vocabularies of looks and scenes, the
per-image variation ranges) is read from :mod:`pebench.data.bust`, :mod:`pebench.data.render`,
:mod:`pebench.data.appearance` and the dataset, never retyped: the ranges, which are arguments
inside the drawing functions rather than constants, are read by calling those functions with a
random generator that always draws an end of its range.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pebench.data import appearance, bust, render, scenes
from pebench.data.dataset import PEBenchDataset
from pebench.data.schema import SHIRT_COLOURS
from pebench.data.summary.statistics import image_side


class _ExtremeRNG:
    """A stand-in for ``numpy.random.Generator`` whose every draw is the lower (or upper) end.

    The per-image variation ranges are arguments inside :func:`render.sample_variation` (and the
    face-width range inside :func:`appearance.person_looks`), not module constants. Calling those
    functions with this stub reads the ranges off the code itself instead of retyping them.
    A draw method the stub lacks raises ``AttributeError``, so a changed generator fails loudly.
    """

    def __init__(self, upper: bool) -> None:
        self.upper = upper

    def uniform(self, low: float = 0.0, high: float = 1.0, size: int | None = None) -> Any:
        value = high if self.upper else low
        return value if size is None else np.full(size, value, dtype=np.float64)

    def integers(self, low: int, high: int | None = None, size: int | None = None) -> Any:
        low, high = (0, low) if high is None else (low, high)
        value = high - 1 if self.upper else low
        return value if size is None else np.full(size, value, dtype=np.int64)

    def choice(self, a: int | Sequence[Any], size: int | None = None, replace: bool = True) -> Any:
        options = list(range(a)) if isinstance(a, (int, np.integer)) else list(a)
        if size is None:
            return options[-1] if self.upper else options[0]
        return np.array(options[-size:] if self.upper else options[:size])

    def permutation(self, n: int) -> np.ndarray:
        return np.arange(n)


def _numbers(value: Any) -> list[float]:
    """Every number in a (possibly nested) variation value."""
    if isinstance(value, (bool, str)):
        return []
    if isinstance(value, (int, float, np.integer, np.floating)):
        return [float(value)]
    if isinstance(value, (list, tuple, np.ndarray)):
        return [x for v in value for x in _numbers(v)]
    return []


def _span(low: Any, high: Any) -> str:
    numbers = _numbers(low) + _numbers(high)
    lo, hi = min(numbers), max(numbers)
    return f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}"


def variation_ranges() -> dict[str, str]:
    """The range of every numeric per-image variation parameter, read from ``sample_variation``."""
    low = render.sample_variation(_ExtremeRNG(upper=False))  # type: ignore[arg-type]
    high = render.sample_variation(_ExtremeRNG(upper=True))  # type: ignore[arg-type]
    return {key: _span(low[key], high[key]) for key in low if _numbers(low[key])}


def face_ratio_range() -> str:
    """The range of the face width/height ratio drawn per person, read from ``person_looks``."""
    low = appearance.person_looks(1, _ExtremeRNG(upper=False))[0]["face_ratio"]  # type: ignore[arg-type]
    high = appearance.person_looks(1, _ExtremeRNG(upper=True))[0]["face_ratio"]  # type: ignore[arg-type]
    return _span(low, high)


# What each per-image variation parameter does; parameters not listed here are shown by their key.
_VARIATION_LABELS = {
    "dx": "horizontal shift of the person (fraction of the width)",
    "dy": "vertical shift of the person (fraction of the height)",
    "scale": "size of the person (factor)",
    "tilt": "tilt of the person (degrees)",
    "brightness": "brightness (factor)",
    "noise_std": "pixel noise (standard deviation, of 255)",
    "object_count": "number of scene objects (asked by a general question)",
    "object_jitter": "scene object position jitter (fraction of the width)",
}
# Drawn per image but not a range worth a row: a seed, and slot indices (shown as "slots" below).
_VARIATION_HIDDEN = ("noise_seed", "object_slots")


def _vocabulary(options: Any) -> str:
    return ", ".join(options)


def generator_parameters(dataset: PEBenchDataset) -> pd.DataFrame:
    """The procedural generator's settings (the paper's Table 3 lists its text-to-image settings).

    Why: the paper's images come from a text-to-image model, whose settings its Table 3 records;
    ours are drawn by code, and what determines them is the image size, the attribute vocabularies
    a person's look and an event's scene are built from (a scene event's parts, or a label event's
    colours and shapes), and the per-image variation that makes a
    held-out picture of a (person, event) pair differ from the trained one. Everything is read
    from :mod:`pebench.data.bust`, :mod:`pebench.data.render` and the dataset itself.
    """
    side = image_side(dataset)
    person_vocab = {
        "skin tones": bust.SKIN_TONES,
        "hair colours": bust.HAIR_COLOURS,
        "hair styles": bust.HAIR_STYLES,
        "eye colours": bust.EYE_COLOURS,
        "accessories": bust.ACCESSORIES,
    }
    config = dataset.config or {}
    scene_events = config.get("events", "labels") == "scenes"
    if scene_events:
        scene_vocab = {
            "settings": scenes.SETTINGS,
            "objects": scenes.OBJECTS,
            "lights": scenes.LIGHTS,
            "crowds": scenes.CROWDS,
        }
    else:
        scene_vocab = {
            "sky / ground palettes": render.PALETTES,
            "ground patterns": render.GROUND_PATTERNS,
            "object shapes": render.OBJECT_SHAPES,
            "object colours": render.OBJECT_COLOURS,
        }
    rows: list[tuple[str, str, str]] = [
        ("image", "size (px)", f"{side} × {side}"),
        ("image", "drawn at", f"{render.SUPERSAMPLE}× the size, then downsampled (Lanczos)"),
        ("image", "horizon", f"{render.HORIZON:g} of the height"),
        ("image", "scene object slots", f"{len(render.OBJECT_SLOTS)} (the corners left free by the person)"),
    ]
    if "seed" in config:
        rows.append(("image", "seed", str(config["seed"])))
    for label, options in person_vocab.items():
        rows.append(("person look", f"{label} ({len(options)})", _vocabulary(options)))
    rows.append(("person look", "face width / height", face_ratio_range()))
    distinct_people = int(np.prod([len(o) for o in person_vocab.values()]))
    rows.append(("person look", "distinct looks", f"{distinct_people:,} (each person has its own)"))
    for label, options in scene_vocab.items():
        rows.append(("event scene", f"{label} ({len(options)})", _vocabulary(options)))
    if scene_events:
        parts = {(e.setting, frozenset(e.objects), e.light, e.crowd) for e in scenes.SCENE_EVENTS}
        note = f"{len(parts)} of the paper's {len(scenes.SCENE_EVENTS)} events (each its own; they share parts)"
        rows.append(("event scene", "distinct part combinations", note))
    else:
        distinct_scenes = int(np.prod([len(o) for o in scene_vocab.values()]))
        rows.append(("event scene", "distinct scenes", f"{distinct_scenes:,} (each event has its own)"))
    ranges = variation_ranges()
    for key, span in ranges.items():
        if key not in _VARIATION_HIDDEN:
            rows.append(("per image", _VARIATION_LABELS.get(key, key), span))
    rows.append(
        ("per image", f"shirt colours ({len(SHIRT_COLOURS)}; asked by a general question)", _vocabulary(SHIRT_COLOURS))
    )
    return pd.DataFrame(rows, columns=["group", "parameter", "value"]).set_index(["group", "parameter"])
