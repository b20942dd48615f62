"""Procedural drawing of one person in one event scene (numpy + PIL only).

The model sees 32x32 images by default, so identity and scene must survive at that
size mostly as colour and coarse shape: the person (:mod:`pebench.data.bust`) is a
large bust in the middle, about half the frame. A *label* event (:mod:`pebench.data.taxonomy`)
is the background palette, the ground pattern and the colour/shape of the scene objects drawn
in the side columns the person leaves free; a *scene* event (:mod:`pebench.data.scenes`) is
its setting, light, crowd and two kinds of object, drawn by :mod:`pebench.data.scenery`.
Everything is drawn at 4x the target size and downsampled with LANCZOS, which keeps small
images clean.

Colour tables live with the drawing code because they are rendering choices; the
attribute and scene specs stored in a dataset only name entries of these tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from pebench.data import scenery
from pebench.data.bust import draw_bust
from pebench.data.pen import RGB, Pen
from pebench.data.schema import COUNT_WORDS, SHIRT_COLOURS

# (sky, ground): muted or pastel so no palette is mistaken for a saturated shirt colour.
PALETTES: dict[str, tuple[RGB, RGB]] = {
    "dawn": ((250, 205, 175), (125, 90, 60)),
    "noon": ((150, 195, 235), (120, 165, 95)),
    "dusk": ((95, 75, 135), (70, 55, 65)),
    "night": ((20, 25, 55), (55, 70, 55)),
    "desert": ((240, 230, 190), (210, 170, 110)),
    "snow": ((195, 210, 230), (245, 245, 250)),
    "hall": ((205, 192, 168), (140, 100, 70)),
    "lab": ((190, 232, 222), (150, 155, 165)),
    "ocean": ((175, 222, 242), (40, 105, 145)),
    "forest": ((205, 222, 190), (45, 80, 45)),
    "storm": ((120, 125, 135), (85, 90, 80)),
    "rose": ((215, 140, 150), (80, 60, 90)),
}
GROUND_PATTERNS = ("plain", "stripes", "checks", "dots", "gradient", "diagonal")
OBJECT_COLOURS: dict[str, RGB] = {
    "white": (250, 250, 250),
    "black": (15, 15, 15),
    "cyan": (0, 225, 235),
    "pink": (255, 120, 205),
    "brown": (125, 70, 25),
}

HORIZON = 0.6  # fraction of the height where the ground starts
#: Object centres (x, y) in the side columns left free by the person, in [0, 1] units;
#: one slot per possible count (COUNT_WORDS).
OBJECT_SLOTS = ((0.12, 0.2), (0.88, 0.2), (0.12, 0.76), (0.88, 0.76))
_OBJECT_RADIUS = 0.085
# Unit outlines (in [-1, 1]^2) of the polygonal object shapes; "circle" is an ellipse.
_SHAPES: dict[str, tuple[tuple[float, float], ...]] = {
    "square": ((-1, -1), (1, -1), (1, 1), (-1, 1)),
    "triangle": ((0, -1), (1, 1), (-1, 1)),
    "diamond": ((0, -1), (1, 0), (0, 1), (-1, 0)),
    "bar": ((-0.5, -1), (0.5, -1), (0.5, 1), (-0.5, 1)),
    "cross": (
        (-0.35, -1),
        (0.35, -1),
        (0.35, -0.35),
        (1, -0.35),
        (1, 0.35),
        (0.35, 0.35),
        (0.35, 1),
        (-0.35, 1),
        (-0.35, 0.35),
        (-1, 0.35),
        (-1, -0.35),
        (-0.35, -0.35),
    ),
}
OBJECT_SHAPES = ("circle", *_SHAPES)
SUPERSAMPLE = 4


def sample_variation(rng: np.random.Generator) -> dict[str, Any]:
    """Draw one image's nuisance parameters and its general-task properties.

    Position, scale, tilt, lighting and noise make train and held-out pictures of the
    same (person, event) pair differ; shirt colour and object count are what the
    general questions ask about, random per image so they test a skill.
    """
    count = int(rng.integers(1, len(COUNT_WORDS) + 1))
    return {
        "dx": float(rng.uniform(-0.03, 0.03)),
        "dy": float(rng.uniform(-0.02, 0.02)),
        "scale": float(rng.uniform(0.92, 1.08)),
        "tilt": float(rng.uniform(-8.0, 8.0)),
        "brightness": float(rng.uniform(0.85, 1.15)),
        "noise_std": 4.0,
        "noise_seed": int(rng.integers(2**31)),
        "shirt_colour": SHIRT_COLOURS[int(rng.integers(len(SHIRT_COLOURS)))],
        "object_count": count,
        "object_slots": sorted(int(i) for i in rng.choice(len(OBJECT_SLOTS), size=count, replace=False)),
        "object_jitter": [[float(v) for v in rng.uniform(-0.025, 0.025, size=2)] for _ in range(count)],
    }


def _shade(colour: RGB, factor: float) -> RGB:
    """Blend towards black (factor < 0) or white (factor > 0)."""
    target = 255 if factor > 0 else 0
    return tuple(int(round(c + (target - c) * abs(factor))) for c in colour)  # type: ignore[return-value]


def _luma(colour: RGB) -> float:
    return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]


def _draw_background(canvas: np.ndarray, sky: RGB, ground: RGB, pattern: str) -> None:
    """Fill sky and patterned ground directly in the pixel array."""
    s = canvas.shape[0]
    accent = np.array(_shade(ground, 0.4 if _luma(ground) < 128 else -0.35), dtype=np.float32)
    h = int(round(HORIZON * s))
    canvas[:h] = sky
    canvas[h:] = ground
    yy, xx = np.mgrid[h:s, 0:s] / s
    cell = 0.1
    if pattern == "stripes":
        mask = ((yy - HORIZON) // (cell / 2)) % 2 == 1
    elif pattern == "checks":
        mask = ((xx // cell) + ((yy - HORIZON) // cell)) % 2 == 1
    elif pattern == "dots":
        fx, fy = (xx % cell) / cell - 0.5, ((yy - HORIZON) % cell) / cell - 0.5
        mask = fx**2 + fy**2 < 0.09
    elif pattern == "diagonal":
        mask = ((xx + yy) // (cell * 0.7)) % 2 == 1
    elif pattern == "gradient":
        t = ((yy - HORIZON) / (1 - HORIZON))[..., None]
        canvas[h:] = (1 - t) * np.array(ground, np.float32) + t * accent
        return
    elif pattern == "plain":
        return
    else:
        raise ValueError(f"unknown ground_pattern {pattern!r}; expected one of {GROUND_PATTERNS}")
    canvas[h:][mask] = accent


def _draw_object(pen: Pen, shape: str, x: float, y: float, r: float, fill: RGB) -> None:
    """One scene object, outlined in black or white so it stands out from any background."""
    outline = (0, 0, 0) if _luma(fill) > 110 else (255, 255, 255)
    if shape == "circle":
        pen.ellipse(x, y, r, r, fill, outline=outline, width=0.012)
    elif shape in _SHAPES:
        pen.polygon([(x + u * r, y + v * r) for u, v in _SHAPES[shape]], fill, outline=outline, width=0.012)
    else:
        raise ValueError(f"unknown object_shape {shape!r}; expected one of {OBJECT_SHAPES}")


def render_image(
    person_attrs: dict[str, Any], scene: dict[str, Any], variation: dict[str, Any], size: int
) -> Image.Image:
    """Render one ``size`` x ``size`` RGB picture of a person in an event scene.

    ``variation`` comes from :func:`sample_variation`; the same three inputs always
    give the same pixels.
    """
    s = size * SUPERSAMPLE
    canvas = np.empty((s, s, 3), dtype=np.float32)
    compositional = "setting" in scene  # a scene event (pebench.data.scenes), else a label event
    if compositional:
        sky, ground, pattern, _ = scenery.SETTING_LOOKS[scene["setting"]]
        _draw_background(canvas, sky, ground, pattern)
        behind = Image.fromarray(canvas.round().astype(np.uint8))
        pen = Pen(behind)
        scenery.draw_backdrop(pen, scene["setting"], HORIZON)
        scenery.draw_crowd(pen, scene["crowd"], HORIZON)
        canvas = np.asarray(behind, dtype=np.float32).copy()
        scenery.apply_light(canvas, scene["light"])
    else:
        sky, ground = PALETTES[scene["palette"]]
        _draw_background(canvas, sky, ground, scene["ground_pattern"])
    image = Image.fromarray(canvas.round().astype(np.uint8)).convert("RGBA")

    image.alpha_composite(draw_bust(s, person_attrs, variation))
    # Objects go on top: a tilted shoulder may brush a slot, and the count must stay visible.
    pen = Pen(image)
    for i, (slot, (jx, jy)) in enumerate(zip(variation["object_slots"], variation["object_jitter"])):
        x, y = OBJECT_SLOTS[slot]
        if compositional:  # the event's two kinds of object alternate
            scenery.draw_object(pen, scene["objects"][i % 2], x + jx, y + jy)
        else:
            _draw_object(
                pen, scene["object_shape"], x + jx, y + jy, _OBJECT_RADIUS, OBJECT_COLOURS[scene["object_colour"]]
            )

    small = np.asarray(image.convert("RGB").resize((size, size), Image.LANCZOS), dtype=np.float32)
    noise = np.random.default_rng(variation["noise_seed"]).normal(0.0, variation["noise_std"], small.shape)
    out = np.clip(small * variation["brightness"] + noise, 0, 255).round().astype(np.uint8)
    return Image.fromarray(out)
