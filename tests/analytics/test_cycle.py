"""`current_cycle` (bot/analytics/cycle.py): the one rule for which cycle is current, used by the
assistant (bot.app.build_deps) and the staff commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.analytics.cycle import current_cycle
from bot.config import AssessmentConfig

NEW_YEAR_UTC = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)  # still 31 December 22:00 in Bogotá


@pytest.mark.parametrize(
    ("cycle", "now", "expected"),
    [
        (None, datetime(2026, 6, 1, 12, tzinfo=UTC), 2026),
        (None, NEW_YEAR_UTC, 2026),  # the year in Colombia, not on the server
        (None, NEW_YEAR_UTC + timedelta(hours=2), 2027),
        (None, datetime(2027, 1, 1, 1, tzinfo=timezone(timedelta(hours=9))), 2026),
        (2025, NEW_YEAR_UTC + timedelta(days=90), 2025),  # a configured cycle wins
    ],
)
def test_the_current_cycle(cycle: int | None, now: datetime, expected: int):
    assert current_cycle(AssessmentConfig(cycle=cycle), now) == expected
