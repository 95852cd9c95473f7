"""`Tx` methods about tickets: numbering, merging repeats, the thread of events.

Numbers count per year of creation: an upsert on the year's row of `ticket_sequences` returns
the next one. On PostgreSQL that row lock serialises concurrent creators until they commit; on
SQLite every writer already holds the database lock. A creator that rolls back leaves a gap,
never a duplicate. Before numbering, the entity's row is locked (PostgreSQL) so two identical
requests arriving together are merged rather than both created.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from bot.storage.api import (
    TICKET_OPEN_STATUSES,
    NewTicket,
    TicketEvent,
    TicketRecord,
)
from bot.storage.base import TxBase, entities, ticket_events, ticket_sequences, tickets

FIRST_STATUS = "recibido"


def ticket_number(year: int, sequence: int) -> str:
    """CTI-2026-00042."""
    return f"CTI-{year}-{sequence:05d}"


def same_request(a: str, b: str) -> bool:
    """Descriptions equal but for case and spacing."""
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _record(row: Any) -> TicketRecord:
    return TicketRecord(
        id=row.id,
        number=row.number,
        entity_code=row.entity_code,
        contact_id=row.contact_id,
        topic=row.topic,
        description=row.description,
        contact_means=row.contact_means,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
        channel=row.channel,
        address=row.address,
        routed_message_id=row.routed_message_id,
        last_staff_reply_at=row.last_staff_reply_at,
        follow_up_at=row.follow_up_at,
    )


class TicketsTx(TxBase):
    async def create_ticket(
        self, new: NewTicket, at: datetime, merge_since: datetime
    ) -> tuple[TicketRecord, bool]:
        await self._run(
            select(entities.c.code).where(entities.c.code == new.entity_code).with_for_update()
        )
        recent = await self._run(
            select(tickets)
            .where(
                tickets.c.entity_code == new.entity_code,
                tickets.c.topic == new.topic,
                tickets.c.status.in_(TICKET_OPEN_STATUSES),
                tickets.c.created_at >= merge_since,
            )
            .order_by(tickets.c.id.desc())
        )
        for row in recent:
            if same_request(row.description, new.description):
                return _record(row), False
        bump = self._insert(ticket_sequences).values(year=at.year, last=1)
        bump = bump.on_conflict_do_update(
            index_elements=[ticket_sequences.c.year],
            set_={"last": ticket_sequences.c.last + 1},
        )
        sequence = int((await self._run(bump.returning(ticket_sequences.c.last))).scalar_one())
        values = {
            "number": ticket_number(at.year, sequence),
            "entity_code": new.entity_code,
            "contact_id": new.contact_id,
            "topic": new.topic,
            "description": new.description,
            "contact_means": new.contact_means,
            "status": FIRST_STATUS,
            "created_at": at,
            "updated_at": at,
            "channel": new.channel,
            "address": new.address,
        }
        ticket_id = int(
            (
                await self._run(tickets.insert().values(**values).returning(tickets.c.id))
            ).scalar_one()
        )
        await self.add_ticket_event(
            ticket_id, TicketEvent("created", at, FIRST_STATUS, new.description)
        )
        created = await self._one(select(tickets).where(tickets.c.id == ticket_id))
        assert created is not None
        return _record(created), True

    async def ticket(self, number: str, *, lock: bool = False) -> TicketRecord | None:
        stmt = select(tickets).where(tickets.c.number == number.strip().upper())
        row = await self._one(stmt.with_for_update() if lock else stmt)
        return _record(row) if row else None

    async def ticket_by_message_ids(self, message_ids: tuple[str, ...]) -> TicketRecord | None:
        if not message_ids:
            return None
        row = await self._one(
            select(tickets)
            .where(tickets.c.routed_message_id.in_(message_ids))
            .order_by(tickets.c.id)
            .limit(1)
            .with_for_update()
        )
        return _record(row) if row else None

    async def tickets(
        self, status: str | None = None, contact_id: int | None = None
    ) -> list[TicketRecord]:
        stmt = select(tickets).order_by(tickets.c.id.desc())
        if status is not None:
            stmt = stmt.where(tickets.c.status == status)
        if contact_id is not None:
            stmt = stmt.where(tickets.c.contact_id == contact_id)
        return [_record(row) for row in await self._run(stmt)]

    async def tickets_without_staff_reply(self) -> list[TicketRecord]:
        rows = await self._run(
            select(tickets)
            .where(
                tickets.c.status.in_(TICKET_OPEN_STATUSES),
                tickets.c.last_staff_reply_at.is_(None),
                tickets.c.follow_up_at.is_(None),
            )
            .order_by(tickets.c.id)
        )
        return [_record(row) for row in rows]

    async def update_ticket(
        self,
        ticket_id: int,
        at: datetime,
        *,
        status: str | None = None,
        routed_message_id: str | None = None,
        last_staff_reply_at: datetime | None = None,
        follow_up_at: datetime | None = None,
    ) -> None:
        changes: dict[str, Any] = {"updated_at": at}
        for name, value in (
            ("status", status),
            ("routed_message_id", routed_message_id),
            ("last_staff_reply_at", last_staff_reply_at),
            ("follow_up_at", follow_up_at),
        ):
            if value is not None:
                changes[name] = value
        await self._run(update(tickets).where(tickets.c.id == ticket_id).values(**changes))

    async def add_ticket_event(self, ticket_id: int, event: TicketEvent) -> None:
        await self._run(
            ticket_events.insert().values(
                ticket_id=ticket_id,
                kind=event.kind,
                status=event.status,
                body=event.body,
                author=event.author,
                at=event.at,
                message_id=event.message_id,
            )
        )

    async def ticket_events(self, ticket_id: int) -> list[TicketEvent]:
        rows = await self._run(
            select(ticket_events)
            .where(ticket_events.c.ticket_id == ticket_id)
            .order_by(ticket_events.c.id)
        )
        return [TicketEvent(r.kind, r.at, r.status, r.body, r.author, r.message_id) for r in rows]
