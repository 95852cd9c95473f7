"""The follow-up of unanswered tickets: after N working days (Colombian holidays skipped), one
reminder to the mailbox in the ticket's thread; none once staff replied; never twice."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.contract import OutboundEmail
from bot.tickets.desk import StaffReply
from bot.tickets.followup import TicketFollowUp
from bot.workdays import WorkCalendar
from tests.tickets.helpers import MAILBOX, desk_for, open_ticket

BOGOTA = ZoneInfo("America/Bogota")
# Friday 4 December 2026; Tuesday 8 December is a holiday (Inmaculada Concepción).
FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=BOGOTA)


def on(day: int, hour: int = 10) -> datetime:
    return datetime.combine(datetime(2026, 12, day).date(), time(hour), BOGOTA)


@pytest.fixture(scope="module")
def static():
    from bot.app import load_static
    from bot.config import load_config

    return load_static(load_config(env={}))


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def mailbox(store) -> list[OutboundEmail]:
    async with store.transaction() as tx:
        return [i for i in await tx.outbox_for(MAILBOX) if isinstance(i, OutboundEmail)]


async def test_one_follow_up_after_the_working_days_holidays_skipped(store, static):
    desk = desk_for(static, follow_up_days=3)
    ticket, _ = await open_ticket(store, desk, FRIDAY)
    clock = Clock(on(9))  # Mon 7, Wed 9: two working days (Tuesday 8 is a holiday)
    woken = []
    service = TicketFollowUp(store, desk, WorkCalendar(), wake=lambda: woken.append(1), clock=clock)
    assert await service.run_once() == 0
    clock.now = on(10, 9)  # Thursday 10, an hour before the third working day ends its count
    assert await service.run_once() == 0
    clock.now = on(10)
    assert await service.run_once() == 1 and woken == [1]
    assert await service.run_once() == 0  # never twice
    clock.now = on(28)
    assert await service.run_once() == 0

    routed, follow_up = await mailbox(store)
    assert (
        follow_up.subject
        == f"[{ticket.number}] Recordatorio: solicitud sin respuesta — Pasto (Nariño)"
    )
    headers = dict(follow_up.headers)
    assert headers["In-Reply-To"] == routed.message_id == headers["References"]
    assert headers["Reply-To"] == "asistente.cti@mintic.gov.co"
    assert "lleva 3 días hábiles sin respuesta" in follow_up.text
    key = desk.keys.for_ticket(ticket.number)  # a staff reply to the reminder proves its ticket
    assert follow_up.message_id == f"<{ticket.number.lower()}.follow-up.{key}@mintic.gov.co>"
    async with store.transaction() as tx:
        events = await tx.ticket_events(ticket.id)
    assert events[-1].kind == "follow_up"


async def test_no_follow_up_once_staff_replied_or_closed(store, static):
    desk = desk_for(static, follow_up_days=1)
    answered, _ = await open_ticket(store, desk, FRIDAY)
    closed, _ = await open_ticket(store, desk, FRIDAY, description="Otra solicitud distinta")
    async with store.transaction() as tx:
        reply = StaffReply(
            "<r@mintic.gov.co>",
            "luisa@mintic.gov.co",
            f"[{answered.number}]",
            "Hola",
            answered.routed_message_id,
        )
        assert await desk.staff_reply(tx, reply, on(4, 15)) == "relayed"
        assert await desk.set_status(tx, closed, "cerrado", "cti:luisa", on(4, 16))
    service = TicketFollowUp(store, desk, WorkCalendar(), clock=Clock(on(15)))
    assert await service.run_once() == 0
    assert len(await mailbox(store)) == 2  # the two routed emails only
