"""A real IMAP server on loopback for tests: pymap (in-memory backend) in a child process, with
one mailbox user. Mail is put in with IMAP APPEND, as a delivery agent would."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import aioimaplib

from channels.email.imap import disconnect
from tests.channels.email.smtp_server import free_port

USER, PASSWORD = "asistente", "clave-de-prueba"


@dataclass(frozen=True)
class ImapServer:
    port: int
    user: str = USER
    password: str = PASSWORD

    async def client(self) -> aioimaplib.IMAP4:
        client = aioimaplib.IMAP4(host="127.0.0.1", port=self.port, timeout=10)
        await client.wait_hello_from_server()
        assert (await client.login(self.user, self.password)).result == "OK"
        return client

    async def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        client = await self.client()
        try:
            assert (await client.append(raw, mailbox=folder)).result == "OK"
        finally:
            await disconnect(client, 10)

    async def create(self, folder: str) -> None:
        client = await self.client()
        try:
            assert (await client.create(folder)).result == "OK"
        finally:
            await disconnect(client, 10)

    async def unseen(self, folder: str = "INBOX") -> int:
        client = await self.client()
        try:
            await client.select(folder)
            found = await client.uid_search("UNSEEN")
            return sum(len(line.split()) for line in found.lines[:-1])
        finally:
            await disconnect(client, 10)

    async def count(self, folder: str = "INBOX") -> int:
        client = await self.client()
        try:
            await client.select(folder)
            found = await client.uid_search("ALL")
            return sum(len(line.split()) for line in found.lines[:-1])
        finally:
            await disconnect(client, 10)


@contextmanager
def imap_server() -> Iterator[ImapServer]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pymap.main import main; sys.exit(main())",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-tls",
            "dict",
            "--demo-user",
            USER,
            "--demo-password",
            PASSWORD,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"pymap did not start: {process.stderr.read()!r}")  # type: ignore[union-attr]
            try:
                asyncio.run(_hello(port))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield ImapServer(port)
    finally:
        process.terminate()
        process.wait(10)
        if process.stderr is not None:
            process.stderr.close()


async def _hello(port: int) -> None:
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()
    await writer.wait_closed()
