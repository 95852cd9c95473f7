"""`Tx` methods about messages, conversations, consent and contacts (and erasing a person)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from bot.contract import ConversationKey
from bot.storage import records
from bot.storage.api import ConsentRecord, ContactRecord, ConversationRecord, PersonalData
from bot.storage.base import (
    TxBase,
    answer_history,
    answers,
    consents,
    contacts,
    conversations,
    entities,
    processed_messages,
    tickets,
)
from bot.territory import Entity

_MAX_MESSAGE_ID = 255


def message_key(message_id: str) -> str:
    """The stored form of a channel message id: itself, or a digest when it is too long."""
    if len(message_id) <= _MAX_MESSAGE_ID:
        return message_id
    return "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()


def _where_key(key: ConversationKey) -> tuple[Any, Any]:
    return conversations.c.channel == key.channel, conversations.c.address == key.address


class PeopleTx(TxBase):
    async def claim_message(self, key: ConversationKey, message_id: str, at: datetime) -> bool:
        conversation_id = select(conversations.c.id).where(*_where_key(key)).scalar_subquery()
        stmt = self._insert(processed_messages).values(
            channel=key.channel,
            message_id=message_key(message_id),
            conversation_id=conversation_id,
            processed_at=at,
        )
        # A concurrent claim of the same id waits for ours to end, then inserts nothing.
        return await self._count(stmt.on_conflict_do_nothing()) == 1

    async def conversation(self, key: ConversationKey, at: datetime) -> ConversationRecord:
        locked = select(conversations).where(*_where_key(key)).with_for_update()
        row = await self._one(locked)
        if row is None:
            new = self._insert(conversations).values(
                channel=key.channel, address=key.address, state={}, created_at=at, updated_at=at
            )
            await self._run(new.on_conflict_do_nothing())
            row = (await self._run(locked)).one()
        return records.conversation(row)

    async def find_conversation(self, key: ConversationKey) -> ConversationRecord | None:
        row = await self._one(select(conversations).where(*_where_key(key)).with_for_update())
        return records.conversation(row) if row else None

    async def delete_conversation(self, conversation_id: int) -> None:
        """Its processed message ids stay (unlinked) so replays are still recognised; consents
        given there forget where. Deleting an unknown conversation does nothing."""
        await self._run(
            update(consents)
            .where(consents.c.conversation_id == conversation_id)
            .values(conversation_id=None)
        )
        await self._run(
            update(processed_messages)
            .where(processed_messages.c.conversation_id == conversation_id)
            .values(conversation_id=None)
        )
        await self._run(delete(conversations).where(conversations.c.id == conversation_id))

    async def save_conversation(
        self, conversation_id: int, state: dict[str, Any], contact_id: int | None, at: datetime
    ) -> None:
        stmt = (
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(state=state, contact_id=contact_id, updated_at=at)
        )
        if await self._count(stmt) != 1:
            raise LookupError(f"no conversation {conversation_id}")

    async def record_consent(self, conversation_id: int, text_version: str, at: datetime) -> int:
        stmt = self._insert(consents).values(
            conversation_id=conversation_id, text_version=text_version, granted_at=at
        )
        return int((await self._run(stmt.returning(consents.c.id))).scalar_one())

    async def revoke_consent(self, consent_id: int, at: datetime) -> None:
        """The first revocation counts; later ones change nothing."""
        await self._run(
            update(consents)
            .where(consents.c.id == consent_id, consents.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    async def consent(self, consent_id: int) -> ConsentRecord | None:
        row = await self._one(select(consents).where(consents.c.id == consent_id))
        return records.consent(row) if row else None

    async def entity(self, code: str) -> Entity | None:
        row = await self._one(select(entities).where(entities.c.code == code))
        return records.entity(row) if row else None

    async def create_contact(
        self,
        entity_code: str,
        name: str,
        role: str,
        email: str,
        consent_id: int,
        at: datetime,
        *,
        verified: bool = True,
    ) -> ContactRecord:
        stmt = self._insert(contacts).values(
            status="pending",
            email_verified_at=at if verified else None,
            entity_code=entity_code,
            name=name,
            role=role,
            email=email,
            dimensions=[],
            consent_id=consent_id,
            created_at=at,
            updated_at=at,
        )
        return records.contact((await self._run(stmt.returning(contacts))).one())

    async def contact(self, contact_id: int) -> ContactRecord | None:
        row = await self._one(select(contacts).where(contacts.c.id == contact_id))
        return records.contact(row) if row else None

    async def update_contact(
        self,
        contact_id: int,
        *,
        name: str | None = None,
        role: str | None = None,
        email: str | None = None,
        dimensions: tuple[str, ...] | None = None,
    ) -> ContactRecord:
        """Raises LookupError for an unknown contact."""
        fields = (("name", name), ("role", role), ("email", email))
        changes: dict[str, Any] = {k: v for k, v in fields if v is not None}
        if dimensions is not None:
            changes["dimensions"] = list(dimensions)
        # The contract passes no time here; the clock only feeds `updated_at`, which is bookkeeping.
        stmt = (
            update(contacts)
            .where(contacts.c.id == contact_id)
            .values(**changes, updated_at=datetime.now(UTC))
            .returning(contacts)
        )
        row = await self._one(stmt)
        if row is None:
            raise LookupError(f"no contact {contact_id}")
        return records.contact(row)

    async def contacts_of_entity(self, entity_code: str) -> list[ContactRecord]:
        stmt = select(contacts).where(contacts.c.entity_code == entity_code).order_by(contacts.c.id)
        return [records.contact(row) for row in await self._run(stmt)]

    async def contact_by_email(self, email: str) -> ContactRecord | None:
        """The earliest contact whose verified address this is (case ignored)."""
        stmt = (
            select(contacts)
            .where(
                func.lower(contacts.c.email) == email.strip().lower(),
                contacts.c.email_verified_at.is_not(None),
            )
            .order_by(contacts.c.id)
            .limit(1)
        )
        row = await self._one(stmt)
        return records.contact(row) if row else None

    async def personal_data(self, contact_id: int) -> PersonalData | None:
        """`extra` holds "history_entries" (every answer given, changes included) and
        "tickets" (their numbers)."""
        contact = await self.contact(contact_id)
        if contact is None:
            return None
        consent = await self.consent(contact.consent_id)
        if consent is None:  # impossible while the foreign key holds
            raise LookupError(f"contact {contact_id} without consent {contact.consent_id}")
        keys = await self._run(
            select(conversations.c.channel, conversations.c.address)
            .where(conversations.c.contact_id == contact_id)
            .order_by(conversations.c.id)
        )
        numbers = await self._run(
            select(tickets.c.number)
            .where(tickets.c.contact_id == contact_id)
            .order_by(tickets.c.id)
        )
        given = select(func.count()).select_from(answers).where(answers.c.contact_id == contact_id)
        entries = (
            select(func.count())
            .select_from(answer_history)
            .where(answer_history.c.contact_id == contact_id)
        )
        return PersonalData(
            contact=contact,
            consent=consent,
            conversations=tuple(ConversationKey(ch, address) for ch, address in keys),
            answers_given=int((await self._run(given)).scalar_one()),
            extra={
                "history_entries": int((await self._run(entries)).scalar_one()),
                "tickets": list(numbers.scalars()),
            },
        )
