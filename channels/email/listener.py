"""Receiving mail relayed to the assistant over SMTP (aiosmtpd), for deployments whose mail
server forwards to us instead of leaving mail in an IMAP box.

The relay hears "250" only after `handle` has stored what the message caused; if that fails
(our database is down) it hears "451" and keeps the message to try again later, so nothing is
lost. A bad message never kills the listener: aiosmtpd turns a handler error into a 500 reply.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Awaitable, Callable

from aiosmtpd.smtp import SMTP, Envelope, Session

log = logging.getLogger(__name__)

Handler = Callable[[bytes, tuple[str, ...]], Awaitable[None]]  # (message, envelope recipients)


def loopback(host: str) -> bool:
    """Whether only this machine can reach `host` (anyone who can connect can write any
    From:, so a listener open to the network needs Authentication-Results to mean anything)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip()).is_loopback
    except ValueError:
        return False  # a host name: whatever it resolves to, it is not known to be local


class _Relay:
    def __init__(self, handle: Handler) -> None:
        self.handle = handle

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode("utf-8")
        try:
            await self.handle(raw, tuple(str(r) for r in envelope.rcpt_tos[:50]))
        except Exception:
            log.exception("smtp listener: could not handle a message; the relay will retry")
            return "451 4.3.0 Temporary failure, try again later"  # SMTP replies are ASCII
        return "250 OK"


class SmtpListener:
    def __init__(self, host: str, port: int, handle: Handler, max_bytes: int) -> None:
        self.host, self.port, self.max_bytes = host, port, max_bytes
        self._relay = _Relay(handle)
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self._relay, data_size_limit=self.max_bytes, hostname="asistente-cti"),
            self.host,
            self.port,
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def run(self) -> None:
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()
