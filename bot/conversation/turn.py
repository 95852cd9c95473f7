"""What a flow sees while handling one incoming message: the open transaction and the state."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.contract import ChannelTraits, IncomingMessage, Option, OutgoingMessage, mailbox_proven
from bot.conversation import access
from bot.conversation.state import State
from bot.scoring import Answer
from bot.storage.api import AssessmentRecord, ContactRecord, StoredAnswer, Tx
from bot.territory import Entity, Gazetteer
from dialogues.messages import Catalog
from dialogues.questionnaire import Kind, Questionnaire, Questionnaires
from nlu.base import Parse

if TYPE_CHECKING:
    from bot.constancia.lookup import Context as ConstanciaContext
    from bot.spreadsheet import SheetCells, SheetError
    from bot.tickets.desk import TicketDesk

# Button values: short, stable, well under Telegram's 64-byte callback limit.
YES, NO = "yes", "no"
# A button that stands for an intent ("intent:info_plazos"), offered when the NLU was unsure; the
# engine turns it into a parse with that intent, as if the person had typed it unambiguously.
INTENT_PREFIX = "intent:"


@dataclass(frozen=True, slots=True)
class Deps:
    """Everything flows need that does not change between messages."""

    # Every loaded version; a turn works under its assessment's (`Turn.q`).
    questionnaires: Questionnaires
    gazetteer: Gazetteer
    catalog: Catalog
    consent_version: str
    max_failed_tries: int
    cycle_of: Callable[[datetime], int]
    templates_dir: Path
    # MinTIC's mailbox for technical accompaniment (config routing.mailbox), named in reports.
    mailbox: str = "ciudadesyterritoriosinteligentes@mintic.gov.co"
    # Whether mail leaves at all (the email channel's outbox worker runs): codes need it.
    mail_enabled: bool = True
    # A fresh Message-ID in the assistant's mail domain, for emails the flows write.
    new_email_id: Callable[[], str] = lambda: f"<{uuid.uuid4().hex}@asistente-cti>"
    # Requests for accompaniment: numbering, routing to the mailbox, telling the contact.
    desk: TicketDesk | None = None
    # Constancias for members' submissions (bot.constancia); None without CTI_CONSTANCIA_SECRET.
    constancia: ConstanciaContext | None = None

    @property
    def questionnaire(self) -> Questionnaire:
        """The version new assessments are opened under."""
        return self.questionnaires.default


@dataclass
class Turn:
    deps: Deps
    tx: Tx
    msg: IncomingMessage
    text: str  # sanitised text (by email, its first paragraph: the reply itself)
    parse: Parse | None
    now: datetime
    state: State
    conversation_id: int | None = None
    contact: ContactRecord | None = None
    replies: list[OutgoingMessage] = field(default_factory=list)
    # Slow work (rendering reports) done after commit, so locks are held briefly.
    after_commit: list[Callable[[], Awaitable[list[OutgoingMessage]]]] = field(default_factory=list)
    # Replies that go after what `after_commit` renders (see `after_rendered`).
    tail: list[OutgoingMessage] = field(default_factory=list)
    body: str = ""  # the whole sanitised text (numbered answers, descriptions)
    erased: bool = False  # the person erased their data in this turn (replies are the last)
    traits: ChannelTraits = field(default_factory=ChannelTraits)  # of the message's channel
    # The questionnaire file attached, opened before the transaction (flows/sheets.py).
    sheet: SheetCells | SheetError | None = None
    # A pressed option nothing acted on: the reply is one notice and nothing is saved.
    ignored: bool = False
    _assessment: AssessmentRecord | None = None
    # The entity's assessment found without opening one (`resolve_version`), for its version.
    _existing: AssessmentRecord | None = None
    _answers: dict[str, StoredAnswer] | None = None
    _standing: access.Standing | None = None
    _refusal_said: bool = False

    # --- replies -----------------------------------------------------------------------------

    def say(self, key: str, options: tuple[Option, ...] = (), **params: Any) -> None:
        text = self.deps.catalog.render(key, **params)
        self.replies.append(OutgoingMessage(self.msg.key, text, options))

    @contextmanager
    def after_rendered(self) -> Iterator[None]:
        """Replies said inside this block are sent after the after-commit renders (a report),
        so the conversation reads in order: the results, then where the person was."""
        mark = len(self.replies)
        try:
            yield
        finally:
            self.tail.extend(self.replies[mark:])
            del self.replies[mark:]

    def options(self, *pairs: tuple[str, str]) -> tuple[Option, ...]:
        """(value, catalog key of the label) pairs -> options."""
        return tuple(Option(value, self.deps.catalog.render(label)) for value, label in pairs)

    # --- what the user sent ------------------------------------------------------------------

    @property
    def intent(self) -> str | None:
        if self.parse is None:
            return None
        name = self.parse["intent"]["name"]
        return None if name == "nlu_fallback" else name

    @property
    def option(self) -> str | None:
        return self.msg.option

    def refused_unproven(self) -> bool:
        """For an identity action (erase, change the email, link a channel, submit): True, with
        the fixed explanation, when the message did not prove control of its mailbox."""
        if mailbox_proven(self.msg):
            return False
        self.say("trust.unproven")
        return True

    def said_yes(self) -> bool:
        return self.option == YES or (self.option is None and self.intent == "afirmar")

    def said_no(self) -> bool:
        return self.option == NO or (self.option is None and self.intent == "negar")

    # --- the contact's entity and assessment (loaded lazily, cached for the turn) ------------

    @property
    def q(self) -> Questionnaire:
        """The questionnaire version of the assessment this turn works on: the one it was
        opened under, whatever the default for new assessments is now."""
        return self.deps.questionnaires.of(self._assessment or self._existing)

    async def resolve_version(self) -> None:
        """Find the assessment the contact works on, without opening one, so that `q` is its
        version before any flow reads it (the engine calls this once the contact is known)."""
        if self.contact is None or self._assessment is not None:
            return
        if self.state.assessment_id is not None:
            self._assessment = await self.tx.assessment(self.state.assessment_id)
            if self._assessment is not None:
                return
        self._existing = await self.tx.find_assessment(
            self.contact.entity_code, self.deps.cycle_of(self.now)
        )

    @property
    def entity(self) -> Entity:
        assert self.contact is not None
        entity = self.deps.gazetteer.get(self.contact.entity_code)
        assert entity is not None, "contacts reference registrable entities only"
        return entity

    @property
    def kind(self) -> Kind:
        return self.entity.kind

    async def assessment(self) -> AssessmentRecord:
        if self._assessment is None:
            assert self.contact is not None
            if self.state.assessment_id is not None:
                self._assessment = await self.tx.assessment(self.state.assessment_id)
            if self._assessment is None:
                self._assessment = await self.tx.open_assessment(
                    self.contact.entity_code,
                    self.deps.cycle_of(self.now),
                    self.q.id,
                    self.q.version,
                    self.contact.id,
                    self.now,
                )
                self.state.assessment_id = self._assessment.id
        return self._assessment

    def forget_assessment(self) -> None:
        self._assessment = self._existing = None

    async def answers(self) -> dict[str, StoredAnswer]:
        """The entity's answers this contact may see: all of them for a member, else only the
        ones they gave themselves (a pending official never reads a colleague's answer)."""
        if self._answers is None:
            stored = await self.tx.answers((await self.assessment()).id)
            known = self.q.question_index.keys() | self.q.perception_index.keys()
            # Only under a version no longer loaded (see `Questionnaires.of`) can an answer
            # name a question `q` lacks; it is kept in storage, not shown or scored.
            stored = {qid: a for qid, a in stored.items() if qid in known}
            if not await self.may("see_answers"):
                me = self.contact.id if self.contact else None
                stored = {qid: a for qid, a in stored.items() if a.contact_id == me}
            self._answers = stored
        return self._answers

    # --- what the contact may do for the entity (bot.conversation.access) ---------------------

    async def standing(self) -> access.Standing:
        """Read from the contact as loaded this turn, so a revocation counts from the next
        message."""
        assert self.contact is not None
        if self._standing is None:
            has_members = self.contact.is_member or bool(
                await self.tx.members_of_entity(self.contact.entity_code)
            )
            self._standing = access.standing(self.contact.status, has_members)
        return self._standing

    async def may(self, action: access.Action) -> bool:
        return self.contact is not None and access.permits(await self.standing(), action)

    async def refused(self, action: access.Action) -> bool:
        """True, with the explanation for the contact's standing, when `action` is not theirs."""
        if await self.may(action):
            return False
        if not self._refusal_said:  # one explanation a message, however many steps refuse
            self._refusal_said = True
            self.say(f"access.{await self.standing()}", action=action)
        return True

    async def save_answer(self, question_id: str, answer: Answer) -> None:
        assessment = await self.assessment()
        contact_id = self.contact.id if self.contact else None
        await self.tx.save_answer(assessment.id, question_id, answer, contact_id, self.now)
        answers = await self.answers()
        answers[question_id] = StoredAnswer(question_id, answer, contact_id, self.now)
