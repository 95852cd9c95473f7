"""What every channel's delivery worker shares: the outbox queue it drains and when to retry.

The queue is `bot.storage.outbox.StoreOutbox`, given by the composition root; channels only
see this protocol, so they import nothing of the storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.contract import OutboxItem


class OutboxQueue(Protocol):
    async def claim(self, now: datetime, limit: int) -> list[OutboxItem]: ...

    async def sent(self, item_id: int, at: datetime) -> None: ...

    async def retry(self, item_id: int, error: str, at: datetime) -> None: ...

    async def failed(self, item_id: int, error: str) -> None: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 15
    backoff_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0

    def delay(self, attempts: int) -> timedelta:
        """Wait after the `attempts`-th failed attempt: 30 s, 60 s, 120 s... up to the cap."""
        seconds = self.backoff_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.backoff_max_seconds))
