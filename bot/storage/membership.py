"""`Tx` methods about who acts for an entity: membership events, MinTIC's roster, institutional
domains, and the counters behind registration rate limits (the rules are bot.membership)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from bot.storage import records
from bot.storage.api import (
    ContactRecord,
    MembershipBasis,
    MembershipEvent,
    MembershipKind,
    MemberStatus,
    RosterEntry,
)
from bot.storage.base import (
    TxBase,
    contacts,
    entity_domains,
    membership_events,
    rate_events,
    roster,
)

_STATUS_AFTER: dict[MembershipKind, MemberStatus] = {
    "requested": "pending",
    "joined": "member",
    "approved": "member",
    "declined": "declined",
    "revoked": "revoked",
}
# Rate events older than this are never counted again.
_RATE_HORIZON = timedelta(days=2)


def rate_key(value: str) -> str:
    """The digest a rate counter is kept under: an address or chat id is never stored."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


class MembershipTx(TxBase):
    async def membership_basis(self, entity_code: str, email: str) -> MembershipBasis:
        address = email.strip().lower()
        listed = await self._one(
            select(roster.c.id).where(
                roster.c.entity_code == entity_code, roster.c.email == address
            )
        )
        if listed is not None:
            return "roster"
        domain = await self._one(
            select(entity_domains.c.domain).where(
                entity_domains.c.entity_code == entity_code,
                entity_domains.c.domain == domain_of(address),
            )
        )
        return "domain" if domain is not None else ""

    async def record_membership(
        self,
        contact_id: int,
        kind: MembershipKind,
        at: datetime,
        *,
        basis: MembershipBasis = "",
        actor_contact_id: int | None = None,
        actor_staff: str = "",
    ) -> ContactRecord:
        row = await self._one(
            update(contacts)
            .where(contacts.c.id == contact_id)
            .values(status=_STATUS_AFTER[kind], updated_at=at)
            .returning(contacts)
        )
        if row is None:
            raise LookupError(f"no contact {contact_id}")
        await self._run(
            self._insert(membership_events).values(
                contact_id=contact_id,
                entity_code=row.entity_code,
                kind=kind,
                basis=basis,
                actor_contact_id=actor_contact_id,
                actor_staff=actor_staff,
                at=at,
            )
        )
        return records.contact(row)

    async def membership_events(
        self, *, contact_id: int | None = None, entity_code: str | None = None
    ) -> list[MembershipEvent]:
        stmt = select(membership_events).order_by(membership_events.c.id)
        if contact_id is not None:
            stmt = stmt.where(membership_events.c.contact_id == contact_id)
        if entity_code is not None:
            stmt = stmt.where(membership_events.c.entity_code == entity_code)
        return [
            MembershipEvent(
                contact_id=row.contact_id,
                entity_code=row.entity_code,
                kind=row.kind,
                basis=row.basis,
                actor_contact_id=row.actor_contact_id,
                actor_staff=row.actor_staff,
                at=row.at,
            )
            for row in await self._run(stmt)
        ]

    async def members_of_entity(self, entity_code: str) -> list[ContactRecord]:
        stmt = (
            select(contacts)
            .where(contacts.c.entity_code == entity_code, contacts.c.status == "member")
            .order_by(contacts.c.id)
        )
        return [records.contact(row) for row in await self._run(stmt)]

    async def pending_contacts(self, entity_code: str | None = None) -> list[ContactRecord]:
        stmt = select(contacts).where(contacts.c.status == "pending").order_by(contacts.c.id)
        if entity_code is not None:
            stmt = stmt.where(contacts.c.entity_code == entity_code)
        return [records.contact(row) for row in await self._run(stmt)]

    async def requests_since(self, entity_code: str, since: datetime) -> int:
        stmt = (
            select(func.count())
            .select_from(membership_events)
            .where(
                membership_events.c.entity_code == entity_code,
                membership_events.c.kind == "requested",
                membership_events.c.at >= since,
            )
        )
        return int((await self._run(stmt)).scalar_one())

    async def load_roster(self, entries: list[RosterEntry], at: datetime) -> int:
        changed = 0
        for entry in entries:
            address = entry.email.strip().lower()
            where = (roster.c.entity_code == entry.entity_code, roster.c.email == address)
            row = await self._one(select(roster).where(*where))
            if row is None:
                await self._run(
                    self._insert(roster).values(
                        entity_code=entry.entity_code,
                        name=entry.name,
                        email=address,
                        role=entry.role,
                        loaded_at=at,
                    )
                )
                changed += 1
            elif (row.name, row.role) != (entry.name, entry.role):
                await self._run(
                    update(roster).where(*where).values(name=entry.name, role=entry.role)
                )
                changed += 1
        return changed

    async def roster(self, entity_code: str | None = None) -> list[RosterEntry]:
        stmt = select(roster).order_by(roster.c.entity_code, roster.c.id)
        if entity_code is not None:
            stmt = stmt.where(roster.c.entity_code == entity_code)
        return [
            RosterEntry(row.entity_code, row.name, row.email, row.role)
            for row in await self._run(stmt)
        ]

    async def load_domains(self, pairs: list[tuple[str, str]], at: datetime) -> int:
        added = 0
        for entity_code, domain in pairs:
            stmt = self._insert(entity_domains).values(
                entity_code=entity_code, domain=domain.strip().lower(), loaded_at=at
            )
            added += await self._count(stmt.on_conflict_do_nothing())
        return added

    async def remove_domain(self, entity_code: str, domain: str) -> bool:
        stmt = delete(entity_domains).where(
            entity_domains.c.entity_code == entity_code,
            entity_domains.c.domain == domain.strip().lower(),
        )
        return await self._count(stmt) > 0

    async def domains(self, entity_code: str | None = None) -> list[tuple[str, str]]:
        stmt = select(entity_domains.c.entity_code, entity_domains.c.domain).order_by(
            entity_domains.c.entity_code, entity_domains.c.domain
        )
        if entity_code is not None:
            stmt = stmt.where(entity_domains.c.entity_code == entity_code)
        return [(code, domain) for code, domain in await self._run(stmt)]

    async def note_rate(self, kind: str, key: str, at: datetime) -> None:
        await self._run(
            delete(rate_events).where(
                rate_events.c.kind == kind, rate_events.c.at < at - _RATE_HORIZON
            )
        )
        await self._run(self._insert(rate_events).values(kind=kind, key=key, at=at))

    async def rate_count(self, kind: str, key: str, since: datetime) -> int:
        stmt = (
            select(func.count())
            .select_from(rate_events)
            .where(rate_events.c.kind == kind, rate_events.c.key == key, rate_events.c.at >= since)
        )
        return int((await self._run(stmt)).scalar_one())

    async def forget_membership_traces(self, emails: list[str], rate_keys: list[str]) -> None:
        """On erasure: the person's roster lines and the rate counters keyed by them."""
        lowered = [e.strip().lower() for e in emails if e]
        if lowered:
            await self._run(delete(roster).where(roster.c.email.in_(lowered)))
        if rate_keys:
            await self._run(delete(rate_events).where(rate_events.c.key.in_(rate_keys)))
