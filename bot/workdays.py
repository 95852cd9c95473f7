"""Working days and hours in Colombia, holidays included (the `holidays` library): when a
ticket is overdue, and when a reminder may be sent. Pure functions of their arguments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays


@dataclass(frozen=True)
class WorkCalendar:
    timezone: str = "America/Bogota"
    opens: time = time(8, 0)
    closes: time = time(17, 0)
    _holidays: holidays.HolidayBase = field(
        default_factory=lambda: holidays.country_holidays("CO"), compare=False, repr=False
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same local time `days` working days later (weekends and holidays skipped)."""
        local = start.astimezone(self.zone)
        day, left = local.date(), days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return datetime.combine(day, local.timetz()).astimezone(start.tzinfo)

    def next_working_moment(self, at: datetime) -> datetime:
        """`at` if it falls in working hours on a working day, else the next opening time."""
        local = at.astimezone(self.zone)
        day = local.date()
        if self.is_working_day(day) and self.opens <= local.time() < self.closes:
            return at
        if self.is_working_day(day) and local.time() < self.opens:
            return datetime.combine(day, self.opens, self.zone).astimezone(at.tzinfo)
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, self.opens, self.zone).astimezone(at.tzinfo)
