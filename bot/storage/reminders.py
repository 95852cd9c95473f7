"""`Tx` methods for reminders: who may get one, the per-contact schedule, opting out.

The rules (who is due, when) are pure functions in `bot.reminders.rules`; this module only
reads what they need and records what was decided. Several schedulers may run at once (several
processes on PostgreSQL): each decides about a contact only while holding that contact's row
(`FOR NO KEY UPDATE SKIP LOCKED`, so the other skips it and foreign-key checks of answers being
saved meanwhile are not blocked) and the schedule row (`FOR UPDATE`, which an opt-out in a
conversation also writes first): a reminder is never decided from a stale count or preference.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, literal, or_, select, tuple_, update

from bot.contract import ConversationKey
from bot.storage.api import ReminderCandidate, ReminderSchedule
from bot.storage.base import (
    TxBase,
    answers,
    assessment_events,
    assessments,
    consents,
    contacts,
    conversations,
    outbox,
    reminder_schedules,
)
from bot.storage.outbox import PENDING
from bot.storage.types import UtcDateTime

REMINDER_KIND = "reminder"  # the outbox kind of reminder notices


def _schedule(contact_id: int, row: Any) -> ReminderSchedule:
    if row is None or row.sent_count is None:  # no row yet (an outer join's empty side)
        return ReminderSchedule(contact_id)
    return ReminderSchedule(
        contact_id=contact_id,
        opted_out_at=row.opted_out_at,
        sent_count=row.sent_count,
        unanswered=row.unanswered,
        last_sent_at=row.last_sent_at,
    )


class RemindersTx(TxBase):
    async def reminder_candidates(
        self, cycle: int, contact_id: int | None = None
    ) -> list[ReminderCandidate]:
        # Correlated: each reads one assessment's rows through its index, so deciding about
        # one contact does not aggregate the whole country's answers.
        last_answer = (
            select(func.max(answers.c.answered_at))
            .where(answers.c.assessment_id == assessments.c.id)
            .scalar_subquery()
        )
        last_event = (
            select(func.max(assessment_events.c.at))
            .where(assessment_events.c.assessment_id == assessments.c.id)
            .scalar_subquery()
        )
        # Only whoever may answer is reminded to (bot.conversation.access): members, and a
        # pending contact of an entity with no member yet; not one waiting for approval,
        # declined or revoked.
        colleague = contacts.alias("colleague")
        has_member = (
            select(colleague.c.id)
            .where(
                colleague.c.entity_code == contacts.c.entity_code,
                colleague.c.status == "member",
            )
            .exists()
        )
        may_answer = or_(
            contacts.c.status == "member", and_(contacts.c.status == "pending", ~has_member)
        )
        stmt = (
            select(
                contacts.c.id.label("contact_id"),
                contacts.c.entity_code,
                contacts.c.dimensions,
                assessments.c.id.label("assessment_id"),
                assessments.c.started_at,
                last_answer.label("answer_at"),
                last_event.label("event_at"),
                reminder_schedules.c.opted_out_at,
                reminder_schedules.c.sent_count,
                reminder_schedules.c.unanswered,
                reminder_schedules.c.last_sent_at,
            )
            .join(
                assessments,
                and_(
                    assessments.c.entity_code == contacts.c.entity_code,
                    assessments.c.cycle == cycle,
                    assessments.c.status == "in_progress",
                ),
            )
            .join(
                consents,
                and_(consents.c.id == contacts.c.consent_id, consents.c.revoked_at.is_(None)),
            )
            .outerjoin(reminder_schedules, reminder_schedules.c.contact_id == contacts.c.id)
            .where(may_answer)
            .order_by(contacts.c.id)
        )
        talks = select(
            conversations.c.contact_id,
            conversations.c.channel,
            conversations.c.address,
            conversations.c.updated_at,
        ).order_by(conversations.c.id)
        if contact_id is None:
            talks = talks.where(conversations.c.contact_id.is_not(None))
        else:
            stmt = stmt.where(contacts.c.id == contact_id)
            talks = talks.where(conversations.c.contact_id == contact_id)
        by_contact: dict[int, list[tuple[ConversationKey, datetime]]] = defaultdict(list)
        for row in await self._run(talks):
            by_contact[row.contact_id].append(
                (ConversationKey(row.channel, row.address), row.updated_at)
            )
        found = []
        for row in await self._run(stmt):
            moments = [t for t in (row.started_at, row.answer_at, row.event_at) if t is not None]
            found.append(
                ReminderCandidate(
                    contact_id=row.contact_id,
                    entity_code=row.entity_code,
                    assessment_id=row.assessment_id,
                    dimensions=tuple(row.dimensions),
                    conversations=tuple(by_contact.get(row.contact_id, ())),
                    entity_activity=max(moments),
                    schedule=_schedule(row.contact_id, row),
                )
            )
        return found

    async def lock_reminders(self, contact_id: int, at: datetime) -> ReminderSchedule | None:
        held = (
            select(contacts.c.id)
            .where(contacts.c.id == contact_id)
            .with_for_update(key_share=True, skip_locked=True)
        )
        if await self._one(held) is None:
            return None
        new = self._insert(reminder_schedules).values(
            contact_id=contact_id, sent_count=0, unanswered=0, updated_at=at
        )
        await self._run(new.on_conflict_do_nothing())
        row = await self._one(
            select(reminder_schedules)
            .where(reminder_schedules.c.contact_id == contact_id)
            .with_for_update()
        )
        return _schedule(contact_id, row)

    async def reminder_sent(self, contact_id: int, unanswered: int, at: datetime) -> None:
        stmt = (
            update(reminder_schedules)
            .where(reminder_schedules.c.contact_id == contact_id)
            .values(
                sent_count=reminder_schedules.c.sent_count + 1,
                unanswered=unanswered,
                last_sent_at=at,
                updated_at=at,
            )
        )
        if await self._count(stmt) != 1:
            raise LookupError(f"no reminder schedule for contact {contact_id}")

    async def set_reminders(self, contact_id: int, enabled: bool, at: datetime) -> None:
        """Opting out again keeps the first date; opting in starts a fresh run of reminders."""
        if await self._one(select(contacts.c.id).where(contacts.c.id == contact_id)) is None:
            raise LookupError(f"no contact {contact_id}")
        # The schedule row first: a scheduler deciding about this contact holds it, so this
        # waits for its reminder to be committed, and the delete below then sees it.
        opted_out = None if enabled else at
        stmt = self._insert(reminder_schedules).values(
            contact_id=contact_id, opted_out_at=opted_out, sent_count=0, unanswered=0, updated_at=at
        )
        kept = reminder_schedules.c.opted_out_at
        changes: dict[str, Any] = {
            "opted_out_at": None if enabled else func.coalesce(kept, literal(at, UtcDateTime())),
            "updated_at": at,
        }
        if enabled:
            changes["unanswered"] = 0
        await self._run(
            stmt.on_conflict_do_update(
                index_elements=[reminder_schedules.c.contact_id], set_=changes
            )
        )
        if enabled:
            return
        addresses = select(conversations.c.channel, conversations.c.address).where(
            conversations.c.contact_id == contact_id
        )
        await self._run(
            delete(outbox).where(
                outbox.c.kind == REMINDER_KIND,
                outbox.c.status == PENDING,
                tuple_(outbox.c.channel, outbox.c.recipient).in_(addresses),
            )
        )

    async def reminder_schedule(self, contact_id: int) -> ReminderSchedule | None:
        row = await self._one(
            select(reminder_schedules).where(reminder_schedules.c.contact_id == contact_id)
        )
        return _schedule(contact_id, row) if row is not None else None
