"""`level_of` (bot/scoring.py): the one maturity-level lookup of scoring, reports and exports,
on the shipped questionnaire's levels (0, 20, 40, 60, 80)."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.scoring import level_of
from dialogues.questionnaire import load_questionnaire

V1 = load_questionnaire(PROJECT_ROOT / "data" / "questionnaire" / "v1.yml")


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (None, None),  # nothing answered: no level, not the lowest one
        (0.0, "inicial"),
        (19.99, "inicial"),
        (20.0, "basico"),  # a threshold belongs to the level it opens
        (39.5, "basico"),
        (40.0, "intermedio"),
        (60.0, "avanzado"),
        (79.999, "avanzado"),
        (80.0, "optimizado"),
        (100.0, "optimizado"),
    ],
)
def test_a_score_falls_in_one_level(value: float | None, level: str | None):
    found = level_of(V1, value)
    assert (found.id if found is not None else None) == level
