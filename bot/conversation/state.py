"""The conversation state stored with each conversation: small, JSON-serialisable, versioned."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

RegStep = Literal[
    "kind",
    "entity",
    "department",
    "confirm_entity",
    "name",
    "role",
    "email",
    "confirm",
    "code",
    "verify",
    "fix",  # which field to correct, before confirming
]

STATE_VERSION = 1


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: RegStep = "kind"
    kind: Literal["alcaldia", "gobernacion"] | None = None
    candidates: list[str] = Field(default_factory=list)  # DANE codes awaiting a choice
    entity_code: str | None = None
    name: str | None = None
    role: str | None = None
    email: str | None = None
    failures: int = 0
    # Correcting one field from the confirmation: once it is given, back to the confirmation.
    fixing: bool = False
    # A one-time code mailed to an address (only its hash is kept): to the address given, to
    # verify it ("verify"), or to a contact's registered address, to link this conversation
    # to their registration ("code", `link_contact`).
    link_contact: int | None = None
    code_hash: str | None = None
    code_expires: str | None = None  # ISO 8601, UTC
    code_tries: int = 0


class Pending(BaseModel):
    """An answer waiting for the user's yes/no (overwrite, or words we were not sure about)."""

    model_config = ConfigDict(extra="forbid")

    question_id: str
    answer: str | float  # Answer.dump()
    then: str | None = None  # the question to return to afterwards


TicketStep = Literal["topic", "dimension", "description", "means", "phone", "confirm"]


class TicketDraft(BaseModel):
    """A request for accompaniment being put together, before it becomes a ticket."""

    model_config = ConfigDict(extra="forbid")

    step: TicketStep = "topic"
    topic: str | None = None  # see bot.storage.api.NewTicket.topic
    description: str | None = None
    means: str | None = None  # as the mailbox will read it
    back: str | None = None  # the flow to return to afterwards
    # A request being put together when a results button started this one: it comes back.
    held: dict[str, Any] | None = None


class Rectify(BaseModel):
    """Correcting a field of the contact: which one, then the new value awaiting a yes (and,
    for an email, the code mailed to the new address: only its hash is kept)."""

    model_config = ConfigDict(extra="forbid")

    field: Literal["name", "role", "email"] | None = None
    value: str | None = None
    failures: int = 0
    code_hash: str | None = None
    code_expires: str | None = None  # ISO 8601, UTC
    code_tries: int = 0


class State(BaseModel):
    model_config = ConfigDict(extra="forbid")

    v: int = STATE_VERSION
    flow: str = "register"  # the current step: a state owned by one registered flow
    consent_id: int | None = None
    assessment_id: int | None = None
    reg: Registration = Field(default_factory=Registration)
    current: str | None = None  # the question being asked
    failures: int = 0  # failed tries at `current`
    skipped: list[str] = Field(default_factory=list)  # skipped by this contact, asked at review
    pending: Pending | None = None
    block: list[str] = Field(default_factory=list)  # the numbered questions of the last email
    ticket: TicketDraft | None = None
    fix: Rectify | None = None  # while flow == "rectify"
    page: str | None = None  # the review's answers on screen: "<dimension id>:<page>"

    @classmethod
    def load(cls, raw: dict[str, Any]) -> State:
        """Restore a stored state; an unreadable one starts over at the menu, never crashes."""
        try:
            return cls.model_validate(raw)
        except ValidationError:
            return cls(
                flow="menu", consent_id=raw.get("consent_id") if isinstance(raw, dict) else None
            )

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
