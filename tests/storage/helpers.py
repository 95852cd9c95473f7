"""Small builders shared by the storage tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.contract import ConversationKey
from bot.storage.api import ContactRecord, Tx
from bot.storage.models import Base
from bot.storage.sql import SqlStore, open_store
from bot.territory import Gazetteer

T0 = datetime(2026, 3, 2, 15, 4, 5, 123456, tzinfo=UTC)
MEDELLIN = "05001"
# The real institutional domains of three alcaldías. Tests that register officials there load
# them, so an official at the alcaldía's domain joins at once, as in production.
INSTITUTIONAL_DOMAINS = (
    ("52001", "pasto.gov.co"),
    ("05001", "medellin.gov.co"),
    ("15001", "tunja.gov.co"),
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def register(
    tx: Tx, address: str, name: str, email: str, entity: str = MEDELLIN, role: str = "Enlace TIC"
) -> tuple[int, ContactRecord]:
    """A consenting, registered contact on a Telegram conversation: (conversation id, contact)."""
    conversation = await tx.conversation(ConversationKey("telegram", address), T0)
    consent_id = await tx.record_consent(conversation.id, "habeas-data-v1", T0)
    contact = await tx.create_contact(entity, name, role, email, consent_id, T0)
    await tx.save_conversation(conversation.id, {"step": "menu"}, contact.id, T0)
    return conversation.id, contact


async def with_domains(store: SqlStore) -> SqlStore:
    """`store` with `INSTITUTIONAL_DOMAINS` loaded."""
    async with store.transaction() as tx:
        await tx.load_domains(list(INSTITUTIONAL_DOMAINS), T0)
    return store


@asynccontextmanager
async def store_with_domains(url: str, gazetteer: Gazetteer) -> AsyncIterator[SqlStore]:
    """An opened store on `url` with `INSTITUTIONAL_DOMAINS` loaded (a `store` fixture's body:
    the officials tests register at those domains join their entity at once)."""
    opened = await with_domains(await open_store(url, gazetteer))
    try:
        yield opened
    finally:
        await opened.close()


async def dump_tables(store: SqlStore) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (entities aside), for checks that must see the whole database."""
    async with store.engine.connect() as conn:
        return {
            table.name: [dict(row._mapping) for row in await conn.execute(select(table))]
            for table in Base.metadata.sorted_tables
            if table.name != "entities"
        }
