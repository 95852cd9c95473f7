"""The follow-up service of `cti run`: remind the mailbox of tickets with no staff reply.

A ticket is due when `routing.follow_up_days` working days (Colombian holidays skipped, see
`bot.workdays`) have passed since it was opened and no staff reply arrived. Nothing is kept in
memory: each check reads the open tickets, and each reminder is queued in a transaction that
locks the ticket, checks again and marks it, so a restart or a second instance never sends two.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from bot.periodic import every
from bot.storage.api import TICKET_OPEN_STATUSES, Store, TicketRecord
from bot.tickets.desk import TicketDesk
from bot.workdays import WorkCalendar

log = logging.getLogger(__name__)


def is_due(ticket: TicketRecord, days: int, calendar: WorkCalendar, now: datetime) -> bool:
    if ticket.status not in TICKET_OPEN_STATUSES:
        return False
    if ticket.last_staff_reply_at is not None or ticket.follow_up_at is not None:
        return False
    return calendar.add_working_days(ticket.created_at, days) <= now


class TicketFollowUp:
    def __init__(
        self,
        store: Store,
        desk: TicketDesk,
        calendar: WorkCalendar,
        *,
        wake: Callable[[], None] = lambda: None,
        check_seconds: float = 600.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.desk, self.calendar, self.wake = store, desk, calendar, wake
        self.check_seconds, self.clock = check_seconds, clock

    async def run(self) -> None:
        await every(self.check_seconds, self.run_once, log, "ticket follow-up")

    async def run_once(self) -> int:
        """Queue every follow-up due now; how many were queued."""
        now = self.clock()
        days = self.desk.settings.follow_up_days
        async with self.store.transaction() as tx:
            waiting = await tx.tickets_without_staff_reply()
        queued = 0
        for candidate in waiting:
            if not is_due(candidate, days, self.calendar, now):
                continue
            async with self.store.transaction() as tx:
                ticket = await tx.ticket(candidate.number, lock=True)
                if ticket is None or not is_due(ticket, days, self.calendar, now):
                    continue
                await self.desk.follow_up(tx, ticket, now)
            log.info("ticket %s: follow-up sent to the mailbox", ticket.number)
            queued += 1
        if queued:
            self.wake()
        return queued
