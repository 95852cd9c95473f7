"""Reading the assistant's mailbox over IMAP (aioimaplib): IDLE where the server offers it,
polling otherwise; reconnects with backoff when the server goes away.

Each unseen message is fetched without marking it (`BODY.PEEK[]`), handed to `handle`, and only
then flagged `\\Seen` (or moved to the processed folder). A crash in between leaves it unseen, so
it is read again; `handle` is idempotent on the Message-ID, so that changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aioimaplib

log = logging.getLogger(__name__)

Handler = Callable[[bytes], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ImapSettings:
    host: str
    port: int
    security: str  # tls | none
    username: str
    password: str
    folder: str = "INBOX"
    processed_folder: str | None = None
    poll_seconds: float = 60.0
    idle_seconds: float = 300.0
    timeout: float = 30.0


class ImapError(Exception):
    """The server refused a command."""


def _check(response: aioimaplib.Response, what: str) -> aioimaplib.Response:
    if response.result != "OK":
        raise ImapError(f"{what}: {response.result} {response.lines[-1:]!r}")
    return response


async def disconnect(client: aioimaplib.IMAP4, wait: float) -> None:
    """LOGOUT, and close the socket whatever happens: LOGOUT fails on a broken or idling
    connection, and aioimaplib leaves the socket open then."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(client.logout(), wait)
    transport = getattr(client.protocol, "transport", None)
    if transport is not None:
        transport.close()


class ImapReader:
    def __init__(self, settings: ImapSettings, handle: Handler) -> None:
        self.settings, self.handle = settings, handle
        self._client: aioimaplib.IMAP4 | None = None

    async def connect(self) -> aioimaplib.IMAP4:
        s = self.settings
        kind = aioimaplib.IMAP4_SSL if s.security == "tls" else aioimaplib.IMAP4
        client = kind(host=s.host, port=s.port, timeout=s.timeout)
        await client.wait_hello_from_server()
        _check(await client.login(s.username, s.password), "LOGIN")
        _check(await client.select(s.folder), f"SELECT {s.folder}")
        self._client = client
        return client

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await disconnect(client, self.settings.timeout)

    async def read_once(self) -> int:
        """Handle every unseen message once; returns how many were handled."""
        client = self._client or await self.connect()
        found = _check(await client.uid_search("UNSEEN"), "UID SEARCH")
        uids = [uid for line in found.lines[:-1] for uid in line.decode().split() if uid.isdigit()]
        handled = 0
        for uid in uids:
            fetched = _check(await client.uid("fetch", uid, "(BODY.PEEK[])"), "UID FETCH")
            raw = next((bytes(x) for x in fetched.lines if isinstance(x, bytearray)), None)
            if raw is None:
                continue  # expunged meanwhile
            await self.handle(raw)  # an exception leaves the message unseen for next time
            await self._done(client, uid)
            handled += 1
        return handled

    async def _done(self, client: aioimaplib.IMAP4, uid: str) -> None:
        target = self.settings.processed_folder
        if target and client.has_capability("MOVE"):
            _check(await client.uid("move", uid, target), "UID MOVE")
            return
        _check(await client.uid("store", uid, "+FLAGS.SILENT", "(\\Seen)"), "UID STORE")
        if target:
            _check(await client.uid("copy", uid, target), "UID COPY")

    async def _wait(self, client: aioimaplib.IMAP4) -> None:
        """Until the server announces new mail (IDLE) or the polling interval passes."""
        if not client.has_capability("IDLE"):
            await asyncio.sleep(self.settings.poll_seconds)
            return
        idle = await client.idle_start(timeout=self.settings.idle_seconds)
        try:
            while client.has_pending_idle():
                push = await client.wait_server_push(timeout=self.settings.idle_seconds)
                if push == aioimaplib.STOP_WAIT_SERVER_PUSH or any(
                    b"EXISTS" in line for line in push if isinstance(line, bytes)
                ):
                    break
        except TimeoutError:
            pass  # renew IDLE: servers drop it after 30 minutes
        finally:
            if client.has_pending_idle():
                client.idle_done()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(idle, self.settings.timeout)

    async def run(self) -> None:
        delay = 1.0
        while True:
            try:
                client = self._client or await self.connect()
                await self.read_once()
                delay = 1.0
                await self._wait(client)
            except asyncio.CancelledError:
                await self.close()
                raise
            except Exception as exc:
                # Server down, network gone, our database down during `handle`: try again.
                log.warning("imap: %s: %s; retrying in %.0f s", type(exc).__name__, exc, delay)
                await self.close()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 300.0)
