"""Pacing per chat: at most one message a second to any one chat, as Telegram asks.

Past that limit Telegram answers 429, and python-telegram-bot's `AIORateLimiter` then holds
*every* request for the `retry_after` (one second or more), so one quick exchange in one chat
would stall the replies to everybody else. A reply that would come too soon waits here instead,
in its own chat only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

PRUNE_AT = 1024  # forget chats whose slot has passed once this many are remembered


class ChatPacer:
    def __init__(
        self, per_second: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.clock = clock
        self._next: dict[int, float] = {}  # chat id -> when its next message may go

    def reserve(self, chat_id: int) -> float:
        """Take the chat's next slot; the seconds to wait for it (0: now)."""
        if not self.interval:
            return 0.0
        now = self.clock()
        if len(self._next) >= PRUNE_AT:
            self._next = {c: t for c, t in self._next.items() if t > now}
        slot = max(now, self._next.get(chat_id, now))
        # Reserved before any waiting, so concurrent senders to one chat queue up in turn.
        self._next[chat_id] = slot + self.interval
        return slot - now

    async def wait(self, chat_id: int) -> None:
        delay = self.reserve(chat_id)
        if delay > 0:
            await asyncio.sleep(delay)

    def sent(self, chat_id: int) -> None:
        """A message to the chat was answered: Telegram saw it by now, maybe later than it
        left (the overall limiter, the network), so the next one counts from here."""
        if self.interval:
            self._next[chat_id] = max(self._next.get(chat_id, 0.0), self.clock() + self.interval)

    def __len__(self) -> int:
        return len(self._next)
