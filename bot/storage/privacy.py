"""`Tx` methods for the Habeas Data rights beyond viewing: a copy of everything stored about a
person (export) and erasing them everywhere they appear."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select, update

from bot.redact import redact
from bot.storage.base import (
    answer_history,
    answers,
    assessment_events,
    assessments,
    consents,
    contacts,
    conversations,
    outbox,
    ticket_events,
    tickets,
)
from bot.storage.membership import MembershipTx, rate_key
from bot.storage.models import ReminderScheduleRow
from bot.storage.outbox import (
    BLANKED_WHEN_SENT,
    EMAIL_CHANGED,
    OFFICIALS_DIGEST,
    PENDING,
    code_id_prefix,
)
from bot.storage.people import PeopleTx

_reminders = ReminderScheduleRow.__table__
# Ticket events whose body is the person's request (kept, scrubbed like the ticket itself), and
# those whose body is what staff wrote to the person (it may greet them, quote their phone).
_REQUEST_EVENTS = ("created", "merged")
_REPLY_EVENTS = ("staff_reply", "relayed")


def scrub(text: str, personal: Iterable[str]) -> str:
    """`text` without the given values (a name, addresses, contact means) and with any other
    email address or phone-like number masked."""
    for value in sorted({v for v in personal if v.strip()}, key=len, reverse=True):
        text = text.replace(value, "***")
    return redact(text)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class PrivacyTx(PeopleTx, MembershipTx):
    # Set once a person's data was deleted: the store then empties SQLite's write-ahead log
    # after the commit, which still holds the deleted rows' old pages (see `SqlStore`).
    erased: bool = False

    async def personal_export(self, contact_id: int) -> dict[str, Any] | None:
        """Every stored row that is about the contact, JSON-ready (times in ISO 8601, UTC);
        None for an unknown contact. The entity's answers given by others are not theirs."""
        contact = await self._one(select(contacts).where(contacts.c.id == contact_id))
        if contact is None:
            return None
        consent = await self._one(select(consents).where(consents.c.id == contact.consent_id))
        convs = await self._run(
            select(conversations)
            .where(conversations.c.contact_id == contact_id)
            .order_by(conversations.c.id)
        )
        current = {
            (row.assessment_id, row.question_id): row.answered_at
            for row in await self._run(
                select(answers.c.assessment_id, answers.c.question_id, answers.c.answered_at).where(
                    answers.c.contact_id == contact_id
                )
            )
        }
        given = await self._run(
            select(answer_history, assessments.c.cycle, assessments.c.entity_code)
            .join(assessments, assessments.c.id == answer_history.c.assessment_id)
            .where(answer_history.c.contact_id == contact_id)
            .order_by(answer_history.c.id)
        )
        events = await self._run(
            select(assessment_events, assessments.c.cycle)
            .join(assessments, assessments.c.id == assessment_events.c.assessment_id)
            .where(assessment_events.c.contact_id == contact_id)
            .order_by(assessment_events.c.id)
        )
        own_tickets = await self._run(
            select(tickets).where(tickets.c.contact_id == contact_id).order_by(tickets.c.id)
        )
        schedule = await self._one(select(_reminders).where(_reminders.c.contact_id == contact_id))
        return {
            "contact": {
                "name": contact.name,
                "role": contact.role,
                "email": contact.email,
                "entity_code": contact.entity_code,
                "dimensions": list(contact.dimensions or []),
                "registered_at": _iso(contact.created_at),
                "updated_at": _iso(contact.updated_at),
            },
            "consent": {
                "text_version": consent.text_version if consent else None,
                "granted_at": _iso(consent.granted_at) if consent else None,
                "revoked_at": _iso(consent.revoked_at) if consent else None,
            },
            "conversations": [
                {
                    "channel": row.channel,
                    "address": row.address,
                    "started_at": _iso(row.created_at),
                    "last_message_at": _iso(row.updated_at),
                }
                for row in convs
            ],
            "answers": [
                {
                    "cycle": row.cycle,
                    "entity_code": row.entity_code,
                    "question_id": row.question_id,
                    "kind": row.kind,
                    "option": row.option,
                    "figure": row.figure,
                    "answered_at": _iso(row.answered_at),
                    "current": current.get((row.assessment_id, row.question_id)) == row.answered_at,
                }
                for row in given
            ],
            "assessment_events": [
                {"cycle": row.cycle, "kind": row.kind, "at": _iso(row.at), "note": row.note}
                for row in events
            ],
            "tickets": [
                {
                    "number": row.number,
                    "topic": row.topic,
                    "description": row.description,
                    "contact_means": row.contact_means,
                    "status": row.status,
                    "created_at": _iso(row.created_at),
                }
                for row in own_tickets
            ],
            "reminders": {
                "opted_out_at": _iso(schedule.opted_out_at) if schedule else None,
                "sent": schedule.sent_count if schedule else 0,
                "last_sent_at": _iso(schedule.last_sent_at) if schedule else None,
            },
        }

    async def forget_deliveries(self, contact_id: int, email: str | None) -> None:
        """Delete what the outbox holds for the contact: every message to one of their
        conversations (queued or sent: a sent row is only a delivery record, and its text may
        carry their name or data), and mail to `email` (None when another contact shares it)."""
        convs = (
            await self._run(
                select(conversations.c.id, conversations.c.channel, conversations.c.address).where(
                    conversations.c.contact_id == contact_id
                )
            )
        ).all()
        targets = [
            and_(outbox.c.channel == channel, outbox.c.recipient == address)
            for _, channel, address in convs
        ]
        # Codes their conversations asked for, wherever they went (an address given once).
        targets += [
            and_(
                outbox.c.kind.in_(BLANKED_WHEN_SENT),
                outbox.c.message_id.startswith(code_id_prefix(cid), autoescape=True),
            )
            for cid, _, _ in convs
        ]
        if email is not None:
            targets.append(and_(outbox.c.channel == "email", outbox.c.recipient == email))
        # Notices to addresses they replaced (see `flows.privacy.email_changed_id`).
        targets.append(
            and_(
                outbox.c.kind == EMAIL_CHANGED,
                outbox.c.message_id.startswith(f"<{EMAIL_CHANGED}-{contact_id}-", autoescape=True),
            )
        )
        await self._run(delete(outbox).where(or_(*targets)))

    async def delete_conversations_of(self, contact_id: int) -> list[int]:
        """The contact's conversations on every channel go (an email conversation's key is the
        address itself); returns their ids."""
        ids = list(
            (
                await self._run(
                    select(conversations.c.id).where(conversations.c.contact_id == contact_id)
                )
            ).scalars()
        )
        for conversation_id in ids:
            await self.delete_conversation(conversation_id)
        return ids

    async def delete_conversation(self, conversation_id: int) -> None:
        """Beyond the row: what the outbox holds for its address, and the code mails asked for
        in it (`code_message_id`), which may be to an address that never became anyone's."""
        row = await self._one(
            select(conversations.c.channel, conversations.c.address).where(
                conversations.c.id == conversation_id
            )
        )
        if row is not None:
            codes = and_(
                outbox.c.kind.in_(BLANKED_WHEN_SENT),
                outbox.c.message_id.startswith(code_id_prefix(conversation_id), autoescape=True),
            )
            mine = and_(outbox.c.channel == row.channel, outbox.c.recipient == row.address)
            await self._run(delete(outbox).where(or_(codes, mine)))
        await super().delete_conversation(conversation_id)
        self.erased = True

    async def _forget_tickets(self, contact_id: int, personal: set[str]) -> None:
        """The request stays (it is the entity's), but not what in it points at the person:
        its contact means and the person's words lose names, addresses and phone numbers, what
        staff wrote to them goes, and the mails about it to the mailbox are blanked once sent
        (deleted if still queued: the follow-up tells the mailbox of the request)."""
        own = (
            await self._run(
                select(tickets.c.id, tickets.c.description, tickets.c.contact_means).where(
                    tickets.c.contact_id == contact_id
                )
            )
        ).all()
        personal |= {means for _, _, means in own}
        ids = [ticket_id for ticket_id, _, _ in own]
        for ticket_id, description, _ in own:
            await self._run(
                update(tickets)
                .where(tickets.c.id == ticket_id)
                .values(
                    contact_id=None,
                    contact_means="",
                    address="",
                    description=scrub(description, personal),
                )
            )
        if not ids:
            return
        thread = ticket_events.c.ticket_id.in_(ids)
        requests = await self._run(
            select(ticket_events.c.id, ticket_events.c.body).where(
                thread, ticket_events.c.kind.in_(_REQUEST_EVENTS)
            )
        )
        for event_id, body in requests.all():
            await self._run(
                update(ticket_events)
                .where(ticket_events.c.id == event_id)
                .values(body=scrub(body, personal))
            )
        await self._run(
            update(ticket_events)
            .where(thread, ticket_events.c.kind.in_(_REPLY_EVENTS))
            .values(body="")
        )
        await self._run(
            update(ticket_events)
            .where(thread, ticket_events.c.author.in_(personal))
            .values(author="")
        )
        mails = select(ticket_events.c.message_id).where(
            thread, ticket_events.c.message_id.is_not(None)
        )
        routed = select(tickets.c.routed_message_id).where(
            tickets.c.id.in_(ids), tickets.c.routed_message_id.is_not(None)
        )
        about = or_(outbox.c.message_id.in_(mails), outbox.c.message_id.in_(routed))
        await self._run(delete(outbox).where(about, outbox.c.status == PENDING))
        await self._run(
            update(outbox).where(about).values(body_text="", body_html=None, attachments=[])
        )

    async def erase_contact(self, contact_id: int, at: datetime) -> None:
        """Beyond the contract: the person's tickets lose what points at them (see
        `_forget_tickets`), their conversations on every channel are deleted with what the
        outbox holds for them and the code mails asked for there, and emails to their address
        (queued or sent) are deleted unless another contact shares it. Queue any farewell email
        after this call. Erasing an unknown contact does nothing."""
        contact = await self.contact(contact_id)
        if contact is None:
            return
        # Chat ids and mail addresses; a console's name ("local") is no one's and a common word.
        addresses = await self._run(
            select(conversations.c.address).where(
                conversations.c.contact_id == contact_id, conversations.c.channel != "console"
            )
        )
        personal = {contact.name, contact.email, *addresses.scalars()}
        await self._forget_tickets(contact_id, personal)
        for table in (answers, answer_history, assessment_events):
            await self._run(
                update(table).where(table.c.contact_id == contact_id).values(contact_id=None)
            )
        shares_email = select(contacts.c.id).where(
            contacts.c.email == contact.email, contacts.c.id != contact_id
        )
        shared = await self._one(shares_email.limit(1)) is not None
        await self.forget_deliveries(contact_id, None if shared else contact.email)
        # Consents given in each of their conversations (linking a channel asks for one too).
        mine = select(conversations.c.id).where(conversations.c.contact_id == contact_id)
        await self._run(
            update(consents)
            .where(consents.c.conversation_id.in_(mine), consents.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        convs = await self._run(
            select(conversations.c.channel, conversations.c.address).where(
                conversations.c.contact_id == contact_id
            )
        )
        keys = [rate_key(f"{channel}:{address}") for channel, address in convs.all()]
        await self.forget_membership_traces(
            [] if shared else [contact.email], [*keys, rate_key(contact.email)]
        )
        await self.delete_conversations_of(contact_id)
        # A queued digest of pending officials may name them; the digest service writes the
        # day's again, without them (a sent one was blanked already).
        await self._run(
            delete(outbox).where(outbox.c.kind == OFFICIALS_DIGEST, outbox.c.status == PENDING)
        )
        await self.revoke_consent(contact.consent_id, at)
        await self._run(delete(contacts).where(contacts.c.id == contact_id))
