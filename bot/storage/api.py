"""The storage contract: records and the one repository interface the engine uses.

`Store.transaction()` opens ONE database transaction; the engine does all the work of one incoming
message inside it (claim the message id, load and lock the conversation, write answers, state,
tickets, outbox rows) and it commits as a whole or not at all. The SQL implementation is
`bot.storage.sql.SqlStore`; one contract test runs it on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from bot.contract import ChannelName, ConversationKey, OutboxItem
from bot.scoring import Answer, Scores
from bot.territory import Entity, EntityKind

AssessmentStatus = Literal["in_progress", "submitted"]
# Whether a contact acts for their entity (bot.membership).
MemberStatus = Literal["pending", "member", "declined", "revoked"]
MembershipKind = Literal["requested", "joined", "approved", "declined", "revoked"]
# Why a contact became a member: MinTIC's roster, an institutional domain, a member, staff.
MembershipBasis = Literal["roster", "domain", "member", "staff", ""]


class StorageError(Exception):
    """The database could not do what was asked (unreachable, timed out); safe to retry later."""


@dataclass(frozen=True, slots=True)
class ContactRecord:
    id: int
    entity_code: str
    name: str
    role: str
    email: str
    consent_id: int
    created_at: datetime
    dimensions: tuple[str, ...] = ()  # dimension ids this contact takes charge of ("" = all)
    status: MemberStatus = "pending"
    email_verified_at: datetime | None = None

    @property
    def is_member(self) -> bool:
        return self.status == "member"


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    id: int
    key: ConversationKey
    contact_id: int | None
    state: dict[str, Any]  # JSON-serialisable dialogue state, owned by the dialogue engine
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    id: int
    entity_code: str
    cycle: int
    questionnaire_id: str
    questionnaire_version: str
    status: AssessmentStatus
    started_at: datetime
    submitted_at: datetime | None = None
    submitted_by_member: bool = False  # only these count in progress, exports and peers


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    question_id: str
    answer: Answer
    contact_id: int | None  # None once the contact erased their data
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class AssessmentEvent:
    kind: Literal["started", "submitted", "reopened"]
    contact_id: int | None
    at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class MembershipEvent:
    contact_id: int
    entity_code: str
    kind: MembershipKind
    basis: MembershipBasis
    actor_contact_id: int | None
    actor_staff: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RosterEntry:
    entity_code: str
    name: str
    email: str
    role: str = ""


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    id: int
    text_version: str
    granted_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Everything stored about one person, for "ver mis datos" (Habeas Data access right)."""

    contact: ContactRecord
    consent: ConsentRecord
    conversations: tuple[ConversationKey, ...]
    answers_given: int  # answers whose current value this contact gave
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CycleAssessment:
    """An assessment with its entity, as staff reports and exports list them."""

    assessment: AssessmentRecord
    entity: Entity


@dataclass(frozen=True, slots=True)
class PeerScores:
    """The score snapshot of one submitted assessment: what peer comparisons average."""

    entity_code: str
    department_code: str
    overall: float | None
    dimensions: dict[str, float | None]  # dimension id -> score (None: no answers there)


@dataclass(frozen=True, slots=True)
class ReminderSchedule:
    """A contact's reminders: the preference and what was sent (see `bot.reminders`)."""

    contact_id: int
    opted_out_at: datetime | None = None  # None: the contact gets reminders
    sent_count: int = 0  # every reminder ever queued for the contact (numbers their ids)
    unanswered: int = 0  # sent in a row as of the last one (the contact had not written since)
    last_sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReminderCandidate:
    """A contact whose entity has an assessment in progress, with what decides a reminder."""

    contact_id: int
    entity_code: str
    assessment_id: int
    dimensions: tuple[str, ...]  # the contact's scope ("" = all)
    # The contact's conversations on every channel, with each one's last message.
    conversations: tuple[tuple[ConversationKey, datetime], ...]
    entity_activity: datetime  # the assessment's latest answer or event (its start at least)
    schedule: ReminderSchedule


@dataclass(frozen=True, slots=True)
class EntityAttributes:
    """What MinTIC's files say of an entity (`cti entities import`). None: nothing loaded, or a
    file left it out; loading never erases what another file said."""

    entity_code: str
    category: str | None = None  # Ley 617 de 2000: "especial", "1".."6" ("1".."4" departments)
    pdet: bool | None = (
        None  # a municipality of the Programas de Desarrollo con Enfoque Territorial
    )
    zomac: bool | None = None  # a Zona Más Afectada por el Conflicto armado


# Ticket statuses, as staff type them after `#estado` (see `bot.tickets.numbers`).
TICKET_OPEN_STATUSES = ("recibido", "en_atencion")
TICKET_STATUSES = (*TICKET_OPEN_STATUSES, "resuelto", "cerrado")


@dataclass(frozen=True, slots=True)
class NewTicket:
    """What a contact asked for; the store gives it a number and the status `recibido`."""

    entity_code: str
    contact_id: int | None
    topic: str  # estrategia | diagnostico | cofinanciacion | otro | dimension:ID | subdimension:ID
    description: str
    contact_means: str
    channel: ChannelName  # the conversation it came from, where staff replies are relayed
    address: str


@dataclass(frozen=True, slots=True)
class TicketRecord:
    id: int
    number: str  # CTI-2026-00042
    entity_code: str
    contact_id: int | None  # None once the contact erased their data
    topic: str
    description: str
    contact_means: str
    status: str
    created_at: datetime
    updated_at: datetime
    channel: ChannelName | Literal[""] = ""  # "": the column's server default (older rows)
    address: str = ""  # "" once the contact erased their data
    routed_message_id: str | None = None
    last_staff_reply_at: datetime | None = None
    follow_up_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """One entry of a ticket's thread: created, merged, routed, staff_reply, status, follow_up,
    relayed, rejected (a reply from outside the staff domains)."""

    kind: str
    at: datetime
    status: str | None = None
    body: str = ""
    author: str = ""
    message_id: str | None = None


class Tx(Protocol):
    """One open transaction. Every method runs inside it; nothing is visible until commit."""

    async def claim_message(self, key: ConversationKey, message_id: str, at: datetime) -> bool:
        """Record a channel message id; False if it was already processed (a duplicate)."""

    async def conversation(self, key: ConversationKey, at: datetime) -> ConversationRecord:
        """Get or create the conversation, locked until the transaction ends."""

    async def find_conversation(self, key: ConversationKey) -> ConversationRecord | None:
        """The conversation if it exists (locked until the transaction ends), without creating it.

        Before consent no conversation row exists, so nothing about the person is stored."""

    async def save_conversation(
        self, conversation_id: int, state: dict[str, Any], contact_id: int | None, at: datetime
    ) -> None: ...

    async def record_consent(self, conversation_id: int, text_version: str, at: datetime) -> int:
        """Store an accepted consent (no personal data in it); returns its id."""

    async def revoke_consent(self, consent_id: int, at: datetime) -> None: ...

    async def consent(self, consent_id: int) -> ConsentRecord | None: ...

    async def entity(self, code: str) -> Entity | None: ...

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
        """A new pending contact; `verified`: its address proved (a code came back, or it
        wrote to us carrying our reply key)."""

    async def contact(self, contact_id: int) -> ContactRecord | None: ...

    async def update_contact(
        self,
        contact_id: int,
        *,
        name: str | None = None,
        role: str | None = None,
        email: str | None = None,
        dimensions: tuple[str, ...] | None = None,
    ) -> ContactRecord: ...

    async def contacts_of_entity(self, entity_code: str) -> list[ContactRecord]: ...

    async def contact_by_email(self, email: str) -> ContactRecord | None:
        """The earliest contact whose VERIFIED address this is, to link a new channel to them;
        an address nobody proved matches no one."""

    # --- membership (bot.storage.membership, bot.membership) -----------------------------------

    async def membership_basis(self, entity_code: str, email: str) -> MembershipBasis:
        """ "roster" or "domain" when the address vouches for itself at the entity; "" if not."""

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
        """Record the event and set the contact's status to what it leads to (requested:
        pending, joined/approved: member, declined, revoked). Raises LookupError."""

    async def membership_events(
        self, *, contact_id: int | None = None, entity_code: str | None = None
    ) -> list[MembershipEvent]:
        """Oldest first."""

    async def members_of_entity(self, entity_code: str) -> list[ContactRecord]: ...

    async def pending_contacts(self, entity_code: str | None = None) -> list[ContactRecord]:
        """Contacts awaiting approval (all entities when None), oldest first."""

    async def requests_since(self, entity_code: str, since: datetime) -> int:
        """Membership requests recorded for the entity since `since` (a rate limit)."""

    async def load_roster(self, entries: list[RosterEntry], at: datetime) -> int:
        """Add or update lines (by entity and address); returns how many changed."""

    async def roster(self, entity_code: str | None = None) -> list[RosterEntry]: ...

    async def load_domains(self, pairs: list[tuple[str, str]], at: datetime) -> int:
        """Add (entity code, domain) pairs; returns how many were new."""

    async def remove_domain(self, entity_code: str, domain: str) -> bool: ...

    async def domains(self, entity_code: str | None = None) -> list[tuple[str, str]]: ...

    async def note_rate(self, kind: str, key: str, at: datetime) -> None:
        """Count one act for a rate limit (`key` is already a digest; see bot.membership)."""

    async def rate_count(self, kind: str, key: str, since: datetime) -> int: ...

    async def personal_data(self, contact_id: int) -> PersonalData | None: ...

    async def personal_export(self, contact_id: int) -> dict[str, Any] | None:
        """Everything stored about the contact, JSON-ready, for their copy (Habeas Data)."""

    async def erase_contact(self, contact_id: int, at: datetime) -> None:
        """Delete the person: contact row gone, consent revoked, answers and history unlinked
        (contact_id NULL), their conversations on every channel deleted with the messages queued
        or sent to them. The entity's answers themselves stay."""

    async def delete_conversation(self, conversation_id: int) -> None:
        """Remove a conversation row (its address is personal data) when the person erases it."""

    async def open_assessment(
        self,
        entity_code: str,
        cycle: int,
        questionnaire_id: str,
        questionnaire_version: str,
        contact_id: int | None,
        at: datetime,
    ) -> AssessmentRecord:
        """Get or create the entity's assessment for the cycle (one per entity and cycle)."""

    async def assessment(self, assessment_id: int) -> AssessmentRecord | None: ...

    async def find_assessment(self, entity_code: str, cycle: int) -> AssessmentRecord | None:
        """The entity's assessment for the cycle if there is one (nothing opened, no lock)."""

    async def set_questionnaire(
        self, assessment_id: int, questionnaire_id: str, questionnaire_version: str
    ) -> None:
        """Move the assessment to another questionnaire version (`cti questionnaire migrate`)."""

    async def drop_answer(self, assessment_id: int, question_id: str) -> None:
        """Remove a question's current value; its history stays (a migration that renames it)."""

    async def answers(self, assessment_id: int) -> dict[str, StoredAnswer]:
        """Current value of every answered question."""

    async def save_answer(
        self,
        assessment_id: int,
        question_id: str,
        answer: Answer,
        contact_id: int | None,
        at: datetime,
    ) -> None:
        """Upsert the current value and append it to the history."""

    async def answer_history(
        self, assessment_id: int, question_id: str | None = None
    ) -> list[StoredAnswer]:
        """Every value ever given, oldest first."""

    async def set_assessment_status(
        self,
        assessment_id: int,
        status: AssessmentStatus,
        contact_id: int | None,
        at: datetime,
        note: str = "",
    ) -> None:
        """Submit or reopen, recording an event with who and when."""

    async def assessment_events(self, assessment_id: int) -> list[AssessmentEvent]: ...

    # --- the outbox (bot.storage.outbox) -------------------------------------------------------

    async def enqueue(self, item: OutboxItem, at: datetime) -> int:
        """Store a message to deliver, in this transaction; a known id adds nothing."""

    async def claim_outbox(
        self, now: datetime, limit: int, lease: timedelta, channel: str = "email"
    ) -> list[OutboxItem]:
        """Take due messages of a channel for delivery (skipping rows another worker holds)."""

    async def outbox_sent(self, outbox_id: int, at: datetime) -> None: ...

    async def outbox_retry(self, outbox_id: int, error: str, next_attempt_at: datetime) -> None: ...

    async def outbox_failed(self, outbox_id: int, error: str) -> None: ...

    async def expire_outbox(self, before: datetime, limit: int) -> int:
        """Blank the text (subject, bodies, parts, attachments) of up to `limit` messages sent,
        or failed, before `before`; how many. Address, Message-ID and status stay."""

    async def outbox_recent(
        self,
        recipient: str,
        since: datetime,
        kinds: tuple[str, ...] | None = None,
        *,
        sent_only: bool = False,
    ) -> int:
        """Messages to `recipient` queued (or, `sent_only`, sent) since `since`."""

    # --- staff reports and peer comparisons (bot.storage.analytics) ---------------------------

    async def entities(self) -> list[Entity]:
        """Every registrable entity, by DANE code."""

    async def cycle_assessments(self, cycle: int) -> list[CycleAssessment]:
        """Every assessment of the cycle with its entity, by department and DANE code."""

    async def cycle_answers(self, cycle: int) -> dict[int, dict[str, StoredAnswer]]:
        """Current answers of every assessment of the cycle, by assessment id."""

    async def save_score_snapshot(
        self, assessment: AssessmentRecord, scores: Scores, at: datetime
    ) -> None:
        """Keep the scores of a submitted assessment for its peers' comparisons (replaces any
        earlier snapshot). Raises ValueError if the assessment is not submitted."""

    async def peer_scores(
        self, cycle: int, kind: EntityKind, questionnaire_id: str, questionnaire_version: str
    ) -> list[PeerScores]:
        """Current snapshots of the cycle's submitted assessments of one kind of entity, scored
        with that questionnaire version; stale ones (reopened since) are left out."""

    # --- entity attributes from MinTIC's files (bot.storage.attributes) -------------------------

    async def load_entity_attributes(self, items: list[EntityAttributes], at: datetime) -> int:
        """Store what each item says (a None field keeps the stored value); the number of
        entities whose attributes changed. Loading the same file again changes nothing."""

    async def entity_attributes(
        self, entity_code: str | None = None
    ) -> dict[str, EntityAttributes]:
        """The loaded attributes by DANE code (of one entity, or of all)."""

    # --- reminders (bot.storage.reminders) ------------------------------------------------------

    async def reminder_candidates(
        self, cycle: int, contact_id: int | None = None
    ) -> list[ReminderCandidate]:
        """Contacts (consenting) whose entity's assessment of the cycle is in progress, by id;
        only `contact_id` if given."""

    async def lock_reminders(self, contact_id: int, at: datetime) -> ReminderSchedule | None:
        """The contact's schedule (created if missing), locked with the contact until the
        transaction ends; None if the contact is gone or another transaction holds it."""

    async def reminder_sent(self, contact_id: int, unanswered: int, at: datetime) -> None:
        """Count one more reminder queued at `at`, the `unanswered`-th in a row."""

    async def set_reminders(self, contact_id: int, enabled: bool, at: datetime) -> None:
        """Opt in or out. Opting out also drops the contact's reminders not yet delivered.
        Raises LookupError for an unknown contact."""

    async def reminder_schedule(self, contact_id: int) -> ReminderSchedule | None: ...

    # --- tickets (bot.storage.tickets) ----------------------------------------------------------

    async def create_ticket(
        self, new: NewTicket, at: datetime, merge_since: datetime
    ) -> tuple[TicketRecord, bool]:
        """A new ticket numbered in `at`'s year, or (with False) the open one of the same entity,
        topic and description created since `merge_since`: a repeated request is merged."""

    async def ticket(self, number: str, *, lock: bool = False) -> TicketRecord | None: ...

    async def ticket_by_message_ids(self, message_ids: tuple[str, ...]) -> TicketRecord | None:
        """The ticket whose routed email is one of `message_ids` (a reply's threading headers)."""

    async def tickets(
        self, status: str | None = None, contact_id: int | None = None
    ) -> list[TicketRecord]:
        """Tickets, newest first; only of one status or one contact if given."""

    async def tickets_without_staff_reply(self) -> list[TicketRecord]:
        """Open tickets that got no staff reply and no follow-up yet, oldest first."""

    async def update_ticket(
        self,
        ticket_id: int,
        at: datetime,
        *,
        status: str | None = None,
        routed_message_id: str | None = None,
        last_staff_reply_at: datetime | None = None,
        follow_up_at: datetime | None = None,
    ) -> None: ...

    async def add_ticket_event(self, ticket_id: int, event: TicketEvent) -> None: ...

    async def ticket_events(self, ticket_id: int) -> list[TicketEvent]:
        """The ticket's thread, oldest first."""


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        """Begin a transaction; commit on normal exit, roll back on exception.

        Raises `StorageError` when the database is unreachable or locked for too long.
        """

    async def close(self) -> None: ...
