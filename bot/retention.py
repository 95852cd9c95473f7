"""The retention service of `cti run`: the text of messages sent more than
`channels.email.outbox.retain_days` ago is blanked (Ley 1581: kept no longer than needed).

What stays is the delivery record: address, Message-ID, kind, status and times, which the
rate limits and the never-twice guarantee of the outbox need. Erasure removes even that for a
person who asks (`bot.storage.privacy`). Work goes in batches, each its own short transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.periodic import every
from bot.storage.api import Store

log = logging.getLogger(__name__)

BATCH = 500


class OutboxRetention:
    def __init__(
        self,
        store: Store,
        retain: timedelta,
        *,
        check_seconds: float = 3600.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        batch: int = BATCH,
    ) -> None:
        self.store, self.retain, self.check_seconds = store, retain, check_seconds
        self.clock, self.batch = clock, batch

    async def run(self) -> None:
        await every(self.check_seconds, self.run_once, log, "outbox retention")

    async def run_once(self) -> int:
        """Blank every message past retention now; how many."""
        before = self.clock() - self.retain
        total = 0
        while True:
            async with self.store.transaction() as tx:
                done = await tx.expire_outbox(before, self.batch)
            total += done
            if done < self.batch:
                break
        if total:
            log.info("outbox retention: %d messages blanked", total)
        return total
