"""Ticket storage on SQLite and PostgreSQL: numbers per year, unique under concurrent creators,
repeats merged, the thread of events, erasure."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.storage.api import NewTicket, TicketEvent
from tests.storage.helpers import register

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=10)


def new(description: str = "Apoyo para formular la estrategia", **changes) -> NewTicket:
    values = {
        "entity_code": "52001",
        "contact_id": None,
        "topic": "estrategia",
        "description": description,
        "contact_means": "Correo electrónico: ana@pasto.gov.co",
        "channel": "telegram",
        "address": "1001",
    }
    return NewTicket(**{**values, **changes})


async def create(store, ticket: NewTicket, at: datetime = T0):
    async with store.transaction() as tx:
        return await tx.create_ticket(ticket, at, at - WINDOW)


async def test_numbers_count_per_year_of_creation(store):
    first, created = await create(store, new("uno uno uno"))
    second, _ = await create(store, new("dos dos dos"))
    next_year, _ = await create(store, new("tres tres tres"), datetime(2027, 1, 5, tzinfo=UTC))
    assert created and first.status == "recibido"
    assert [first.number, second.number, next_year.number] == [
        "CTI-2026-00001",
        "CTI-2026-00002",
        "CTI-2027-00001",
    ]
    async with store.transaction() as tx:
        assert (await tx.ticket("cti-2026-00002")).id == second.id
        events = await tx.ticket_events(first.id)
    assert [(e.kind, e.status, e.body) for e in events] == [("created", "recibido", "uno uno uno")]


async def test_concurrent_creators_get_distinct_numbers(store):
    # Same entity (the entity lock) and other entities (only the year's row) at once.
    requests = [new(f"Solicitud número {i} con detalle") for i in range(12)]
    requests += [
        new(f"Otra entidad {i}", entity_code=code)
        for i, code in enumerate(["05001", "11001", "76001", "52"])
    ]
    results = await asyncio.gather(*(create(store, r) for r in requests))
    numbers = sorted(t.number for t, created in results if created)
    assert len(numbers) == len(requests)
    assert numbers == [f"CTI-2026-{n:05d}" for n in range(1, len(requests) + 1)]


async def test_the_same_request_within_minutes_is_merged(store):
    first, _ = await create(store, new("Apoyo para la estrategia"))
    again, created = await create(
        store, new("  apoyo PARA la\nestrategia "), T0 + timedelta(minutes=3)
    )
    assert not created and again.number == first.number
    other, created = await create(
        store, new("Apoyo para otra cosa distinta"), T0 + timedelta(minutes=4)
    )
    assert created and other.number != first.number
    later, created = await create(
        store, new("Apoyo para la estrategia"), T0 + timedelta(minutes=30)
    )
    assert created and later.number != first.number


async def test_two_identical_requests_at_once_make_one_ticket(store):
    results = await asyncio.gather(*(create(store, new()) for _ in range(4)))
    assert sum(created for _, created in results) == 1
    assert len({t.number for t, _ in results}) == 1


async def test_a_closed_ticket_is_not_merged_into(store):
    first, _ = await create(store, new())
    async with store.transaction() as tx:
        await tx.update_ticket(first.id, T0, status="resuelto")
    again, created = await create(store, new(), T0 + timedelta(minutes=1))
    assert created and again.number != first.number


async def test_updates_events_and_lookups(store):
    ticket, _ = await create(store, new())
    later = T0 + timedelta(hours=2)
    async with store.transaction() as tx:
        await tx.update_ticket(ticket.id, T0, routed_message_id="<cti-2026-00001.routed@x>")
        await tx.update_ticket(ticket.id, later, status="en_atencion", last_staff_reply_at=later)
        await tx.add_ticket_event(
            ticket.id,
            TicketEvent("staff_reply", later, "en_atencion", "Hola", "a@mintic.gov.co", "<r1@x>"),
        )
    async with store.transaction() as tx:
        found = await tx.ticket_by_message_ids(("<other@x>", "<cti-2026-00001.routed@x>"))
        assert found is not None and found.status == "en_atencion"
        assert found.last_staff_reply_at == later and found.updated_at == later
        assert await tx.ticket_by_message_ids(()) is None
        assert [t.number for t in await tx.tickets(status="en_atencion")] == [ticket.number]
        assert await tx.tickets(status="resuelto") == []
        assert await tx.tickets_without_staff_reply() == []
        events = await tx.ticket_events(ticket.id)
    assert events[-1] == TicketEvent(
        "staff_reply", later, "en_atencion", "Hola", "a@mintic.gov.co", "<r1@x>"
    )


async def test_erasing_the_contact_blanks_how_to_reach_them(store):
    async with store.transaction() as tx:
        _, contact = await register(tx, "1001", "Ana Pérez", "ana@pasto.gov.co", entity="52001")
    description = (
        "Apoyo para formular la estrategia. Soy Ana Pérez, escríbame a ana@pasto.gov.co "
        "o al 310 555 1234."
    )
    ticket, _ = await create(
        store, new(description, contact_id=contact.id, entity_code=contact.entity_code)
    )
    async with store.transaction() as tx:
        assert [t.number for t in await tx.tickets(contact_id=contact.id)] == [ticket.number]
        await tx.erase_contact(contact.id, T0)
    async with store.transaction() as tx:
        kept = await tx.ticket(ticket.number)
    assert kept is not None and kept.contact_id is None
    assert kept.contact_means == "" and kept.address == ""
    # The entity's request stays, without the person's name, address or number.
    assert kept.description.startswith("Apoyo para formular la estrategia. Soy ***")
    for personal in ("Ana Pérez", "ana@pasto.gov.co", "555 1234"):
        assert personal not in kept.description


async def test_tickets_from_before_the_migration_keep_their_numbers(tmp_path, gazetteer):
    """Revision 0004 starts each year's sequence after the numbers already given."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from bot.storage.migrate import alembic_config, seed_entities
    from bot.storage.sql import open_store

    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0003")
        seed_entities(conn, gazetteer)
        conn.execute(
            text(
                "INSERT INTO tickets (number, entity_code, topic, description, contact_means,"
                " status, created_at, updated_at) VALUES ('CTI-2026-00007', '52001', 'otro',"
                " 'antes', '', 'recibido', '2026-03-01 10:00:00.000000',"
                " '2026-03-01 10:00:00.000000')"
            )
        )
    engine.dispose()
    store = await open_store(f"sqlite+aiosqlite:///{path}", gazetteer)
    try:
        ticket, created = await create(store, new("después de migrar"))
    finally:
        await store.close()
    assert created and ticket.number == "CTI-2026-00008"
