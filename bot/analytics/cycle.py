"""Which cycle is current and when it is due, from the `assessment` configuration."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.config import AssessmentConfig


def local_today(config: AssessmentConfig, now: datetime) -> date:
    """Today's date in Colombia (the configured time zone), whatever the server's zone."""
    return now.astimezone(ZoneInfo(config.timezone)).date()


def current_cycle(config: AssessmentConfig, now: datetime) -> int:
    """The configured cycle, or the current year in Colombia: the one rule for the assistant
    (opening an assessment, reminders; `bot.app.build_deps`) and the staff commands."""
    return config.cycle or local_today(config, now).year
