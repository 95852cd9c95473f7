"""The ticket operations, each inside the caller's transaction.

Opening a ticket writes the ticket, its first event and the email to the mailbox in the same
transaction as the conversation turn: the contact is told the number only once all three are
stored, and the outbox delivers the email whenever SMTP is up. A staff reply is claimed by its
Message-ID (a redelivered copy changes nothing), stored in the ticket's thread, and relayed to
the contact as a notice on their channel, all in one transaction too.

A reply is relayed only when all three hold: it answers the ticket's own mail through the
ticket's reply key (`bot.replykeys`: the number in the subject is sequential, anyone can write
it), its sender's domain is listed exactly in `routing.staff_domains`, and our border server
authenticated it where that check is configured. Anything else naming a ticket is recorded in
its thread as rejected (who, which message, why; not what it said) and relayed to nobody.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.contract import ConversationKey, Notice, OutgoingMessage
from bot.printable import printable
from bot.redact import mask_email
from bot.replykeys import ReplyKeys, keys_in
from bot.storage.api import ContactRecord, NewTicket, TicketEvent, TicketRecord, Tx
from bot.territory import Entity, Gazetteer
from bot.tickets.mail import Diagnosis, TicketMail, local_time
from bot.tickets.routing import Destination, Rule, destination
from bot.tickets.text import find_number, is_staff, numbers_in, status_command
from dialogues.messages import Catalog
from dialogues.questionnaire import Questionnaires

log = logging.getLogger(__name__)

MAX_RELAY_CHARS = 3000  # a reply longer than this reaches the contact cut, with a note


@dataclass(frozen=True, slots=True)
class TicketSettings:
    """`routing` in config.yml."""

    mailbox: str = "ciudadesyterritoriosinteligentes@mintic.gov.co"
    cc: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    staff_domains: tuple[str, ...] = ("mintic.gov.co",)
    merge_minutes: int = 10
    follow_up_days: int = 3
    timezone: str = "America/Bogota"


@dataclass(frozen=True, slots=True)
class StaffReply:
    """An email that may answer a ticket (channel-neutral: the email channel fills it in)."""

    message_id: str
    sender: str
    subject: str
    text: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    authenticated: bool = True  # our border server vouched for the sender (or no check is set)
    # `#estado` read and the text without it: `read_reply` does it before the transaction.
    status: str | None = None
    body: str | None = None


def read_reply(reply: StaffReply) -> StaffReply:
    """The reply with its `#estado` command read and escape sequences gone: pure, linear,
    outside any transaction."""
    status, body = status_command(printable(reply.text))
    return dataclasses.replace(reply, status=status, body=body)


ReplyOutcome = Literal["not_a_ticket", "duplicate", "from_contact", "rejected", "relayed"]
RejectReason = Literal["no_key", "not_staff", "not_authenticated"]


class TicketDesk:
    def __init__(
        self,
        settings: TicketSettings,
        catalog: Catalog,
        questionnaires: Questionnaires,
        gazetteer: Gazetteer,
        templates: Path,
        assistant_address: str,
        new_notice_id: Callable[[], str],
        keys: ReplyKeys,
    ) -> None:
        self.settings, self.catalog, self.questionnaires, self.gazetteer = (
            settings,
            catalog,
            questionnaires,
            gazetteer,
        )
        self.keys = keys
        self.mail = TicketMail(templates, assistant_address, keys, catalog)
        self.new_notice_id = new_notice_id
        self.zone = ZoneInfo(settings.timezone)

    # --- names -------------------------------------------------------------------------------

    def topic_label(self, topic: str) -> str:
        kind, _, ref = topic.partition(":")
        # A ticket may name a part of any loaded version (its assessment's); the default first.
        dimensions = [
            d for q in (self.questionnaires.default, *self.questionnaires) for d in q.dimensions
        ]
        if kind == "dimension":
            dim = next((d for d in dimensions if d.id == ref), None)
            if dim is not None:
                return self.catalog.render("ticket.topic.about_dimension", name=dim.name)
        if kind == "subdimension":
            for dim in dimensions:
                for sub in dim.subdimensions:
                    if sub.id == ref:
                        return self.catalog.render(
                            "ticket.topic.about_subdimension", name=sub.name, dimension=dim.name
                        )
        key = f"ticket.topic.{kind}"
        return self.catalog.render(key) if key in self.catalog else topic

    def status_label(self, status: str) -> str:
        key = f"ticket.status.{status}"
        return self.catalog.render(key) if key in self.catalog else status

    @staticmethod
    def place(entity: Entity) -> str:
        """'Pasto (Nariño)', 'Gobernación de Nariño': how the subject names the entity."""
        if entity.kind == "gobernacion":
            return entity.title
        return f"{entity.name} ({entity.department_name})"

    def entity_of(self, ticket: TicketRecord) -> Entity:
        entity = self.gazetteer.get(ticket.entity_code)
        assert entity is not None, "tickets reference registrable entities only"
        return entity

    def destination(self, ticket: TicketRecord, entity: Entity) -> Destination:
        s = self.settings
        return destination(s.rules, s.mailbox, s.cc, ticket.topic, entity)

    def _name(self, prefix: str, value: str) -> str:
        key = f"{prefix}.{value}"
        return self.catalog.render(key) if value and key in self.catalog else value or "—"

    def _context(
        self, ticket: TicketRecord, entity: Entity, contact: ContactRecord | None
    ) -> dict[str, Any]:
        return {
            "number": ticket.number,
            "created": local_time(ticket.created_at, self.zone),
            "topic": self.topic_label(ticket.topic),
            "description": ticket.description,
            "status": self.status_label(ticket.status),
            "contact_means": ticket.contact_means or "—",
            "channel": self._name("ticket.channel", ticket.channel),
            "entity": {
                "title": entity.title,
                "name": entity.name,
                "code": entity.code,
                "department": entity.department_name,
                "kind": self._name("ticket.kind", entity.kind),
            },
            "contact": {
                "name": contact.name if contact else self.catalog.render("ticket.contact_erased"),
                "role": contact.role if contact else "—",
                "email": contact.email if contact else "—",
                # Staff must know when nobody vouched for the person asking for the entity.
                "unverified": contact is not None and not contact.is_member,
            },
            "days": self.settings.follow_up_days,
        }

    # --- opening -----------------------------------------------------------------------------

    async def open(
        self,
        tx: Tx,
        new: NewTicket,
        contact: ContactRecord | None,
        now: datetime,
        diagnosis: Diagnosis | None,
    ) -> tuple[TicketRecord, bool]:
        """Create the ticket and queue its email; or, for a repeat within the merge window,
        the existing ticket (False) with a note in its thread."""
        since = now - timedelta(minutes=self.settings.merge_minutes)
        ticket, created = await tx.create_ticket(new, now, since)
        if not created:
            await tx.add_ticket_event(
                ticket.id, TicketEvent("merged", now, body=new.description, author=new.channel)
            )
            return ticket, False
        entity = self.entity_of(ticket)
        to = self.destination(ticket, entity)
        subject = self.catalog.render(
            "ticket.mail.subject", number=ticket.number, place=self.place(entity)
        )
        email = self.mail.routed(
            subject, to, ticket, self._context(ticket, entity, contact), diagnosis
        )
        await tx.enqueue(email, now)
        await tx.update_ticket(ticket.id, now, routed_message_id=email.message_id)
        cc = f" (cc: {', '.join(to.cc)})" if to.cc else ""
        await tx.add_ticket_event(
            ticket.id,
            TicketEvent("routed", now, body=f"{to.to}{cc}", message_id=email.message_id),
        )
        log.info("ticket %s opened for %s, routed to %s", ticket.number, entity.code, to.to)
        return dataclasses.replace(ticket, routed_message_id=email.message_id), True

    # --- staff replies -----------------------------------------------------------------------

    def _keyed_number(self, reply: StaffReply) -> str | None:
        """The ticket whose reply key the mail brings back in its threading headers."""
        for message_id in (reply.in_reply_to, *reply.references):
            number = find_number(message_id or "")
            if number is None:
                continue
            if any(self.keys.ticket_matches(k, number) for k in keys_in([message_id or ""])):
                return number
        return None

    async def _find(self, tx: Tx, reply: StaffReply) -> tuple[TicketRecord | None, bool]:
        """The ticket the mail answers, and whether it proved it with the ticket's key; a
        ticket only named (subject tag, a look-alike Message-ID) comes back unproven."""
        number = self._keyed_number(reply)
        if number is not None:
            return await tx.ticket(number, lock=True), True
        ids = tuple(i for i in (reply.in_reply_to, *reply.references) if i)
        for named in (find_number(reply.subject), *numbers_in(ids)):
            found = await tx.ticket(named, lock=True) if named else None
            if found is not None:
                return found, False
        return None, False

    @staticmethod
    async def _is_contact(tx: Tx, ticket: TicketRecord, sender: str) -> bool:
        if ticket.channel == "email" and sender == ticket.address.lower():
            return True
        contact = await tx.contact(ticket.contact_id) if ticket.contact_id else None
        return contact is not None and contact.email.strip().lower() == sender

    def _refusal(self, reply: StaffReply, keyed: bool) -> RejectReason | None:
        if not keyed:
            return "no_key"
        if not is_staff(reply.sender, self.settings.staff_domains):
            return "not_staff"
        if not reply.authenticated:
            return "not_authenticated"
        return None

    async def staff_reply(self, tx: Tx, reply: StaffReply, now: datetime) -> ReplyOutcome:
        """Store a staff reply in its ticket's thread and relay it to the contact."""
        ticket, keyed = await self._find(tx, reply)
        if ticket is None:
            return "not_a_ticket"
        staff = is_staff(reply.sender, self.settings.staff_domains)
        if not staff and await self._is_contact(tx, ticket, reply.sender):
            return "from_contact"  # the contact answering our relay: a conversation
        if not await tx.claim_message(
            ConversationKey("email", reply.sender), reply.message_id, now
        ):
            return "duplicate"
        reason = self._refusal(reply, keyed)
        if reason is not None:
            await tx.add_ticket_event(
                ticket.id,
                TicketEvent(
                    "rejected",
                    now,
                    body=reason,
                    author=reply.sender[:255],
                    message_id=reply.message_id[:255],
                ),
            )
            log.warning(
                "ticket %s: mail from %s not relayed (%s)",
                ticket.number,
                mask_email(reply.sender),
                reason,
            )
            return "rejected"
        if reply.body is None:
            reply = read_reply(reply)
        status, body = reply.status, reply.body or ""
        await tx.add_ticket_event(
            ticket.id,
            TicketEvent(
                "staff_reply",
                now,
                status,
                body,
                author=reply.sender,
                message_id=reply.message_id[:255],
            ),
        )
        changed = status is not None and status != ticket.status
        await tx.update_ticket(
            ticket.id, now, status=status if changed else None, last_staff_reply_at=now
        )
        if changed:
            await tx.add_ticket_event(
                ticket.id, TicketEvent("status", now, status, author=reply.sender)
            )
        if body or changed:
            if len(body) > MAX_RELAY_CHARS:
                cut = self.catalog.render("ticket.relay_cut")
                body = f"{body[:MAX_RELAY_CHARS].rstrip()}\n\n{cut}"
            text = self.catalog.render(
                "ticket.relay",
                number=ticket.number,
                topic=self.topic_label(ticket.topic),
                body=body,
                status=self.status_label(status) if changed and status else None,
            )
            await self.notify(tx, ticket, text, now)
        log.info("ticket %s: staff reply relayed (status %s)", ticket.number, status or "=")
        return "relayed"

    # --- status ------------------------------------------------------------------------------

    async def set_status(
        self, tx: Tx, ticket: TicketRecord, status: str, author: str, now: datetime
    ) -> bool:
        """Change the status and tell the contact; False if it already had it."""
        if status == ticket.status:
            return False
        await tx.update_ticket(ticket.id, now, status=status)
        await tx.add_ticket_event(ticket.id, TicketEvent("status", now, status, author=author))
        text = self.catalog.render(
            "ticket.status_changed", number=ticket.number, status=self.status_label(status)
        )
        await self.notify(tx, ticket, text, now)
        return True

    # --- telling the contact -----------------------------------------------------------------

    async def notify(self, tx: Tx, ticket: TicketRecord, text: str, now: datetime) -> bool:
        """Queue `text` for the contact on the channel of the request (by email if that was
        the console); False if there is nobody left to tell (data erased)."""
        key = None
        if ticket.address and ticket.channel in ("telegram", "email"):
            key = ConversationKey(ticket.channel, ticket.address)
        elif ticket.contact_id is not None:
            contact = await tx.contact(ticket.contact_id)
            if contact is not None and contact.email:
                key = ConversationKey("email", contact.email)
        if key is None:
            log.info("ticket %s: no contact left to tell", ticket.number)
            return False
        subject = self.catalog.render("ticket.relay_subject", number=ticket.number)
        notice = Notice(
            key,
            (OutgoingMessage(key, text),),
            self.new_notice_id(),
            subject=subject,
            kind="ticket-relay",
        )
        await tx.enqueue(notice, now)
        await tx.add_ticket_event(
            ticket.id, TicketEvent("relayed", now, body=text, author=key.channel)
        )
        return True

    # --- follow-up ---------------------------------------------------------------------------

    async def follow_up(self, tx: Tx, ticket: TicketRecord, now: datetime) -> None:
        entity = self.entity_of(ticket)
        contact = await tx.contact(ticket.contact_id) if ticket.contact_id else None
        subject = self.catalog.render(
            "ticket.mail.follow_up_subject", number=ticket.number, place=self.place(entity)
        )
        email = self.mail.follow_up(
            subject,
            self.destination(ticket, entity),
            ticket,
            self._context(ticket, entity, contact),
        )
        await tx.enqueue(email, now)
        await tx.update_ticket(ticket.id, now, follow_up_at=now)
        await tx.add_ticket_event(
            ticket.id, TicketEvent("follow_up", now, message_id=email.message_id)
        )
