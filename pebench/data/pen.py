"""PIL drawing in unit coordinates, so shapes are specified independently of the image size.

(0, 0) is the top-left corner and (1, 1) the bottom-right; widths are fractions of
the side. The renderer draws at several sizes, always with the same geometry.
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageDraw

RGB = tuple[int, int, int]


class Pen:
    """Draws filled (optionally outlined) shapes on one square image."""

    def __init__(self, image: Image.Image) -> None:
        self.s = image.size[0]
        self.draw = ImageDraw.Draw(image)

    def _box(self, x: float, y: float, rx: float, ry: float) -> tuple[float, float, float, float]:
        return ((x - rx) * self.s, (y - ry) * self.s, (x + rx) * self.s, (y + ry) * self.s)

    def _width(self, width: float) -> int:
        return max(1, round(width * self.s))

    def ellipse(
        self, x: float, y: float, rx: float, ry: float, fill: RGB | None, outline: RGB | None = None, width: float = 0.0
    ) -> None:
        """Ellipse centred on (x, y) with half-axes rx, ry."""
        self.draw.ellipse(self._box(x, y, rx, ry), fill=fill, outline=outline, width=self._width(width))

    def half_ellipse(self, x: float, y: float, rx: float, ry: float, upper: bool, fill: RGB) -> None:
        """The upper or lower half of an ellipse, cut along its horizontal axis."""
        start, end = (180, 360) if upper else (0, 180)
        self.draw.chord(self._box(x, y, rx, ry), start, end, fill=fill)

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: RGB, radius: float = 0.0) -> None:
        """Axis-aligned rectangle between two corners, optionally with rounded corners."""
        box = (x0 * self.s, y0 * self.s, x1 * self.s, y1 * self.s)
        if radius:
            self.draw.rounded_rectangle(box, radius=radius * self.s, fill=fill)
        else:
            self.draw.rectangle(box, fill=fill)

    def polygon(
        self, points: Sequence[tuple[float, float]], fill: RGB, outline: RGB | None = None, width: float = 0.0
    ) -> None:
        self.draw.polygon(
            [(x * self.s, y * self.s) for x, y in points], fill=fill, outline=outline, width=self._width(width)
        )

    def line(self, points: Sequence[tuple[float, float]], fill: RGB, width: float) -> None:
        self.draw.line([(x * self.s, y * self.s) for x, y in points], fill=fill, width=self._width(width))
