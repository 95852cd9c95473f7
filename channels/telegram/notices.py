"""Delivering notices to Telegram chats from the outbox: what the assistant says outside a
conversation turn (a MinTIC reply to a ticket, a reminder). Stored in the transaction that
decided them, so a crash or a Telegram outage delays them but never loses them.

A chat that blocked the bot (403) or no longer exists (400 "chat not found") will never take
the message: that is final, not retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.contract import Notice
from channels.outbox import OutboxQueue, RetryPolicy
from channels.telegram.channel import TelegramChannel

log = logging.getLogger(__name__)


class NoticeDelivery:
    def __init__(
        self,
        queue: OutboxQueue,
        channel: TelegramChannel,
        policy: RetryPolicy,
        *,
        batch: int = 20,
        idle_seconds: float = 5.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.queue, self.channel, self.policy = queue, channel, policy
        self.batch, self.idle_seconds, self.clock = batch, idle_seconds, clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, bot: Bot) -> None:
        while True:
            try:
                handled = await self.run_once(bot)
            except Exception:
                log.exception("telegram notices: could not read the queue")
                handled = 0
            if handled:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.idle_seconds)

    async def run_once(self, bot: Bot) -> int:
        items = await self.queue.claim(self.clock(), self.batch)
        for item in items:
            assert item.id is not None
            if not isinstance(item, Notice):
                await self.queue.failed(item.id, "not a notice")
                continue
            try:
                await self.channel.send(bot, item.replies)
            except (Forbidden, BadRequest) as exc:
                await self.queue.failed(item.id, str(exc))
                log.warning("telegram notices: %s %s refused: %s", item.kind, item.id, exc)
                continue
            except TelegramError as exc:
                if item.attempts >= self.policy.max_attempts:
                    await self.queue.failed(item.id, str(exc))
                    log.error(
                        "ALERTA telegram: aviso %s %s no entregado: %s", item.kind, item.id, exc
                    )
                else:
                    await self.queue.retry(
                        item.id, str(exc), self.clock() + self.policy.delay(item.attempts)
                    )
                continue
            await self.queue.sent(item.id, self.clock())
        return len(items)
