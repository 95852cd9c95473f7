"""The radar chart of the six dimensions, drawn with matplotlib's object API (no pyplot state).

Geometry: axis k of n sits at angle k·2π/n measured from the top, going *clockwise* (the reading
order of the labels), so a score r on axis k is the point (r·sin θ, r·cos θ) on a 0-100 scale.
A dimension without a score is drawn at 0 and its label says so in the caller's words (`no_data`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nlu.numbers import format_number

SCALE = 100.0
RINGS = (20, 40, 60, 80, 100)
POLYGON_GID = "scores"  # how tests find the plotted polygon among the figure's lines
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_INK, _FILL, _GRID, _MUTED = "#0b4f6c", "#20a4c8", "#c9d3da", "#8a97a0"

Point = tuple[float, float]


def radar_angles(n: int) -> tuple[float, ...]:
    """Angles (radians, clockwise from the top) of n axes, evenly spaced."""
    if n < 1:
        raise ValueError("a radar needs at least one dimension")
    return tuple(k * 2 * math.pi / n for k in range(n))


def radar_point(angle: float, radius: float) -> Point:
    return (radius * math.sin(angle), radius * math.cos(angle))


def radar_points(values: Sequence[float | None]) -> tuple[Point, ...]:
    """The closed polygon (first point repeated at the end); a missing value sits at 0."""
    angles = radar_angles(len(values))
    points = tuple(
        radar_point(a, 0.0 if v is None else float(v)) for a, v in zip(angles, values, strict=True)
    )
    return (*points, points[0])


def _label(name: str, value: float | None, no_data: str) -> str:
    shown = no_data if value is None else format_number(value)
    return f"{textwrap.fill(name, 10)}\n{shown}"


def _alignment(angle: float) -> tuple[str, str]:
    """Anchor a label on the side away from the centre, so it never covers the chart."""
    x, y = math.sin(angle), math.cos(angle)
    ha = "center" if abs(x) < 0.1 else ("left" if x > 0 else "right")
    va = "center" if abs(y) < 0.1 else ("bottom" if y > 0 else "top")
    return ha, va


def radar_figure(labels: Sequence[str], values: Sequence[float | None], *, no_data: str) -> Figure:
    """A 6x6-inch figure: grid rings, spokes, the scores polygon and labelled axes."""
    if len(labels) != len(values):
        raise ValueError("every dimension needs one label and one value")
    angles = radar_angles(len(values))
    fig = Figure(figsize=(6, 6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_aspect("equal")
    ax.set_xlim(-175, 175)
    ax.set_ylim(-175, 175)
    ax.axis("off")

    for ring in RINGS:
        xs, ys = zip(*(radar_point(a, ring) for a in (*angles, angles[0])), strict=True)
        ax.plot(xs, ys, color=_GRID, linewidth=0.8, zorder=1)
        ax.text(3, ring + 2, str(ring), fontsize=10, color=_MUTED, ha="left", va="bottom", zorder=2)
    for angle in angles:
        x, y = radar_point(angle, SCALE)
        ax.plot((0, x), (0, y), color=_GRID, linewidth=0.8, zorder=1)

    xs, ys = zip(*radar_points(values), strict=True)
    ax.fill(xs, ys, color=_FILL, alpha=0.3, zorder=3)
    ax.plot(xs, ys, color=_INK, linewidth=2.2, marker="o", markersize=5, zorder=4, gid=POLYGON_GID)

    for angle, name, value in zip(angles, labels, values, strict=True):
        ha, va = _alignment(angle)
        x, y = radar_point(angle, SCALE + 12)
        ax.text(
            x,
            y,
            _label(name, value, no_data),
            ha=ha,
            va=va,
            fontsize=15,
            linespacing=1.25,
            color=_MUTED if value is None else _INK,
            fontweight="bold",
            zorder=5,
        )
    return fig


def radar_png(
    labels: Sequence[str], values: Sequence[float | None], *, no_data: str, dpi: int = 100
) -> bytes:
    """The radar as PNG bytes (about 600x600 pixels at the default dpi).

    The bounding box is fitted to the drawing, so a long dimension name is never cut off.
    """
    buffer = BytesIO()
    radar_figure(labels, values, no_data=no_data).savefig(
        buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.1
    )
    return buffer.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the PNG header."""
    if png[:8] != PNG_SIGNATURE or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
