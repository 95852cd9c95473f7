"""Tickets made directly through the desk, at chosen times, on the `store` fixture."""

from __future__ import annotations

from datetime import datetime

from bot.app import Static, build_deps
from bot.config import load_config
from bot.storage.api import ContactRecord, NewTicket, TicketRecord
from bot.tickets.desk import TicketDesk
from tests.storage.helpers import register

MAILBOX = "ciudadesyterritoriosinteligentes@mintic.gov.co"


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
