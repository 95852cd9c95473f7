import math
from io import BytesIO

import pytest
from matplotlib.lines import Line2D
from PIL import Image

from bot.report.radar import (
    POLYGON_GID,
    png_size,
    radar_angles,
    radar_figure,
    radar_png,
    radar_points,
)

SIX = [
    "Personas",
    "Gobernanza",
    "Calidad de Vida",
    "Desarrollo Económico",
    "Medio Ambiente",
    "Hábitat",
]
R3 = math.sqrt(3)
NO_DATA = "sin datos"  # the report's caller draws the catalog's `report.radar_no_data`

# Scores 0, 20, 40, 60, 80, 100 on six axes at 0°, 60°, ..., 300° from the top, clockwise:
# (r·sin θ, r·cos θ), worked out by hand; the polygon closes on its first point.
HAND = [
    (0.0, 0.0),
    (10 * R3, 10.0),
    (20 * R3, -20.0),
    (0.0, -60.0),
    (-40 * R3, -40.0),
    (-50 * R3, 50.0),
    (0.0, 0.0),
]


def _flat(points) -> list[float]:
    return [c for point in points for c in point]


def _polygon(fig) -> Line2D:
    (line,) = [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_gid() == POLYGON_GID]
    return line


def test_angles_start_at_the_top_and_are_evenly_spaced():
    assert radar_angles(6) == pytest.approx([k * math.pi / 3 for k in range(6)])
    assert radar_angles(4) == pytest.approx([0, math.pi / 2, math.pi, 3 * math.pi / 2])
    with pytest.raises(ValueError):
        radar_angles(0)


def test_points_of_the_hand_checked_case():
    assert _flat(radar_points([0, 20, 40, 60, 80, 100])) == pytest.approx(_flat(HAND))


def test_the_second_axis_is_clockwise_from_the_top():
    (x0, y0), (x1, y1), *_ = radar_points([100, 100, 100, 100])
    assert (x0, y0) == pytest.approx((0, 100))  # top
    assert (x1, y1) == pytest.approx((100, 0))  # right: clockwise


def test_missing_value_sits_at_the_centre():
    points = radar_points([50, None, 50])
    assert points[1] == pytest.approx((0, 0))
    assert points[0] == points[-1]


def test_plotted_polygon_matches_the_hand_computed_case():
    fig = radar_figure(SIX, [0, 20, 40, 60, 80, 100], no_data=NO_DATA)
    assert _flat(_polygon(fig).get_xydata().tolist()) == pytest.approx(_flat(HAND))


def test_labels_carry_the_score_and_mark_missing_dimensions():
    fig = radar_figure(SIX, [0, 20.25, None, 60, 80, 100], no_data=NO_DATA)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Gobernanza\n20,3" in texts
    assert f"Calidad de\nVida\n{NO_DATA}" in texts
    assert _polygon(fig).get_xydata()[2].tolist() == pytest.approx([0, 0])


def test_labels_and_values_must_match():
    with pytest.raises(ValueError):
        radar_figure(SIX, [1, 2, 3], no_data=NO_DATA)


def test_png_is_a_valid_image_of_about_600_pixels():
    png = radar_png(SIX, [10, 20, None, 40, 50, 60], no_data=NO_DATA)
    with Image.open(BytesIO(png)) as image:
        image.verify()
    with Image.open(BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == png_size(png)
        width, height = image.size
    assert 500 <= width <= 750 and 500 <= height <= 750


def test_png_size_refuses_other_bytes():
    with pytest.raises(ValueError):
        png_size(b"GIF89a" + bytes(30))
