"""Drawing a person: a parametric face and bust whose look is the person's identity.

At 32 px the identity has to be carried by large areas of colour and coarse shape:
skin tone (face), hair colour and style (the top and sides of the head, plus brows
so that bald persons still show a hair colour), accessory (dark frames, hat,
headband...), face width. Eyes are about a pixel wide there and only a weak cue.
The shirt is not identity: its colour varies per image and is asked about by the
general-capability question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from pebench.data.pen import RGB, Pen
from pebench.data.schema import SHIRT_COLOURS

SKIN_TONES: dict[str, RGB] = {
    "porcelain": (255, 224, 206),
    "light": (240, 196, 160),
    "tan": (214, 160, 112),
    "olive": (178, 140, 90),
    "brown": (140, 92, 58),
    "deep": (88, 56, 36),
}
HAIR_COLOURS: dict[str, RGB] = {
    "black": (25, 22, 22),
    "chestnut": (110, 58, 24),
    "blonde": (238, 206, 110),
    "auburn": (176, 62, 28),
    "silver": (188, 192, 200),
    "teal": (0, 150, 150),
    "pink": (250, 140, 190),
}
HAIR_STYLES = ("short", "long", "bald", "spiky", "bun", "curly")
EYE_COLOURS: dict[str, RGB] = {
    "brown": (100, 55, 20),
    "blue": (40, 110, 230),
    "green": (40, 160, 60),
    "grey": (120, 130, 140),
    "amber": (220, 150, 20),
    "violet": (140, 60, 200),
}
ACCESSORIES = ("none", "glasses", "hat", "earrings", "beard", "headband")
# Saturated, in SHIRT_COLOURS order; no palette or scene object uses these.
SHIRT_RGB: dict[str, RGB] = dict(
    zip(SHIRT_COLOURS, [(225, 25, 25), (20, 170, 40), (30, 70, 235), (250, 225, 0), (135, 30, 190), (255, 130, 0)])
)

_HAT = (55, 55, 65)
_HAT_BAND = (230, 230, 230)
_HEADBAND = (245, 245, 245)
_GOLD = (255, 200, 40)
_FRAME = (10, 10, 10)
_MOUTH = (150, 50, 50)
_EYE_WHITE = (250, 250, 250)


@dataclass(frozen=True)
class _Head:
    """Where the face is: centre, half-width, half-height and the overall scale ``k``."""

    x: float
    y: float
    rx: float
    ry: float
    k: float

    @property
    def eye_y(self) -> float:
        return self.y - 0.02 * self.ry

    def eye_xs(self) -> tuple[float, float]:
        return (self.x - 0.42 * self.rx, self.x + 0.42 * self.rx)


def _draw_hair_back(pen: Pen, head: _Head, style: str, hair: RGB) -> None:
    """Hair that lies behind the face."""
    k = head.k
    if style == "long":
        pen.rect(
            head.x - head.rx - 0.05 * k,
            head.y - head.ry - 0.03,
            head.x + head.rx + 0.05 * k,
            head.y + head.ry + 0.12 * k,
            hair,
            radius=0.08 * k,
        )
    elif style == "curly":
        for a in np.linspace(np.pi * 0.85, np.pi * 2.15, 9):
            x, y = head.x + (head.rx + 0.01) * np.cos(a), head.y + (head.ry + 0.01) * np.sin(a)
            pen.ellipse(x, y, 0.05 * k, 0.05 * k, hair)


def _draw_hair_front(pen: Pen, head: _Head, style: str, hair: RGB) -> None:
    """Fringe (the head outline filled down to the forehead) and top-of-head shapes."""
    if style not in HAIR_STYLES:
        raise ValueError(f"unknown hair_style {style!r}; expected one of {HAIR_STYLES}")
    if style == "bald":
        return
    k, top = head.k, head.y - head.ry
    pad, fringe = 0.025 * k, head.y - 0.4 * head.ry
    pen.half_ellipse(head.x, fringe, head.rx + pad, fringe - (top - pad), upper=True, fill=hair)
    if style == "spiky":
        for i in range(5):
            x = head.x + head.rx * (0.4 * i - 0.8)
            pen.polygon([(x - 0.035 * k, top), (x, top - 0.08 * k), (x + 0.035 * k, top)], hair)
    elif style == "bun":
        pen.ellipse(head.x, top - 0.05 * k, 0.07 * k, 0.07 * k, hair)


def _draw_beard(pen: Pen, head: _Head, hair: RGB) -> None:
    """Lower face in hair colour; drawn before the face features so the mouth stays visible."""
    mid, bottom = head.y + 0.25 * head.ry, head.y + head.ry + 0.02 * head.k
    pen.half_ellipse(head.x, mid, head.rx + 0.005, bottom - mid, upper=False, fill=hair)


def _draw_features(pen: Pen, head: _Head, eye: RGB, hair: RGB) -> None:
    """Brows (in hair colour), eyes and mouth."""
    k, ey = head.k, head.eye_y
    for ex in head.eye_xs():
        pen.rect(ex - 0.045 * k, ey - 0.07 * k, ex + 0.045 * k, ey - 0.045 * k, hair)
        pen.ellipse(ex, ey, 0.05 * k, 0.032 * k, _EYE_WHITE)
        pen.ellipse(ex, ey, 0.03 * k, 0.03 * k, eye)
    my = head.y + 0.5 * head.ry
    pen.line([(head.x - 0.05 * k, my), (head.x + 0.05 * k, my)], _MOUTH, 0.018)


def _draw_worn(pen: Pen, head: _Head, accessory: str) -> None:
    """Accessories worn over the face (the beard is drawn under the features instead)."""
    if accessory not in ACCESSORIES:
        raise ValueError(f"unknown accessory {accessory!r}; expected one of {ACCESSORIES}")
    k, ey = head.k, head.eye_y
    if accessory == "glasses":
        left, right = head.eye_xs()
        for ex in (left, right):
            pen.ellipse(ex, ey, 0.065 * k, 0.055 * k, None, outline=_FRAME, width=0.02)
        pen.line([(left + 0.065 * k, ey), (right - 0.065 * k, ey)], _FRAME, 0.02)
    elif accessory == "hat":
        brim, half = head.y - 0.45 * head.ry, head.rx * 0.85
        pen.rect(head.x - half, head.y - head.ry - 0.1 * k, head.x + half, brim, _HAT)
        pen.rect(head.x - half, brim - 0.05 * k, head.x + half, brim - 0.02 * k, _HAT_BAND)
        pen.rect(head.x - head.rx - 0.07 * k, brim - 0.02 * k, head.x + head.rx + 0.07 * k, brim + 0.02 * k, _HAT)
    elif accessory == "earrings":
        for side in (-1, 1):
            pen.ellipse(head.x + side * head.rx, head.y + 0.35 * head.ry, 0.03 * k, 0.03 * k, _GOLD)
    elif accessory == "headband":
        y = head.y - 0.5 * head.ry
        pen.rect(head.x - head.rx - 0.01, y - 0.03 * k, head.x + head.rx + 0.01, y + 0.03 * k, _HEADBAND)


def draw_bust(s: int, attrs: dict[str, Any], variation: dict[str, Any]) -> Image.Image:
    """The person on a transparent ``s`` x ``s`` RGBA layer, placed, scaled and tilted by ``variation``."""
    layer = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    pen = Pen(layer)
    k = variation["scale"]
    head = _Head(0.5 + variation["dx"], 0.4 + variation["dy"], 0.165 * k * attrs["face_ratio"], 0.165 * k, k)
    skin, hair = SKIN_TONES[attrs["skin_tone"]], HAIR_COLOURS[attrs["hair_colour"]]
    shoulder = head.y + head.ry + 0.06 * k

    pen.ellipse(head.x, shoulder + 0.3 * k, 0.25 * k, 0.3 * k, SHIRT_RGB[variation["shirt_colour"]])
    _draw_hair_back(pen, head, attrs["hair_style"], hair)
    pen.rect(head.x - 0.05 * k, head.y + 0.5 * head.ry, head.x + 0.05 * k, shoulder + 0.04 * k, skin)  # neck
    pen.ellipse(head.x, head.y, head.rx, head.ry, skin)
    _draw_hair_front(pen, head, attrs["hair_style"], hair)
    if attrs["accessory"] == "beard":
        _draw_beard(pen, head, hair)
    _draw_features(pen, head, EYE_COLOURS[attrs["eye_colour"]], hair)
    _draw_worn(pen, head, attrs["accessory"])
    return layer.rotate(variation["tilt"], resample=Image.BICUBIC, center=(head.x * s, shoulder * s))
