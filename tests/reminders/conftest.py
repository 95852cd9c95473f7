"""The real engine and the real scheduler on one database (SQLite and PostgreSQL), both on a
clock the test moves: what months of a cycle look like, in a second."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import Static, build_deps, load_static
from bot.config import load_config
from bot.contract import Notice
from bot.conversation.engine import Engine
from bot.reminders.rules import Policy
from bot.reminders.scheduler import ReminderScheduler, Texts
from bot.storage.api import Store
from bot.workdays import WorkCalendar
from nlu.rules import RuleInterpreter
from tests.storage.helpers import store_with_domains

BOGOTA = ZoneInfo("America/Bogota")
CALENDAR = WorkCalendar()
CONFIG = load_config(env={})


def bogota(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2026 in Colombia (San José: Monday 23 March; Holy Week: 2 and 3 April)."""
    return datetime(2026, month, day, hour, minute, tzinfo=BOGOTA).astimezone(UTC)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def working_days_later(self, days: int) -> datetime:
        """Move `days` working days on, to a working moment."""
        self.now = CALENDAR.next_working_moment(CALENDAR.add_working_days(self.now, days))
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def static() -> Static:
    return load_static(CONFIG)


@pytest.fixture
def clock() -> Clock:
    return Clock(bogota(3, 10, 10))  # Tuesday 10 March 2026, 10:00 in Bogotá


@pytest.fixture
def engine(store, static, clock) -> Engine:
    return Engine(store, build_deps(CONFIG, static), RuleInterpreter(), clock)


def scheduler(
    store: Store,
    static: Static,
    clock: Clock,
    *,
    channels: frozenset[str] = frozenset({"telegram", "email"}),
    after_days: int = 5,
    max_count: int = 3,
    wake: Callable[[], None] = lambda: None,
    check_seconds: float = 300.0,
    cycle_of: Callable[[datetime], int] | None = None,
    deadline_of: Callable[[int], date | None] = CONFIG.assessment.deadline_for,
) -> ReminderScheduler:
    """The scheduler as `cti run` builds it (`bot.app.reminder_services`)."""
    return ReminderScheduler(
        store,
        Texts(static.catalog, static.questionnaires, static.gazetteer, deadline_of),
        Policy(after_days, max_count, CALENDAR),
        channels=channels,
        cycle_of=cycle_of or build_deps(CONFIG, static).cycle_of,
        domain="cti.test",
        wake=wake,
        check_seconds=check_seconds,
        clock=clock,
    )


async def reminders_to(store: Store, address: str) -> list[Notice]:
    """Every reminder queued for one conversation address, oldest first."""
    async with store.transaction() as tx:
        items = await tx.outbox_for(address)
    return [i for i in items if isinstance(i, Notice) and i.kind == "reminder"]


async def deliver(store: Store, address: str, at: datetime) -> None:
    """Mark the queued reminders to `address` delivered, as a channel's worker would."""
    async with store.transaction() as tx:
        for notice in await tx.outbox_for(address):
            assert notice.id is not None
            await tx.outbox_sent(notice.id, at)


@pytest.fixture
async def store(database_url, gazetteer):
    """A fresh store with the alcaldías' institutional domains (tests/storage/helpers.py): the
    officials these tests register at pasto.gov.co, medellin.gov.co or tunja.gov.co join their
    entity at once."""
    async with store_with_domains(database_url, gazetteer) as opened:
        yield opened
