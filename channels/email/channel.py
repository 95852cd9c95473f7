"""The email channel's inbound side: a received message -> filters -> the engine.

The engine writes its replies to the outbox in the message's own transaction (email is a
deferred channel), so `receive` returns only once everything the message caused is stored; the
IMAP reader flags the message and the SMTP listener says "250" only then. Mail the assistant must
not answer (robots, bounces, lists, our own loop, oversized or malformed mail) is logged and
dropped. Routes tried first (a staff reply to a ticket) take the mail before the conversation.

Then the gate: only mail that proves control of its sender's mailbox (a reply key made for the
From: address, and Authentication-Results where configured) reaches the conversation, marked
`proven`. Everything else goes to the gate's `refuse`, which changes nothing but may send one
fixed invitation to reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.contract import ConversationKey, IncomingMessage, MessageHandler
from bot.redact import mask_email
from channels.email.authentication import NO_CHECK, AuthPolicy
from channels.email.inbound import DEFAULT_LIMITS, InboundMail, Limits, Rejected, read

log = logging.getLogger(__name__)

Route = Callable[[InboundMail], Awaitable[bool]]  # True: handled, the conversation never sees it


class Gate(Protocol):
    def proven(self, sender: str, keys: Sequence[str]) -> bool: ...

    async def refuse(self, sender: str, reason: str) -> bool: ...


class EmailChannel:
    def __init__(
        self,
        engine: MessageHandler,
        address: str,
        gate: Gate,
        limits: Limits = DEFAULT_LIMITS,
        routes: Sequence[Route] = (),
        auth: AuthPolicy = NO_CHECK,
    ) -> None:
        self.engine, self.address, self.gate = engine, address, gate
        self.limits, self.routes, self.auth = limits, routes, auth

    async def receive(self, raw: bytes, envelope: tuple[str, ...] = ()) -> None:
        # Parsing a large message takes a while: off the event loop, so chats keep flowing.
        mail = await asyncio.to_thread(read, raw, self.address, self.limits, self.auth, envelope)
        if isinstance(mail, Rejected):
            log.info("email ignored (%s%s)", mail.reason, f": {mail.detail}" if mail.detail else "")
            return
        for route in self.routes:
            if await route(mail):
                return
        if not mail.authenticated:
            await self.gate.refuse(mail.sender, "authentication")
            return
        if not self.gate.proven(mail.sender, mail.keys):
            await self.gate.refuse(mail.sender, "no reply key")
            return
        log.info("email %s from %s", mail.message_id, mask_email(mail.sender))
        await self.engine.handle(
            IncomingMessage(
                ConversationKey("email", mail.sender),
                mail.message_id,
                text=mail.request,
                attachments=mail.attachments,
                subject=mail.subject,
                references=mail.references,
                proven=True,
            )
        )
