"""A real SMTP server (aiosmtpd) on loopback, in the test's own event loop, that records what it
receives and can misbehave on demand: refuse temporarily (4xx) or permanently (5xx), drop the
connection after receiving the data, or be down altogether."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """The aiosmtpd handler: `handle_DATA` is all it needs."""

    received: list[Received] = field(default_factory=list)
    reply: str = "250 OK"  # what to answer to DATA: "451 ...", "550 ..."
    drop_after_data: int = 0  # close the connection after storing the data, without answering
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if not self.reply.startswith("250"):
            return self.reply
        assert isinstance(envelope.content, bytes)
        self.received.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), envelope.content)
        )
        self.arrived.set()
        if self.drop_after_data:
            self.drop_after_data -= 1
            assert server.transport is not None
            server.transport.abort()
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [r.message["Message-ID"] for r in self.received]


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.recorder = Recorder()
        self._server: asyncio.Server | None = None
        self._sessions: list[SMTP] = []

    def _session(self) -> SMTP:
        session = SMTP(self.recorder, hostname="smtp.test", data_size_limit=50_000_000)
        self._sessions.append(session)
        return session

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._session, "127.0.0.1", self.port)

    async def stop(self) -> None:
        """An outage: open connections are cut too, as when the server's machine goes away."""
        for session in self._sessions:
            if session.transport is not None:
                session.transport.abort()
        self._sessions.clear()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def code_for(self, address: str, wait: float = 30.0) -> str:
        """The six-digit code in the newest mail received for `address`, as its owner reads
        it (waits for the mail to arrive)."""
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            for mail in reversed(self.recorder.received):
                if mail.rcpt_tos == [address]:
                    body = mail.message.get_body(("plain",))
                    text = body.get_content() if body is not None else ""
                    found = re.search(r"^\s*(\d{6})\s*$", text, re.MULTILINE)
                    if found is not None:
                        return found.group(1)
            assert asyncio.get_running_loop().time() < deadline, f"no code for {address}"
            await asyncio.sleep(0.05)

    async def __aenter__(self) -> SmtpServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()
