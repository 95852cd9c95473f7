"""The outbox worker: delivers stored emails, retries with exponential backoff, gives up after
a permanent refusal or too many attempts (with an alert in the log), never drops one.

Several workers may share one PostgreSQL outbox: `claim` skips rows another worker holds. A crash
between the SMTP server's acceptance and our `sent` mark means one resend after the lease, with
the same Message-ID, which receiving servers and mail clients recognise as the same message.

No address receives more than `SendLimits` allows per hour and per day, whatever asked for the
mail (a loop, someone making us write to a third party): the rest waits, it is not dropped. The
mail to MinTIC's mailbox (tickets) is not counted: it goes to our own side.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Protocol

from bot.contract import Notice, OutboundEmail, OutboxItem
from bot.redact import mask_email, redact
from bot.replykeys import ReplyKeys
from channels.email.compose import compose
from channels.email.smtp import DeliveryError
from channels.outbox import OutboxQueue, RetryPolicy

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SendLimits:
    per_hour: int = 30
    per_day: int = 120
    exempt_kinds: frozenset[str] = frozenset({"ticket", "ticket-follow-up"})


SentSince = Callable[[str, datetime], Awaitable[int]]  # (recipient, since) -> mails sent


class Sender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...

    async def close(self) -> None: ...


class OutboxWorker:
    def __init__(
        self,
        queue: OutboxQueue,
        sender: Sender,
        from_: Address,
        policy: RetryPolicy,
        *,
        render: Callable[[Notice], OutboundEmail] | None = None,
        batch: int = 20,
        idle_seconds: float = 5.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        keys: ReplyKeys | None = None,
        plus_addressing: bool = False,
        limits: SendLimits | None = None,
        sent_since: SentSince | None = None,
    ) -> None:
        self.queue, self.sender, self.from_, self.policy = queue, sender, from_, policy
        self.render = render
        self.keys, self.plus_addressing = keys, plus_addressing
        self.limits, self.sent_since = limits, sent_since
        self.batch, self.idle_seconds, self.clock = batch, idle_seconds, clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New rows were committed: look now instead of at the next tick."""
        self._wake.set()

    async def run(self) -> None:
        try:
            while True:
                try:
                    handled = await self.run_once()
                except Exception:
                    # The database may be down: keep the worker alive and look again later.
                    log.exception("outbox: could not read the queue")
                    handled = 0
                if handled:
                    continue
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.idle_seconds)
        finally:
            await self.sender.close()

    async def run_once(self) -> int:
        """Claim one batch and try each email once; returns how many were claimed."""
        emails = [self._as_email(item) for item in await self.queue.claim(self.clock(), self.batch)]
        for index, email in enumerate(emails):
            assert email.id is not None
            wait = await self._over_limit(email)
            if wait is not None:
                await self.queue.retry(email.id, "límite de envíos a esta dirección", wait)
                log.warning(
                    "outbox: %s %s to %s held back: sending limit reached",
                    email.kind,
                    email.message_id,
                    mask_email(email.recipient),
                )
                continue
            try:
                message = compose(
                    email,
                    self.from_,
                    self.clock(),
                    self.keys,
                    plus_addressing=self.plus_addressing,
                )
                await self.sender.send(message)
            except DeliveryError as exc:
                await self._failed_attempt(email, exc)
                if not exc.permanent:
                    # The server is unreachable or busy: the rest of the batch would fail the
                    # same way. They wait for the lease, like a crashed worker's claim.
                    for rest in emails[index + 1 :]:
                        assert rest.id is not None
                        await self.queue.retry(
                            rest.id, str(exc), self.clock() + self.policy.delay(rest.attempts)
                        )
                    break
                continue
            await self.queue.sent(email.id, self.clock())
            log.info(
                "outbox: sent %s %s to %s",
                email.kind,
                email.message_id,
                mask_email(email.recipient),
            )
        return len(emails)

    async def _over_limit(self, email: OutboundEmail) -> datetime | None:
        """When to try again if the recipient already got their share; None to send now."""
        limits, count = self.limits, self.sent_since
        if limits is None or count is None or email.kind in limits.exempt_kinds:
            return None
        now = self.clock()
        if await count(email.recipient, now - timedelta(hours=1)) >= limits.per_hour:
            return now + timedelta(minutes=10)
        if await count(email.recipient, now - timedelta(days=1)) >= limits.per_day:
            return now + timedelta(hours=1)
        return None

    def _as_email(self, item: OutboxItem) -> OutboundEmail:
        """A notice (replies to a conversation) becomes an email the way the channel renders it."""
        if isinstance(item, OutboundEmail):
            return item
        if self.render is None:
            raise TypeError("this worker has no renderer for notices")
        email = self.render(item)
        return dataclasses.replace(email, id=item.id, attempts=item.attempts, kind=item.kind)

    async def _failed_attempt(self, email: OutboundEmail, exc: DeliveryError) -> None:
        assert email.id is not None
        if exc.permanent or email.attempts >= self.policy.max_attempts:
            await self.queue.failed(email.id, str(exc))
            log.error(
                "ALERTA outbox: %s %s para %s no se entregó tras %d intento(s): %s",
                email.kind,
                email.message_id,
                mask_email(email.recipient),
                email.attempts,
                redact(str(exc)),
            )
            return
        at = self.clock() + self.policy.delay(email.attempts)
        await self.queue.retry(email.id, str(exc), at)
        log.warning(
            "outbox: %s %s attempt %d failed (%s); next at %s",
            email.kind,
            email.message_id,
            email.attempts,
            redact(str(exc)),
            at.isoformat(timespec="seconds"),
        )
