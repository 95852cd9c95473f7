"""Tickets made directly through the desk, at chosen times, on the `store` fixture; waiting for
mail to reach the loopback SMTP server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.app import Static, build_deps
from bot.config import load_config
from bot.storage.api import ContactRecord, NewTicket, TicketRecord
from bot.tickets.desk import TicketDesk
from tests.channels.email.smtp_server import Received, SmtpServer
from tests.storage.helpers import register

if TYPE_CHECKING:
    from tests.channels.email.imap_server import ImapServer

MAILBOX = "ciudadesyterritoriosinteligentes@mintic.gov.co"
WAIT = 30.0


def desk_for(static: Static, **routing) -> TicketDesk:
    config = load_config(env={})
    if routing:
        config = config.model_copy(update={"routing": config.routing.model_copy(update=routing)})
    desk = build_deps(config, static).desk
    assert desk is not None
    return desk


async def open_ticket(
    store,
    desk: TicketDesk,
    at: datetime,
    *,
    channel: str = "telegram",
    address: str = "1001",
    description: str = "Apoyo para formular la estrategia",
) -> tuple[TicketRecord, ContactRecord]:
    async with store.transaction() as tx:
        _, contact = (
            await register(tx, address, "Ana Pérez", "ana@pasto.gov.co", entity="52001")
            if await tx.contact_by_email("ana@pasto.gov.co") is None
            else (
                None,
                await tx.contact_by_email("ana@pasto.gov.co"),
            )
        )
        assert contact is not None
        new = NewTicket("52001", contact.id, "estrategia", description, "", channel, address)
        ticket, created = await desk.open(tx, new, contact, at, None)
    assert created
    return ticket, contact


async def until(condition: Callable[[], Any], what: str, wait: float = WAIT) -> Any:
    deadline = asyncio.get_running_loop().time() + wait
    while not (result := condition()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return result


def to(smtp: SmtpServer, address: str) -> list[Received]:
    return [r for r in smtp.recorder.received if address in r.rcpt_tos]


async def until_settled(store: Any, imap: ImapServer, folder: str, wait: float = WAIT) -> None:
    """Until every mail delivered to `folder` was read and handled (the reader flags or moves
    it only afterwards) and nothing is left in the outbox to deliver: whatever those mails
    caused has been sent, so what did not arrive by now never will."""
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        async with store.transaction() as tx:
            pending = (await tx.outbox_counts())["pending"]
        if not pending and not await imap.unseen(folder):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not settled: {pending} pending")
        await asyncio.sleep(0.05)
