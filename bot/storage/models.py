"""The database schema: SQLAlchemy 2 declarative models, portable between SQLite and PostgreSQL.

The store queries these tables with Core statements (`Model.__table__`); the classes exist to
declare the schema once, for Alembic and for readers. Every time is an aware UTC datetime
(`UtcDateTime`). Tables with surrogate ids use SQLite's AUTOINCREMENT so an erased contact's id
is never handed to somebody else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.storage.types import UtcDateTime, json_type

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_AUTOINCREMENT = {"sqlite_autoincrement": True}
_ANSWER_KINDS = "kind IN ('option', 'figure', 'dont_know', 'skipped')"
MEMBER_STATUSES = ("pending", "member", "declined", "revoked")
MEMBERSHIP_KINDS = ("requested", "joined", "approved", "declined", "revoked")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: json_type()}  # noqa: RUF012


class EntityRow(Base):
    """A registrable territorial entity, seeded from DIVIPOLA."""

    __tablename__ = "entities"
    __table_args__ = (CheckConstraint("kind IN ('alcaldia', 'gobernacion')", name="kind"),)

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    department_code: Mapped[str] = mapped_column(String(2), index=True)
    department_name: Mapped[str] = mapped_column(String(120))


class ConsentRow(Base):
    """An accepted Habeas Data consent; holds no personal data.

    `conversation_id` records where it was given; it is deliberately not a foreign key, which
    would close a cycle conversations -> contacts -> consents -> conversations.
    """

    __tablename__ = "consents"
    __table_args__ = (_AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    text_version: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ContactRow(Base):
    """A person of an entity: the only table with names and email addresses."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint(f"status IN {MEMBER_STATUSES!r}", name="status"),
        _AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_code: Mapped[str] = mapped_column(ForeignKey("entities.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    dimensions: Mapped[list[str]] = mapped_column(json_type())
    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Whether the contact acts for the entity (bot.membership): pending until the roster, an
    # institutional domain, a member or staff vouches for them.
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    # When a code mailed to `email` came back (or the mailbox wrote to us carrying our reply
    # key); None only for contacts registered before addresses were verified.
    email_verified_at: Mapped[datetime | None]


class ConversationRow(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "address"), _AUTOINCREMENT)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProcessedMessageRow(Base):
    """A channel message id already handled (the idempotency key of one incoming message)."""

    __tablename__ = "processed_messages"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    # SET NULL: a deleted conversation's message ids must still count as processed.
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    processed_at: Mapped[datetime] = mapped_column(index=True)


class AssessmentRow(Base):
    """One entity's diagnosis for one cycle (year)."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("entity_code", "cycle"),
        CheckConstraint("status IN ('in_progress', 'submitted')", name="status"),
        _AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_code: Mapped[str] = mapped_column(ForeignKey("entities.code"))
    cycle: Mapped[int] = mapped_column(Integer)
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    questionnaire_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    # Submitted by a member of the entity (bot.membership): only these count in progress,
    # exports and peer averages.
    submitted_by_member: Mapped[bool] = mapped_column(default=False, server_default=false())


class AnswerRow(Base):
    """The current value of one question (the `Answer` as kind + option or figure)."""

    __tablename__ = "answers"
    __table_args__ = (CheckConstraint(_ANSWER_KINDS, name="kind"),)

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    option: Mapped[str | None] = mapped_column(String(64))
    figure: Mapped[float | None] = mapped_column(Float)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    answered_at: Mapped[datetime]


class AnswerHistoryRow(Base):
    """Every value ever given, append-only."""

    __tablename__ = "answer_history"
    __table_args__ = (
        CheckConstraint(_ANSWER_KINDS, name="kind"),
        Index("ix_answer_history_question", "assessment_id", "question_id"),
        _AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    option: Mapped[str | None] = mapped_column(String(64))
    figure: Mapped[float | None] = mapped_column(Float)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    answered_at: Mapped[datetime]


class AssessmentEventRow(Base):
    __tablename__ = "assessment_events"
    __table_args__ = (
        CheckConstraint("kind IN ('started', 'submitted', 'reopened')", name="kind"),
        _AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")


class TicketRow(Base):
    """A request for technical accompaniment (`CTI-2026-00042`)."""

    __tablename__ = "tickets"
    __table_args__ = (_AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    entity_code: Mapped[str] = mapped_column(ForeignKey("entities.code"), index=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    topic: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    contact_means: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The conversation the request came from: staff replies are relayed there (erasing the
    # contact blanks the address).
    channel: Mapped[str] = mapped_column(String(16), default="", server_default="")
    address: Mapped[str] = mapped_column(String(320), default="", server_default="")
    # The email routed to the mailbox: a reply's In-Reply-To / References finds the ticket.
    routed_message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    last_staff_reply_at: Mapped[datetime | None]
    follow_up_at: Mapped[datetime | None]  # when the no-reply reminder went to the mailbox


class TicketSequenceRow(Base):
    """The last ticket number given in a year (`CTI-2026-00042`): an upsert on the year's row
    hands out the next one, serialising concurrent creators on both databases."""

    __tablename__ = "ticket_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class TicketEventRow(Base):
    __tablename__ = "ticket_events"
    __table_args__ = (_AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(320), default="")
    at: Mapped[datetime]
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)


class OutboxRow(Base):
    """A message leaving the process, written in the transaction that decided it; the channel's
    worker delivers it. Either a composed email (subject, bodies) or a notice: replies in
    `parts` that the channel renders itself (see `bot.contract.Notice`)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_channel_due", "channel", "status", "next_attempt_at"),
        _AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="email", server_default="email")
    kind: Mapped[str] = mapped_column(String(32))
    parts: Mapped[list[dict[str, Any]] | None] = mapped_column(json_type(), nullable=True)
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(json_type())
    headers: Mapped[dict[str, Any]]
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class ScoreSnapshotRow(Base):
    """The scores shown to an entity for its submitted assessment, kept for peer comparisons.

    Scoring needs the questionnaire, which storage does not have, and rescoring every peer for
    each results view would cost about 4 ms per assessment (seconds for the whole country); so
    the flow that shows results keeps this copy. It counts only while `submitted_at` equals the
    assessment's: a reopened or resubmitted assessment leaves a stale row that peer queries
    ignore and the next results view replaces.
    """

    __tablename__ = "score_snapshots"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    submitted_at: Mapped[datetime]
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    questionnaire_version: Mapped[str] = mapped_column(String(32))
    overall: Mapped[float | None] = mapped_column(Float)
    dimensions: Mapped[dict[str, Any]]  # dimension id -> score, null when it has no answers
    computed_at: Mapped[datetime]


class ReminderScheduleRow(Base):
    """A contact's reminders (`bot.reminders`): whether they want them and what was sent.

    What is due is computed from activity (conversations, answers) and these counters, so the
    schedule survives restarts. Erasing the contact erases it (CASCADE). No personal data.
    """

    __tablename__ = "reminder_schedules"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    opted_out_at: Mapped[datetime | None]  # None: reminders wanted
    sent_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # ever
    # Sent in a row as of the last one; the person writing afterwards makes it 0 again.
    unanswered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class MembershipEventRow(Base):
    """Who let a contact act for their entity, or stopped them, and when (bot.membership).

    `basis` says why: roster, domain, member (`actor_contact_id`) or staff (`actor_staff`, the
    staff member's name as given to `cti officials`). Erasing the contact erases their events;
    erasing the approver keeps the event without them.
    """

    __tablename__ = "membership_events"
    __table_args__ = (
        CheckConstraint(f"kind IN {MEMBERSHIP_KINDS!r}", name="kind"),
        Index("ix_membership_events_entity", "entity_code", "kind", "at"),
        _AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    entity_code: Mapped[str] = mapped_column(ForeignKey("entities.code"))
    kind: Mapped[str] = mapped_column(String(16))
    basis: Mapped[str] = mapped_column(String(16), default="", server_default="")
    actor_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    actor_staff: Mapped[str] = mapped_column(String(120), default="", server_default="")
    at: Mapped[datetime]


class RosterRow(Base):
    """An official MinTIC lists for an entity (`cti officials import`): a verified contact with
    this address joins the entity at once. Erasing the person erases their line."""

    __tablename__ = "roster"
    __table_args__ = (UniqueConstraint("entity_code", "email"), _AUTOINCREMENT)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_code: Mapped[str] = mapped_column(ForeignKey("entities.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), index=True)  # lower case
    role: Mapped[str] = mapped_column(String(200), default="", server_default="")
    loaded_at: Mapped[datetime]


class EntityDomainRow(Base):
    """An institutional mail domain of an entity (`cti officials domains`): a verified address
    there joins the entity at once."""

    __tablename__ = "entity_domains"

    entity_code: Mapped[str] = mapped_column(ForeignKey("entities.code"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), primary_key=True)  # lower case
    loaded_at: Mapped[datetime]


class RateEventRow(Base):
    """One counted act (a registration begun from a chat or for an address) for rate limits.

    `key` is a digest of what is counted, never the address itself; rows older than a day
    are pruned, and erasing a person deletes theirs.
    """

    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_key", "kind", "key", "at"), _AUTOINCREMENT)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


# --- MinTIC's staff on the web console (bot.web; migration 0007) ---------------------------------

STAFF_ROLES = ("viewer", "advisor", "admin")


class StaffAccountRow(Base):
    """A MinTIC staff member who signs in to `cti web` (`cti staff add`). Only the argon2 hash
    of the password is kept; a disabled account keeps its row so the audit trail names it."""

    __tablename__ = "staff_accounts"
    __table_args__ = (
        CheckConstraint(f"role IN {STAFF_ROLES!r}", name="role"),
        _AUTOINCREMENT,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # lower case
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class StaffSessionRow(Base):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is stored, so
    a copy of the database opens no session."""

    __tablename__ = "staff_sessions"
    __table_args__ = (_AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class StaffActionRow(Base):
    """What a staff member did, when (the audit trail admins read on the console)."""

    __tablename__ = "staff_actions"
    __table_args__ = (_AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(320))  # the account's email, or "cli:<user>"
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200), default="", server_default="")
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")


CATEGORIES = ("especial", "1", "2", "3", "4", "5", "6")


class EntityAttributesRow(Base):
    """What MinTIC's files say of an entity (`cti entities import`): its category under Ley 617
    de 2000 and whether it is a PDET or ZOMAC municipality. NULL: the files said nothing."""

    __tablename__ = "entity_attributes"
    __table_args__ = (
        CheckConstraint(
            "category IS NULL OR category IN ('especial', '1', '2', '3', '4', '5', '6')",
            name="category",
        ),
    )

    entity_code: Mapped[str] = mapped_column(ForeignKey("entities.code"), primary_key=True)
    category: Mapped[str | None] = mapped_column(String(8), index=True)
    pdet: Mapped[bool | None]
    zomac: Mapped[bool | None]
    loaded_at: Mapped[datetime]


class TicketAssignmentRow(Base):
    """The advisor (a staff account) who answers an advisory request; one per ticket."""

    __tablename__ = "ticket_assignments"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True
    )
    assigned_at: Mapped[datetime]
    assigned_by: Mapped[str] = mapped_column(String(320))  # the account's email
