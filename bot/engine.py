"""The engine: one incoming message -> one transaction -> the replies. No network code.

For each message it claims the channel's message id (a duplicate changes nothing and gets no
reply), loads and locks the conversation, lets the current flow act, saves the state, and commits.
Replies are returned only after the commit, so anything the user is told was saved is durable.
One error boundary per message: the user gets a polite reply, the log gets the details, and the
engine keeps serving.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.contract import IncomingMessage, Notice, OutgoingMessage
from bot.flows import (
    blocks,
    general,
    onboarding,
    privacy,
    questionnaire,
    reminders,
    review,
    tickets,
)
from bot.flows.sheets import import_sheet, is_sheet
from bot.flows.turn import INTENT_PREFIX, Deps, Turn
from bot.storage.api import StorageError, Store, Tx
from bot.storage.outbox import ERASURE
from dialogues.state import State
from nlu.base import INTENTS, Interpreter, Parse, make_parse
from nlu.rules import rule_intent

log = logging.getLogger(__name__)

MAX_TEXT = 2000  # longer input is cut: no answer needs more, and it bounds NLU work
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

Handler = Callable[[Turn], Awaitable[None]]
_FLOWS: dict[str, Handler] = {
    "register": onboarding.registration,
    "menu": general.handle_menu,
    "question": questionnaire.handle_question,
    "confirm_answer": questionnaire.handle_pending,
    "confirm_overwrite": questionnaire.handle_pending,
    "stuck": questionnaire.handle_question,
    "review": review.handle_review,
    "jump": review.handle_review,
    "confirm_submit": review.handle_confirm_submit,
    "confirm_reopen": review.handle_confirm_reopen,
    "confirm_erase": general.handle_confirm_erase,
    "dimensions": general.handle_menu,
    "block": blocks.handle_block,
    "ticket": tickets.handle,
    "rectify": privacy.handle_rectify,
}
# Intents that interrupt whatever flow is running (except registration, which needs its input,
# and a question, whose flow weighs them against reading the text as an answer).
_ANYWHERE = {
    "ayuda",
    "privacidad",
    "borrar_datos",
    "info_modelo",
    "info_plazos",
    "info_cofinanciacion",
    "estado_ticket",
}


def sanitize(text: str) -> str:
    """Drop control and bidi-override characters, normalise, and bound the length."""
    text = unicodedata.normalize("NFC", text[: MAX_TEXT * 2])
    return _CONTROL.sub("", text).strip()[:MAX_TEXT]


class Engine:
    """One incoming message in, its replies out.

    On a `deferred` channel (email) nobody waits on a connection for the replies: they are
    written to the outbox as one `Notice` in the message's own transaction, so they go out once
    the message is stored, even if the process dies right after, and `handle` returns nothing.
    There a database outage is raised, not answered: the channel keeps the message and hands
    it in again later (IMAP leaves it unseen; an SMTP relay hears "451").
    """

    def __init__(
        self,
        store: Store,
        deps: Deps,
        interpreter: Interpreter,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        deferred: frozenset[str] = frozenset(),
        new_notice_id: Callable[[], str] = lambda: f"<{uuid.uuid4().hex}@asistente-cti>",
        on_outbox: Callable[[], None] = lambda: None,
    ) -> None:
        self.store, self.deps, self.interpreter, self.clock = store, deps, interpreter, clock
        self.deferred, self.new_notice_id, self.on_outbox = deferred, new_notice_id, on_outbox

    async def handle(self, message: IncomingMessage) -> list[OutgoingMessage]:
        now = message.received_at or self.clock()
        body = sanitize(message.text)
        text = body
        if message.key.channel in self.deps.block_channels:
            # By email the reply is the first paragraph; a farewell or a signature follows.
            text = re.split(r"\n\s*\n", body, maxsplit=1)[0].strip()
        deferred = message.key.channel in self.deferred
        try:
            message, parse = await self._understand(text, message)
            async with self.store.transaction() as tx:
                if not await tx.claim_message(message.key, message.message_id, now):
                    log.info(
                        "duplicate message %s on %s ignored",
                        message.message_id,
                        message.key.channel,
                    )
                    return []
                turn = Turn(self.deps, tx, message, text, parse, now, State(), body=body)
                await self._step(turn)
                if deferred:
                    kind = ERASURE if turn.erased else "conversation"
                    await self._defer(tx, message, await self._rendered(turn), now, kind)
            if deferred:
                self.on_outbox()
                return []
            return await self._rendered(turn)
        except StorageError:
            log.warning("database unavailable for %s", message.key.channel, exc_info=True)
            if deferred:
                raise
            apology = self.deps.catalog.render("error.storage")
            return [OutgoingMessage(message.key, apology, failed=True)]
        except Exception:
            log.exception(
                "error handling message %s on %s", message.message_id, message.key.channel
            )
            apology = self.deps.catalog.render("error.internal")
            reply = [OutgoingMessage(message.key, apology, failed=True)]
            if deferred:
                await self._defer_error(message, reply, now)
                return []
            return reply

    @staticmethod
    async def _rendered(turn: Turn) -> list[OutgoingMessage]:
        replies = list(turn.replies)
        for render in turn.after_commit:
            replies.extend(await render())
        return replies + turn.tail

    async def _defer(
        self,
        tx: Tx,
        message: IncomingMessage,
        replies: list[OutgoingMessage],
        now: datetime,
        kind: str = "conversation",
    ) -> None:
        if not replies:
            return
        notice = Notice(
            message.key,
            tuple(replies),
            self.new_notice_id(),
            subject=message.subject,
            in_reply_to=message.message_id,
            references=message.references,
            kind=kind,
        )
        await tx.enqueue(notice, now)

    async def _defer_error(
        self, message: IncomingMessage, reply: list[OutgoingMessage], now: datetime
    ) -> None:
        """Apologise once and mark the message handled, so a message that trips a bug is not
        handed in again and again."""
        async with self.store.transaction() as tx:
            if await tx.claim_message(message.key, message.message_id, now):
                await self._defer(tx, message, reply, now)
        self.on_outbox()

    async def _understand(
        self, text: str, message: IncomingMessage
    ) -> tuple[IncomingMessage, Parse | None]:
        """The parse of free text; a pressed intent button counts as that intent, said plainly."""
        option = message.option
        if option is not None and option.startswith(INTENT_PREFIX):
            intent = option.removeprefix(INTENT_PREFIX)
            if intent in INTENTS:
                return dataclasses.replace(message, option=None), make_parse(text, intent, 1.0)
        if option is not None or not text:
            return message, None
        return message, await self.interpreter.parse(text)

    async def _step(self, turn: Turn) -> None:
        tx = turn.tx
        record = await tx.find_conversation(turn.msg.key)
        if record is None:
            await onboarding.pre_consent(turn)
        else:
            turn.conversation_id = record.id
            turn.state = State.load(record.state)
            turn.contact = await tx.contact(record.contact_id) if record.contact_id else None
            if turn.contact is None and turn.state.flow != "register":
                turn.state.flow = "register"  # a registered contact was erased elsewhere
            await self._dispatch(turn)
        if turn.conversation_id is not None:
            contact_id = turn.contact.id if turn.contact else None
            await tx.save_conversation(
                turn.conversation_id, turn.state.dump(), contact_id, turn.now
            )

    async def _dispatch(self, turn: Turn) -> None:
        flow = turn.state.flow
        sheets = [a for a in turn.msg.attachments if is_sheet(a)]
        if sheets and turn.contact is not None:
            # A filled-in questionnaire, whatever the conversation was doing.
            await import_sheet(turn, sheets[0])
            if flow in ("question", "block"):
                await questionnaire.ask_next(turn)  # what was asked may be answered now
            else:
                await general.reprompt(turn)
            return
        # A results button asking for accompaniment works whatever comes after the results.
        if turn.contact is not None and (turn.option or "").startswith(tickets.QUICK_PREFIX):
            await tickets.quick(turn)
            await general.reprompt(turn)
            return
        # A reminder's buttons and words work whatever the conversation was waiting for.
        action = reminders.requested(turn) if turn.contact is not None else None
        if action is not None:
            await reminders.handle(turn, action)
            return
        if flow == "register":
            # Names and job titles are free text: only exact commands interrupt registration.
            intent = rule_intent(turn.text) if turn.option is None else None
            if intent == "ayuda":
                turn.say("help.register")
                onboarding.prompt_registration(turn)
            elif intent in ("privacidad", "borrar_datos"):
                await general.handle_global(turn)
            elif intent in ("saludo", "cancelar"):
                turn.say("small.saludo" if intent == "saludo" else "reg.paused")
                onboarding.prompt_registration(turn)
            else:
                await onboarding.registration(turn)
            return
        if (
            turn.intent in _ANYWHERE
            and turn.option is None
            and flow not in ("confirm_erase", "question", "block", "ticket", "rectify")
        ):
            await general.handle_global(turn)
            return
        await _FLOWS[flow](turn)
