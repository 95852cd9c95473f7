"""Receiving over a real IMAP server (pymap) and over our SMTP listener (aiosmtpd)."""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage

import aiosmtplib
import pytest

from channels.email.imap import ImapReader, ImapSettings
from channels.email.listener import SmtpListener
from tests.channels.email.imap_server import ImapServer
from tests.channels.email.smtp_server import free_port


def raw_mail(n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"funcionario{n}@municipio.gov.co"
    message["To"] = "asistente@cti.test"
    message["Subject"] = f"Mensaje {n}"
    message["Message-ID"] = f"<m{n}@municipio.gov.co>"
    message.set_content(f"texto {n} con tildes: sí")
    return message.as_bytes()


def settings(server: ImapServer, folder: str, processed: str | None = None) -> ImapSettings:
    return ImapSettings(
        host="127.0.0.1",
        port=server.port,
        security="none",
        username=server.user,
        password=server.password,
        folder=folder,
        processed_folder=processed,
        poll_seconds=0.2,
        idle_seconds=5,
        timeout=10,
    )


async def test_unseen_mail_is_handled_once_then_flagged(imap):
    await imap.create("Prueba1")
    for n in range(3):
        await imap.deliver(raw_mail(n), "Prueba1")
    got: list[bytes] = []

    async def handle(raw: bytes) -> None:
        got.append(raw)

    reader = ImapReader(settings(imap, "Prueba1"), handle)
    try:
        assert await reader.read_once() == 3
        assert await reader.read_once() == 0
    finally:
        await reader.close()
    assert [b"Mensaje 0" in g for g in got] == [True, False, False]
    assert all(b"con tildes" in g for g in got)
    assert await imap.unseen("Prueba1") == 0 and await imap.count("Prueba1") == 3


async def test_handled_mail_is_moved_to_the_processed_folder(imap):
    await imap.create("Prueba2")
    await imap.create("Prueba2-hechos")
    await imap.deliver(raw_mail(1), "Prueba2")

    async def handle(raw: bytes) -> None:
        pass

    reader = ImapReader(settings(imap, "Prueba2", "Prueba2-hechos"), handle)
    try:
        assert await reader.read_once() == 1
    finally:
        await reader.close()
    assert await imap.count("Prueba2") == 0 and await imap.count("Prueba2-hechos") == 1


async def test_a_failing_handler_leaves_the_mail_unseen_for_next_time(imap):
    await imap.create("Prueba3")
    await imap.deliver(raw_mail(1), "Prueba3")
    calls: list[int] = []

    async def handle(raw: bytes) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database down")

    reader = ImapReader(settings(imap, "Prueba3"), handle)
    try:
        with pytest.raises(RuntimeError):
            await reader.read_once()
        assert await imap.unseen("Prueba3") == 1
        assert await reader.read_once() == 1
    finally:
        await reader.close()
    assert await imap.unseen("Prueba3") == 0 and len(calls) == 2


async def test_idle_wakes_the_reader_when_mail_arrives(imap):
    await imap.create("Prueba4")
    arrived = asyncio.Queue[bytes]()

    async def handle(raw: bytes) -> None:
        await arrived.put(raw)

    reader = ImapReader(settings(imap, "Prueba4"), handle)
    task = asyncio.create_task(reader.run())
    try:
        await asyncio.sleep(0.5)  # connected and idling
        await imap.deliver(raw_mail(7), "Prueba4")
        raw = await asyncio.wait_for(arrived.get(), 20)
        assert b"Mensaje 7" in raw
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_the_reader_keeps_trying_while_the_server_is_down(caplog):
    got: list[bytes] = []

    async def handle(raw: bytes) -> None:
        got.append(raw)

    def attempts() -> int:
        return sum("retrying in" in r.getMessage() for r in caplog.records)

    down = ImapSettings("127.0.0.1", free_port(), "none", "x", "y", timeout=2)
    with caplog.at_level(logging.WARNING, logger="channels.email.imap"):
        task = asyncio.create_task(ImapReader(down, handle).run())
        # Refused connections are retried, not fatal: a second attempt fails the same way.
        async with asyncio.timeout(20):
            while attempts() < 2:
                assert not task.done(), task
                await asyncio.sleep(0.05)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_the_smtp_listener_acknowledges_only_what_was_handled():
    port = free_port()
    got: list[bytes] = []
    fail = [True]

    async def handle(raw: bytes, envelope: tuple[str, ...]) -> None:
        if fail[0]:
            raise RuntimeError("database down")
        got.append(raw)

    listener = SmtpListener("127.0.0.1", port, handle, max_bytes=1_000_000)
    await listener.start()
    try:
        message = EmailMessage()
        message["From"] = "ana@pasto.gov.co"
        message["To"] = "asistente@cti.test"
        message["Subject"] = "Hola"
        message.set_content("quiero hacer el diagnóstico")
        with pytest.raises(aiosmtplib.SMTPDataError) as refused:
            await aiosmtplib.send(message, hostname="127.0.0.1", port=port)
        assert refused.value.code == 451  # the relay keeps it and tries again
        fail[0] = False
        await aiosmtplib.send(message, hostname="127.0.0.1", port=port)
        big = EmailMessage()
        big["From"] = "ana@pasto.gov.co"
        big.set_content("x" * 2_000_000)
        with pytest.raises(aiosmtplib.SMTPResponseException) as too_big:
            await aiosmtplib.send(big, hostname="127.0.0.1", port=port, recipients=["a@b.co"])
        assert too_big.value.code == 552
    finally:
        await listener.stop()
    assert len(got) == 1 and b"Subject: Hola" in got[0]
