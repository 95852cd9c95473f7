"""Working days in Colombia, checked by hand against the 2026 calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.workdays import WorkCalendar

BOGOTA = ZoneInfo("America/Bogota")
CAL = WorkCalendar()


def bogota(*args: int) -> datetime:
    return datetime(*args, tzinfo=BOGOTA)


@pytest.mark.parametrize(
    "day,working",
    [
        (date(2026, 3, 20), True),  # Friday
        (date(2026, 3, 21), False),  # Saturday
        (date(2026, 3, 23), False),  # San José (moved to Monday)
        (date(2026, 4, 2), False),  # Jueves Santo
        (date(2026, 4, 3), False),  # Viernes Santo
        (date(2026, 7, 20), False),  # Independencia
        (date(2026, 7, 21), True),
    ],
)
def test_working_days(day, working):
    assert CAL.is_working_day(day) is working


def test_adding_working_days_skips_weekends_and_holidays():
    # Friday 20 March + 1 -> Tuesday 24 (weekend, then Monday 23 is a holiday).
    assert CAL.add_working_days(bogota(2026, 3, 20, 10), 1) == bogota(2026, 3, 24, 10)
    # Wednesday 1 April (Holy Week) + 2 -> Monday 6 and Tuesday 7.
    assert CAL.add_working_days(bogota(2026, 4, 1, 9), 2) == bogota(2026, 4, 7, 9)
    # UTC in, UTC out.
    start = datetime(2026, 3, 20, 15, tzinfo=UTC)
    assert CAL.add_working_days(start, 3) == datetime(2026, 3, 26, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "at,expected",
    [
        (bogota(2026, 3, 20, 10), bogota(2026, 3, 20, 10)),  # open
        (bogota(2026, 3, 20, 6, 30), bogota(2026, 3, 20, 8)),  # before opening
        (bogota(2026, 3, 20, 17), bogota(2026, 3, 24, 8)),  # after closing, long weekend
        (bogota(2026, 4, 2, 12), bogota(2026, 4, 6, 8)),  # Holy Thursday
    ],
)
def test_next_working_moment(at, expected):
    assert CAL.next_working_moment(at) == expected
