"""The engine: one incoming message -> one transaction -> the replies. No network code.

For each message it claims the channel's message id (a duplicate changes nothing and gets no
reply), loads and locks the conversation, lets the current flow act, saves the state, and commits.
Replies are returned only after the commit, so anything the user is told was saved is durable.
One error boundary per message: the user gets a polite reply, the log gets the details, and the
engine keeps serving.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.contract import IncomingMessage, OutgoingMessage
from bot.flows import general, onboarding, questionnaire, review
from bot.flows.turn import Deps, Turn
from bot.storage.api import StorageError, Store
from dialogues.state import State
from nlu.base import Interpreter, Parse
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
}
# Intents that interrupt whatever flow is running (except registration, which needs its input).
_ANYWHERE = {
    "ayuda",
    "privacidad",
    "borrar_datos",
    "info_modelo",
    "info_plazos",
    "info_cofinanciacion",
}


def sanitize(text: str) -> str:
    """Drop control and bidi-override characters, normalise, and bound the length."""
    text = unicodedata.normalize("NFC", text[: MAX_TEXT * 2])
    return _CONTROL.sub("", text).strip()[:MAX_TEXT]


class Engine:
    def __init__(
        self,
        store: Store,
        deps: Deps,
        interpreter: Interpreter,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.deps, self.interpreter, self.clock = store, deps, interpreter, clock

    async def handle(self, message: IncomingMessage) -> list[OutgoingMessage]:
        now = message.received_at or self.clock()
        text = sanitize(message.text)
        try:
            parse = await self._understand(text, message)
            async with self.store.transaction() as tx:
                if not await tx.claim_message(message.key, message.message_id, now):
                    log.info(
                        "duplicate message %s on %s ignored",
                        message.message_id,
                        message.key.channel,
                    )
                    return []
                turn = Turn(self.deps, tx, message, text, parse, now, State())
                await self._step(turn)
            replies = list(turn.replies)
            for render in turn.after_commit:
                replies.extend(await render())
            return replies
        except StorageError:
            log.warning("database unavailable for %s", message.key.channel, exc_info=True)
            return [OutgoingMessage(message.key, self.deps.catalog.render("error.storage"))]
        except Exception:
            log.exception(
                "error handling message %s on %s", message.message_id, message.key.channel
            )
            return [OutgoingMessage(message.key, self.deps.catalog.render("error.internal"))]

    async def _understand(self, text: str, message: IncomingMessage) -> Parse | None:
        if message.option is not None or not text:
            return None
        return await self.interpreter.parse(text)

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
        # In a question, a plain "ayuda" asks about that question; "/ayuda" is the general help.
        question_help = flow == "question" and not turn.text.startswith("/")
        if (
            turn.intent in _ANYWHERE
            and turn.option is None
            and flow != "confirm_erase"
            and not (question_help and turn.intent == "ayuda")
        ):
            await general.handle_global(turn)
            return
        await _FLOWS[flow](turn)
