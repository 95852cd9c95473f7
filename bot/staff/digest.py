"""The daily digest of `cti run`: the membership requests waiting for verification, mailed to
the MinTIC mailbox (`routing.mailbox`) at most once a day, and only when some are waiting.

Nothing is kept in memory: the day's digest has a Message-ID made from the date, and the
outbox adds nothing for an id it already holds, so a restart, a later check the same day or a
second instance never sends a second one. It goes from `DIGEST_HOUR` (Colombian time) on, so
staff find it in the morning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.contract import OutboundEmail
from bot.periodic import every
from bot.staff.decisions import Herald
from bot.storage.api import ContactRecord, Store, Tx
from bot.storage.outbox import OFFICIALS_DIGEST

log = logging.getLogger(__name__)

DIGEST_HOUR = 7
DIGEST_KIND = OFFICIALS_DIGEST


def digest_id(day: date, domain: str) -> str:
    return f"<pendientes-{day.isoformat()}@{domain or 'localhost'}>"


class PendingDigest:
    def __init__(
        self,
        store: Store,
        herald: Herald,
        mailbox: str,
        domain: str,
        zone: ZoneInfo,
        *,
        wake: Callable[[], None] = lambda: None,
        check_seconds: float = 900.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.herald, self.mailbox, self.domain = store, herald, mailbox, domain
        self.zone, self.wake, self.check_seconds, self.clock = zone, wake, check_seconds, clock

    async def run(self) -> None:
        await every(self.check_seconds, self.run_once, log, "officials digest")

    async def run_once(self) -> bool:
        """Queue today's digest if it is due, something waits and it is not queued yet."""
        now = self.clock()
        local = now.astimezone(self.zone)
        if local.hour < DIGEST_HOUR:
            return False
        message_id = digest_id(local.date(), self.domain)
        async with self.store.transaction() as tx:
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
            if await tx.outbox_recent(self.mailbox, midnight, (DIGEST_KIND,)):
                return False  # already queued today (the fixed id would stop a twin anyway)
            waiting = await tx.pending_contacts()
            if not waiting:
                return False
            email = await self._compose(tx, waiting, local, message_id)
            await tx.enqueue(email, now)
        log.info("officials digest: %d pending request(s) sent to the mailbox", len(waiting))
        self.wake()
        return True

    async def _compose(
        self, tx: Tx, waiting: list[ContactRecord], local: datetime, message_id: str
    ) -> OutboundEmail:
        pending = []
        for c in waiting:
            asked = [
                e.at for e in await tx.membership_events(contact_id=c.id) if e.kind == "requested"
            ]
            requested = (asked[-1] if asked else c.created_at).astimezone(self.zone)
            pending.append(
                {
                    "id": c.id,
                    "code": c.entity_code,
                    "entity": self.herald.entity_title(c.entity_code),
                    "name": c.name,
                    "role": c.role or "—",
                    "email": c.email
                    + ("" if c.email_verified_at else " (sin verificar: registro anterior)"),
                    "requested": requested.strftime("%Y-%m-%d %H:%M"),
                    "members": len(await tx.members_of_entity(c.entity_code)),
                }
            )
        catalog = self.herald.catalog
        day = local.date().isoformat()
        return OutboundEmail(
            recipient=self.mailbox,
            subject=catalog.render("officials.digest.subject", count=len(pending), day=day),
            text=catalog.render("officials.digest.body", pending=pending),
            message_id=message_id,
            kind=DIGEST_KIND,
        )
