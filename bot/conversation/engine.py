"""The engine: one incoming message -> one transaction -> the replies. No network code.

For each message it claims the channel's message id (a duplicate changes nothing and gets no
reply), loads and locks the conversation, lets the current flow act, saves the state, and commits.
Replies are returned only after the commit, so anything the user is told was saved is durable.
One error boundary per message: the user gets a polite reply, the log gets the details, and the
engine keeps serving.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import unicodedata
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from bot.contract import (
    TRAITS,
    ChannelName,
    ChannelTraits,
    IncomingMessage,
    Notice,
    OutgoingMessage,
)
from bot.conversation.flows import (
    accompaniment,
    approvals,
    blocks,
    menu,
    onboarding,
    privacy,
    question,
    reminders,
    review,
    sheets,
)
from bot.conversation.registry import (
    Flow,
    Goto,
    Ignored,
    Next,
    NotMine,
    Registry,
    Reprompt,
    goto,
)
from bot.conversation.router import Router
from bot.conversation.state import State
from bot.conversation.turn import INTENT_PREFIX, Deps, Turn
from bot.storage.api import StorageError, Store, Tx
from bot.storage.outbox import ERASURE
from nlu.base import INTENTS, Interpreter, Parse, make_parse
from nlu.rules import command_intent

log = logging.getLogger(__name__)

MAX_TEXT = 2000  # longer input is cut: no answer needs more, and it bounds NLU work
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
# Transitions one message may cause (a step, the flow it enters, what that one enters...): a
# loop between flows is a bug, and it must end as one.
MAX_HOPS = 12
# A slash command is never data: it goes to the global router from any flow, except these two,
# which every flow answers in its own context (its own help; cancelling what it was doing).
_FLOW_COMMANDS = frozenset({"ayuda", "cancelar"})

FLOWS: tuple[Flow, ...] = (
    onboarding.FLOW,
    menu.FLOW,
    *question.FLOWS,
    blocks.FLOW,
    *review.FLOWS,
    accompaniment.FLOW,
    *privacy.FLOWS,
)
Interceptor = Callable[[Turn], Awaitable[Next]]


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
        traits: Mapping[ChannelName, ChannelTraits] = TRAITS,
        new_notice_id: Callable[[], str] = lambda: f"<{uuid.uuid4().hex}@asistente-cti>",
        on_outbox: Callable[[], None] = lambda: None,
    ) -> None:
        self.store, self.deps, self.interpreter, self.clock = store, deps, interpreter, clock
        self.traits, self.new_notice_id, self.on_outbox = traits, new_notice_id, on_outbox
        self.registry = Registry(FLOWS)
        self.router = Router(self.registry)
        # Ordered: each sees the message before the current flow, and passes with `NotMine`.
        self.interceptors: tuple[Interceptor, ...] = (
            approvals.intercept,
            sheets.intercept,
            self.router.quick_ticket,
            reminders.intercept,
        )

    async def handle(self, message: IncomingMessage) -> list[OutgoingMessage]:
        now = message.received_at or self.clock()
        body = sanitize(message.text)
        text = body
        traits = self.traits.get(message.key.channel, ChannelTraits())
        if traits.first_paragraph:
            # The reply is the first paragraph; a farewell, a signature or a quote follows.
            text = re.split(r"\n\s*\n", body, maxsplit=1)[0].strip()
        deferred = traits.deferred
        try:
            message, parse = await self._understand(text, message)
            # A questionnaire file is opened here: off the event loop, before any lock is taken.
            sheet = (
                await asyncio.to_thread(sheets.open_sheet, message) if message.attachments else None
            )
            async with self.store.transaction() as tx:
                if not await tx.claim_message(message.key, message.message_id, now):
                    log.info(
                        "duplicate message %s on %s ignored",
                        message.message_id,
                        message.key.channel,
                    )
                    return []
                turn = Turn(
                    self.deps,
                    tx,
                    message,
                    text,
                    parse,
                    now,
                    State(),
                    body=body,
                    traits=traits,
                    sheet=sheet,
                )
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
        if turn.ignored:
            notice = turn.deps.catalog.render("option.ignored")
            return [OutgoingMessage(turn.msg.key, notice, option_ignored=True)]
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
            await turn.resolve_version()
            flow = self.registry.owner(turn.state.flow)
            if flow is None:  # a step no flow owns any more (an old stored state)
                turn.state.flow = "menu"
                flow = self.registry["menu"]
            if turn.contact is None and flow.needs_contact:
                turn.state.flow = "register"  # a registered contact was erased elsewhere
            await self._dispatch(turn)
            if turn.ignored:
                return  # a stale button changes nothing, not even the state
        if turn.conversation_id is not None:
            contact_id = turn.contact.id if turn.contact else None
            await tx.save_conversation(
                turn.conversation_id, turn.state.dump(), contact_id, turn.now
            )

    async def _dispatch(self, turn: Turn) -> None:
        """Interceptors in order, then the current flow, then where each step says to go."""
        for intercept in self.interceptors:
            after: Next = await intercept(turn)
            if not isinstance(after, NotMine):
                await self._follow(turn, after)
                return
        flow = self.registry.owner(turn.state.flow) or self.registry["menu"]
        typed = turn.option is None
        command = command_intent(turn.text) if typed else None
        interrupted = typed and turn.intent in flow.interruptions
        if interrupted or (command is not None and command not in _FLOW_COMMANDS):
            after = NotMine()
        elif await self._barred(turn, flow):
            after = goto("menu")  # revoked (or declined) since the last message
        else:
            after = await flow.handle(turn)
        await self._follow(turn, after)

    @staticmethod
    async def _barred(turn: Turn, flow: Flow) -> bool:
        """Whether the contact may not be in `flow` (`Flow.needs`); says why when so."""
        return (
            flow.needs is not None and turn.contact is not None and await turn.refused(flow.needs)
        )

    async def _follow(self, turn: Turn, after: Next) -> None:
        mark: int | None = None  # from here on, replies go after the report (see `Goto`)
        try:
            for _ in range(MAX_HOPS):
                if isinstance(after, Goto | Reprompt) and after.after_report and mark is None:
                    mark = len(turn.replies)
                match after:
                    case None:
                        return
                    case Ignored():
                        turn.ignored = True
                        return
                    case NotMine():
                        after = await self.router.route(turn, after)
                    case Goto(name, args):
                        target = self.registry[name]
                        if await self._barred(turn, target):
                            after = goto("menu")
                        else:
                            after = await target.enter(turn, **args)
                    case Reprompt():
                        flow = self.registry.owner(turn.state.flow) or self.registry["menu"]
                        if await self._barred(turn, flow):
                            after = goto("menu")
                        else:
                            after = await flow.reprompt(turn)
            raise RuntimeError(f"more than {MAX_HOPS} transitions in one turn: {after!r}")
        finally:
            if mark is not None:
                turn.tail.extend(turn.replies[mark:])
                del turn.replies[mark:]
