"""Drawing a compositional scene (:mod:`pebench.data.scenes`): setting, light, crowd and objects.

Each part is drawn the same way in every event that has it, so that events sharing a part share
pixels, as the paper's pictures of a park share trees: a setting is its sky or wall, its ground and
a backdrop along the horizon; a light tints the scene behind the person; a crowd is a row of
silhouettes behind the person; an object is a small icon in the side columns the person leaves
free (:data:`pebench.data.render.OBJECT_SLOTS`), the two kinds of an event alternating. Every
colour is muted or dark, away from the saturated shirt colours, so the shirt question keeps one
visible answer. Shapes are in unit coordinates (:class:`~pebench.data.pen.Pen`), so they scale
with the image.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pebench.data.pen import RGB, Pen

#: (sky or wall, ground, ground pattern, backdrop) of each setting.
SETTING_LOOKS: dict[str, tuple[RGB, RGB, str, str]] = {
    "park": ((150, 195, 235), (110, 165, 80), "plain", "trees"),
    "forest": ((175, 200, 165), (55, 90, 50), "dots", "trees"),
    "mountain": ((160, 190, 230), (125, 115, 105), "gradient", "peaks"),
    "snowfield": ((195, 210, 230), (240, 242, 248), "plain", "peaks"),
    "beach": ((150, 205, 240), (225, 205, 150), "dots", "waves"),
    "lake": ((170, 215, 240), (60, 115, 165), "stripes", "hills"),
    "farm": ((160, 200, 235), (140, 175, 75), "stripes", "fence"),
    "zoo": ((165, 205, 225), (150, 140, 95), "checks", "fence"),
    "street": ((185, 190, 200), (110, 110, 118), "stripes", "buildings"),
    "road": ((235, 190, 150), (90, 90, 96), "diagonal", "hills"),
    "studio": ((60, 60, 76), (100, 92, 86), "plain", "lamps"),
    "restaurant": ((150, 92, 72), (118, 80, 60), "checks", "windows"),
    "store": ((232, 232, 222), (198, 198, 188), "checks", "shelves"),
    "classroom": ((220, 214, 190), (150, 120, 90), "plain", "board"),
    "gym": ((200, 205, 215), (90, 95, 110), "diagonal", "windows"),
    "club": ((62, 32, 82), (42, 32, 52), "dots", "lamps"),
    "stage": ((92, 32, 42), (70, 50, 40), "plain", "curtains"),
    "cafe": ((200, 160, 122), (140, 100, 72), "plain", "windows"),
    "terminal": ((214, 220, 226), (168, 174, 180), "checks", "windows"),
    "office": ((226, 230, 236), (160, 165, 175), "plain", "windows"),
    "gallery": ((240, 238, 230), (180, 170, 160), "plain", "frames"),
    "home": ((225, 200, 160), (150, 110, 80), "gradient", "frames"),
    "library": ((180, 150, 110), (130, 90, 60), "plain", "shelves"),
    "night sky": ((22, 26, 58), (40, 55, 45), "plain", "stars"),
    "hall": ((205, 192, 168), (140, 100, 70), "checks", "curtains"),
}
#: How each light changes the scene behind the person: (colour to blend towards, weight).
LIGHT_TINTS: dict[str, tuple[RGB, float]] = {
    "daylight": ((255, 255, 255), 0.0),
    "bright": ((255, 255, 255), 0.25),
    "dim": ((0, 0, 0), 0.45),
    "warm": ((255, 170, 80), 0.25),
    "evening": ((200, 90, 110), 0.35),
    "night": ((10, 15, 45), 0.45),
}
#: Silhouettes behind the person: their horizontal centres.
CROWD_SLOTS: dict[str, tuple[float, ...]] = {
    "none": (),
    "few": (0.2, 0.8),
    "crowd": (0.08, 0.22, 0.36, 0.64, 0.78, 0.92),
}
_SILHOUETTE = (70, 70, 78)
_OBJECT_RADIUS = 0.09

_BROWN, _DARK, _GREY, _WHITE = (120, 75, 40), (25, 25, 30), (150, 150, 155), (240, 240, 240)
_LEAF, _WATER, _GOLD, _ROSE = (45, 110, 50), (70, 130, 190), (200, 165, 70), (200, 110, 150)


def draw_backdrop(pen: Pen, setting: str, horizon: float) -> None:
    """The setting's backdrop along the horizon and on the wall."""
    BACKDROPS[SETTING_LOOKS[setting][3]](pen, horizon)


def _trees(pen: Pen, h: float) -> None:
    for x in (0.06, 0.22, 0.78, 0.94):
        pen.polygon([(x, h - 0.24), (x + 0.08, h - 0.02), (x - 0.08, h - 0.02)], _LEAF)


def _peaks(pen: Pen, h: float) -> None:
    for x, top in ((0.18, 0.14), (0.82, 0.2)):
        pen.polygon([(x, top), (x + 0.3, h), (x - 0.3, h)], (110, 110, 125))
        pen.polygon([(x, top), (x + 0.07, top + 0.07), (x - 0.07, top + 0.07)], _WHITE)


def _waves(pen: Pen, h: float) -> None:
    pen.rect(0, h - 0.12, 1, h, _WATER)
    for y in (h - 0.09, h - 0.04):
        pen.line([(0.02, y), (0.3, y)], _WHITE, 0.015)
        pen.line([(0.7, y), (0.98, y)], _WHITE, 0.015)


def _hills(pen: Pen, h: float) -> None:
    for x in (0.15, 0.85):
        pen.half_ellipse(x, h, 0.25, 0.14, upper=True, fill=(80, 135, 70))


def _fence(pen: Pen, h: float) -> None:
    pen.rect(0, h - 0.1, 1, h - 0.08, _BROWN)
    for x in (0.04, 0.16, 0.28, 0.72, 0.84, 0.96):
        pen.rect(x - 0.012, h - 0.14, x + 0.012, h, _BROWN)


def _buildings(pen: Pen, h: float) -> None:
    for x0, top in ((0.0, 0.12), (0.13, 0.28), (0.74, 0.2), (0.88, 0.1)):
        pen.rect(x0, top, x0 + 0.12, h, (105, 105, 120))
        pen.rect(x0 + 0.03, top + 0.05, x0 + 0.09, top + 0.09, (230, 220, 150))


def _lamps(pen: Pen, _h: float) -> None:
    for x in (0.12, 0.5, 0.88):
        pen.ellipse(x, 0.05, 0.05, 0.03, (245, 230, 170))


def _windows(pen: Pen, h: float) -> None:
    for x in (0.13, 0.87):
        pen.rect(x - 0.1, 0.1, x + 0.1, h - 0.14, (175, 215, 240))
        pen.rect(x - 0.005, 0.1, x + 0.005, h - 0.14, _WHITE)


def _shelves(pen: Pen, h: float) -> None:
    for x0 in (0.0, 0.76):
        for y in (0.16, 0.32, h - 0.04):
            pen.rect(x0, y, x0 + 0.24, y + 0.02, _BROWN)
            for i, colour in enumerate(((150, 60, 60), (60, 90, 140), (170, 150, 70))):
                pen.rect(x0 + 0.03 + 0.06 * i, y - 0.08, x0 + 0.07 + 0.06 * i, y, colour)


def _board(pen: Pen, _h: float) -> None:
    pen.rect(0.02, 0.06, 0.98, 0.2, (40, 75, 60))


def _curtains(pen: Pen, h: float) -> None:
    for x0 in (0.0, 0.86):
        pen.rect(x0, 0, x0 + 0.14, h, (130, 30, 45))


def _frames(pen: Pen, h: float) -> None:
    for x in (0.13, 0.87):
        pen.rect(x - 0.09, 0.12, x + 0.09, h - 0.16, _GOLD)
        pen.rect(x - 0.06, 0.15, x + 0.06, h - 0.19, (90, 130, 150))


def _stars(pen: Pen, h: float) -> None:
    for x, y in ((0.08, 0.08), (0.2, 0.3), (0.33, 0.12), (0.68, 0.1), (0.8, 0.28), (0.93, 0.14)):
        pen.ellipse(x, y * h / 0.6, 0.012, 0.012, _WHITE)


#: How each backdrop is drawn: ``backdrop(pen, horizon)``.
BACKDROPS: dict[str, Callable[[Pen, float], None]] = {
    "trees": _trees,
    "peaks": _peaks,
    "waves": _waves,
    "hills": _hills,
    "fence": _fence,
    "buildings": _buildings,
    "lamps": _lamps,
    "windows": _windows,
    "shelves": _shelves,
    "board": _board,
    "curtains": _curtains,
    "frames": _frames,
    "stars": _stars,
}


def apply_light(canvas: np.ndarray, light: str) -> None:
    """Blend the scene (drawn so far) towards the light's colour, in place."""
    colour, weight = LIGHT_TINTS[light]
    canvas *= 1 - weight
    canvas += weight * np.asarray(colour, np.float32)


def draw_crowd(pen: Pen, crowd: str, horizon: float) -> None:
    """A row of head-and-shoulder silhouettes standing on the horizon."""
    for x in CROWD_SLOTS[crowd]:
        pen.half_ellipse(x, horizon + 0.02, 0.06, 0.08, upper=True, fill=_SILHOUETTE)
        pen.ellipse(x, horizon - 0.1, 0.035, 0.04, _SILHOUETTE)


def draw_object(pen: Pen, name: str, x: float, y: float) -> None:
    """The icon of object ``name`` centred on (x, y)."""
    ICONS[name](pen, x, y, _OBJECT_RADIUS)


def _tree(pen: Pen, x: float, y: float, r: float) -> None:
    pen.rect(x - 0.2 * r, y + 0.3 * r, x + 0.2 * r, y + r, _BROWN)
    pen.polygon([(x, y - r), (x + 0.8 * r, y + 0.4 * r), (x - 0.8 * r, y + 0.4 * r)], _LEAF)


def _path(pen: Pen, x: float, y: float, r: float) -> None:
    pen.polygon([(x - 0.2 * r, y - r), (x + 0.2 * r, y - r), (x + r, y + r), (x - r, y + r)], (205, 185, 140))


def _animal(pen: Pen, x: float, y: float, r: float) -> None:
    pen.ellipse(x, y, 0.8 * r, 0.45 * r, (140, 100, 60))
    pen.ellipse(x + 0.75 * r, y - 0.45 * r, 0.3 * r, 0.3 * r, (140, 100, 60))
    for dx in (-0.5, 0.4):
        pen.line([(x + dx * r, y + 0.3 * r), (x + dx * r, y + r)], (90, 60, 35), 0.012)


def _book(pen: Pen, x: float, y: float, r: float) -> None:
    pen.rect(x - 0.6 * r, y - 0.8 * r, x + 0.6 * r, y + 0.8 * r, (140, 45, 55))
    pen.rect(x - 0.4 * r, y - 0.8 * r, x - 0.25 * r, y + 0.8 * r, _WHITE)


def _cup(pen: Pen, x: float, y: float, r: float) -> None:
    pen.ellipse(x + 0.6 * r, y, 0.3 * r, 0.3 * r, None, outline=_WHITE, width=0.012)
    pen.polygon(
        [
            (x - 0.6 * r, y - 0.7 * r),
            (x + 0.6 * r, y - 0.7 * r),
            (x + 0.4 * r, y + 0.8 * r),
            (x - 0.4 * r, y + 0.8 * r),
        ],
        _WHITE,
    )


def _plate(pen: Pen, x: float, y: float, r: float) -> None:
    pen.ellipse(x, y, r, 0.6 * r, _WHITE)
    pen.ellipse(x, y, 0.55 * r, 0.3 * r, (170, 120, 80))


def _laptop(pen: Pen, x: float, y: float, r: float) -> None:
    pen.rect(x - 0.8 * r, y - 0.8 * r, x + 0.8 * r, y + 0.3 * r, _DARK)
    pen.rect(x - 0.65 * r, y - 0.65 * r, x + 0.65 * r, y + 0.15 * r, (90, 160, 200))
    pen.polygon(
        [(x - 0.8 * r, y + 0.3 * r), (x + 0.8 * r, y + 0.3 * r), (x + r, y + 0.7 * r), (x - r, y + 0.7 * r)], _GREY
    )


def _microphone(pen: Pen, x: float, y: float, r: float) -> None:
    pen.line([(x, y - 0.2 * r), (x, y + r)], _GREY, 0.015)
    pen.ellipse(x, y - 0.5 * r, 0.35 * r, 0.45 * r, _DARK)


def _camera(pen: Pen, x: float, y: float, r: float) -> None:
    pen.rect(x - 0.9 * r, y - 0.5 * r, x + 0.9 * r, y + 0.6 * r, _DARK)
    pen.ellipse(x, y + 0.05 * r, 0.4 * r, 0.4 * r, _GREY)


def _telescope(pen: Pen, x: float, y: float, r: float) -> None:
    pen.line([(x - 0.9 * r, y + 0.1 * r), (x + 0.9 * r, y - 0.7 * r)], _WHITE, 0.03)
    pen.line([(x, y - 0.2 * r), (x - 0.6 * r, y + r)], _GREY, 0.012)
    pen.line([(x, y - 0.2 * r), (x + 0.6 * r, y + r)], _GREY, 0.012)


def _star(pen: Pen, x: float, y: float, r: float) -> None:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else 0.42 * r
        angle = np.pi / 2 + i * np.pi / 5
        points.append((x + radius * np.cos(angle), y - radius * np.sin(angle)))
    pen.polygon(points, (235, 225, 160))


def _car(pen: Pen, x: float, y: float, r: float) -> None:
    pen.rect(x - r, y - 0.3 * r, x + r, y + 0.4 * r, (60, 90, 120))
    pen.rect(x - 0.5 * r, y - 0.7 * r, x + 0.5 * r, y - 0.3 * r, (60, 90, 120))
    for dx in (-0.55, 0.55):
        pen.ellipse(x + dx * r, y + 0.45 * r, 0.25 * r, 0.25 * r, _DARK)


def _bike(pen: Pen, x: float, y: float, r: float) -> None:
    for dx in (-0.55, 0.55):
        pen.ellipse(x + dx * r, y + 0.35 * r, 0.4 * r, 0.4 * r, None, outline=_DARK, width=0.012)
    pen.line([(x - 0.55 * r, y + 0.35 * r), (x, y - 0.4 * r), (x + 0.55 * r, y + 0.35 * r)], _DARK, 0.012)


def _boat(pen: Pen, x: float, y: float, r: float) -> None:
    pen.polygon(
        [(x - r, y + 0.2 * r), (x + r, y + 0.2 * r), (x + 0.6 * r, y + 0.7 * r), (x - 0.6 * r, y + 0.7 * r)], _BROWN
    )
    pen.polygon([(x, y - r), (x + 0.6 * r, y + 0.1 * r), (x, y + 0.1 * r)], _WHITE)


def _train(pen: Pen, x: float, y: float, r: float) -> None:
    pen.rect(x - r, y - 0.6 * r, x + r, y + 0.6 * r, (50, 70, 110))
    for dx in (-0.55, 0.0, 0.55):
        pen.rect(x + (dx - 0.18) * r, y - 0.4 * r, x + (dx + 0.18) * r, y - 0.05 * r, (200, 220, 235))


def _plane(pen: Pen, x: float, y: float, r: float) -> None:
    pen.rect(x - r, y - 0.15 * r, x + r, y + 0.15 * r, _WHITE)
    pen.polygon(
        [
            (x - 0.1 * r, y - 0.9 * r),
            (x + 0.25 * r, y - 0.9 * r),
            (x + 0.25 * r, y + 0.9 * r),
            (x - 0.1 * r, y + 0.9 * r),
        ],
        _WHITE,
    )


def _fishing_rod(pen: Pen, x: float, y: float, r: float) -> None:
    pen.line([(x - r, y + r), (x + 0.8 * r, y - r)], _BROWN, 0.015)
    pen.line([(x + 0.8 * r, y - r), (x + 0.8 * r, y + 0.6 * r)], _WHITE, 0.006)
    pen.ellipse(x + 0.8 * r, y + 0.6 * r, 0.15 * r, 0.15 * r, _WHITE)


def _bag(pen: Pen, x: float, y: float, r: float) -> None:
    pen.ellipse(x, y - 0.4 * r, 0.4 * r, 0.4 * r, None, outline=_ROSE, width=0.012)
    pen.rect(x - 0.7 * r, y - 0.3 * r, x + 0.7 * r, y + 0.8 * r, _ROSE)


def _dumbbell(pen: Pen, x: float, y: float, r: float) -> None:
    pen.rect(x - 0.8 * r, y - 0.1 * r, x + 0.8 * r, y + 0.1 * r, _GREY)
    for dx in (-0.8, 0.8):
        pen.rect(x + (dx - 0.2) * r, y - 0.5 * r, x + (dx + 0.2) * r, y + 0.5 * r, _DARK)


def _painting(pen: Pen, x: float, y: float, r: float) -> None:
    pen.rect(x - 0.9 * r, y - 0.7 * r, x + 0.9 * r, y + 0.7 * r, _GOLD)
    pen.rect(x - 0.65 * r, y - 0.45 * r, x + 0.65 * r, y + 0.45 * r, (70, 120, 90))


def _spotlight(pen: Pen, x: float, y: float, r: float) -> None:
    pen.polygon(
        [(x - 0.15 * r, y - 0.8 * r), (x + 0.15 * r, y - 0.8 * r), (x + 0.8 * r, y + r), (x - 0.8 * r, y + r)],
        (245, 235, 180),
    )
    pen.rect(x - 0.3 * r, y - r, x + 0.3 * r, y - 0.7 * r, _DARK)


def _music_note(pen: Pen, x: float, y: float, r: float) -> None:
    pen.ellipse(x - 0.3 * r, y + 0.6 * r, 0.35 * r, 0.28 * r, _DARK)
    pen.line([(x + 0.05 * r, y + 0.6 * r), (x + 0.05 * r, y - r)], _DARK, 0.014)
    pen.line([(x + 0.05 * r, y - r), (x + 0.6 * r, y - 0.6 * r)], _DARK, 0.014)


def _table(pen: Pen, x: float, y: float, r: float) -> None:
    pen.rect(x - r, y - 0.3 * r, x + r, y - 0.05 * r, _BROWN)
    for dx in (-0.8, 0.8):
        pen.rect(x + (dx - 0.08) * r, y - 0.05 * r, x + (dx + 0.08) * r, y + r, _BROWN)


def _flower(pen: Pen, x: float, y: float, r: float) -> None:
    pen.line([(x, y), (x, y + r)], _LEAF, 0.014)
    pen.ellipse(x, y - 0.3 * r, 0.55 * r, 0.55 * r, _ROSE)
    pen.ellipse(x, y - 0.3 * r, 0.2 * r, 0.2 * r, (235, 225, 160))


def _suitcase(pen: Pen, x: float, y: float, r: float) -> None:
    pen.rect(x - 0.25 * r, y - 0.85 * r, x + 0.25 * r, y - 0.55 * r, _DARK)
    pen.rect(x - 0.75 * r, y - 0.55 * r, x + 0.75 * r, y + 0.8 * r, (90, 70, 110))


def _flag(pen: Pen, x: float, y: float, r: float) -> None:
    pen.line([(x - 0.6 * r, y - r), (x - 0.6 * r, y + r)], _DARK, 0.012)
    pen.polygon([(x - 0.6 * r, y - r), (x + 0.8 * r, y - 0.6 * r), (x - 0.6 * r, y - 0.2 * r)], (150, 40, 60))


#: How each object is drawn: ``icon(pen, x, y, radius)``.
ICONS: dict[str, Callable[[Pen, float, float, float], None]] = {
    "tree": _tree,
    "path": _path,
    "animal": _animal,
    "book": _book,
    "cup": _cup,
    "plate": _plate,
    "laptop": _laptop,
    "microphone": _microphone,
    "camera": _camera,
    "telescope": _telescope,
    "star": _star,
    "car": _car,
    "bike": _bike,
    "boat": _boat,
    "train": _train,
    "plane": _plane,
    "fishing rod": _fishing_rod,
    "bag": _bag,
    "dumbbell": _dumbbell,
    "painting": _painting,
    "spotlight": _spotlight,
    "music note": _music_note,
    "table": _table,
    "flower": _flower,
    "suitcase": _suitcase,
    "flag": _flag,
}
