"""The Telegram channel proper: python-telegram-bot handlers that translate, nothing more.

An update becomes one `IncomingMessage` (text, or the value of a pressed button); the engine's
replies become Bot API calls (inline keyboards, text split under 4,096 units, photos and
documents). Conversation state lives in the engine's database only, so a restart loses nothing.

Exactly-once: the engine ignores a message id it has already processed, so the ids chosen here
must be the same every time Telegram offers the same event again and never repeat for a
different one. Update ids are not used: Telegram may restart them from a random number after a
week without updates. A message id is unique within its chat, so "<chat>:<message>" is unique;
it is stored as a keyed digest ("m<hmac>"), because a private chat's id is the person's Telegram
user id and processed ids outlive consent and erasure (they are written even for a "hola" before
the notice is accepted). A callback query id is unique across Telegram and says nothing about
the person ("c<query>").
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, TypeVar

from telegram import (
    Bot,
    BotCommand,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from bot.contract import (
    Attachment,
    ConversationKey,
    IncomingMessage,
    Option,
    OutgoingMessage,
)
from bot.contract import (
    MessageHandler as Engine,
)
from channels.telegram.pacing import ChatPacer
from channels.telegram.render import coalesce, command_text, rows, split_text, with_choice

log = logging.getLogger(__name__)

T = TypeVar("T")
Render = Callable[..., str]  # a template key and its parameters -> text (the catalog's `render`)
Context = ContextTypes.DEFAULT_TYPE

# The menu shown by Telegram's "/" button; the engine understands each as a text command.
COMMANDS = (
    "start",
    "diagnostico",
    "continuar",
    "resultados",
    "asesoria",
    "estado",
    "ayuda",
    "privacidad",
    "borrar",
    "cancelar",
)
# What we ask Telegram for: edits, reactions and the rest carry nothing the engine reads.
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
PHOTO_TYPES = frozenset({"image/png", "image/jpeg"})
_JOINED = frozenset({ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR})


class KeyedLocks:
    """One lock per key, dropped when nobody holds or waits for it (chats come and go)."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


def retry_after_seconds(exc: RetryAfter) -> float:
    """`RetryAfter.retry_after` is an int or a timedelta depending on PTB_TIMEDELTA."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramChannel:
    def __init__(
        self,
        engine: Engine,
        texts: Render,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        chat_messages_per_second: float = 0.0,
        id_key: bytes = b"",
    ) -> None:
        """`id_key`: the secret that keys message-id digests (the composition root passes the
        bot token); without it the digest only hides the chat id from a casual reader."""
        self.engine, self.texts = engine, texts
        self._id_key = id_key or b"asistente-cti"
        self.attempts, self.backoff = attempts, backoff
        self._chats = KeyedLocks()
        self.pacer = ChatPacer(chat_messages_per_second)  # 0: not paced

    # --- wiring ------------------------------------------------------------------------------

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register the handlers: one per kind of update, the first match wins."""
        private = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(
            ChatMemberHandler(self.on_membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_handler(MessageHandler(private & filters.TEXT, self.on_text))
        application.add_handler(MessageHandler(private, self.on_other))
        application.add_handler(
            MessageHandler(filters.UpdateType.MESSAGE & ~filters.ChatType.PRIVATE, self.on_group)
        )
        application.add_error_handler(self.on_error)

    def commands(self) -> list[BotCommand]:
        return [BotCommand(name, self.texts(f"telegram.command.{name}")) for name in COMMANDS]

    def message_id(self, chat_id: int, message_id: int) -> str:
        """The engine's id for a chat's message: stable across redeliveries, not the chat id."""
        digest = hmac.new(self._id_key, f"{chat_id}:{message_id}".encode(), hashlib.sha256)
        return "m" + digest.hexdigest()[:40]

    # --- handlers ----------------------------------------------------------------------------

    async def on_text(self, update: Update, context: Context) -> None:
        """Pass a typed message (or a /command) to the engine and send its replies."""
        message = update.message
        assert message is not None and message.text is not None
        text = command_text(message.text) if message.text.startswith("/") else message.text
        key = ConversationKey("telegram", str(message.chat.id))
        incoming = IncomingMessage(
            key,
            self.message_id(message.chat.id, message.message_id),
            text=text,
            received_at=message.date,
        )
        async with self._chats.hold(message.chat.id):
            await self.send(context.bot, await self.engine.handle(incoming))

    async def on_button(self, update: Update, context: Context) -> None:
        """Answer the button at once, pass its value to the engine, mark the choice, reply."""
        query = update.callback_query
        assert query is not None
        # Stop the client's spinner first; a redelivered query is too old to answer, harmlessly.
        await self._quietly(context.bot.answer_callback_query(query.id))
        message = query.message
        if message is None or message.chat.type != ChatType.PRIVATE or not query.data:
            return
        key = ConversationKey("telegram", str(message.chat.id))
        incoming = IncomingMessage(key, f"c{query.id}", option=query.data)
        async with self._chats.hold(message.chat.id):
            replies = await self.engine.handle(incoming)
            # Not handled (the database is down): the buttons stay, to be pressed again.
            if isinstance(message, Message) and not any(r.failed for r in replies):
                await self._show_choice(context.bot, message, query.data)
            await self.send(context.bot, replies)

    async def on_other(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice notes: say that only text and buttons are read."""
        message = update.message
        assert message is not None
        await self._retry(
            lambda: context.bot.send_message(message.chat.id, self.texts("telegram.text_only")),
            chat_id=message.chat.id,
        )

    async def on_membership(self, update: Update, context: Context) -> None:
        """Added to a group: explain, once, that the assistant works in private chats only."""
        change = update.my_chat_member
        assert change is not None
        if change.chat.type == ChatType.PRIVATE:
            # The user blocked (kicked) or unblocked the bot: nothing to answer.
            log.info("telegram: chat %s is now %s", change.chat.id, change.new_chat_member.status)
        elif change.new_chat_member.status in _JOINED:
            await self._leave(context.bot, change.chat)

    async def on_group(self, update: Update, context: Context) -> None:
        """A message in a group we are still in (the join was missed): explain and leave."""
        message = update.message
        assert message is not None
        await self._leave(context.bot, message.chat)

    async def on_error(self, update: object, context: Context) -> None:
        """Log a failed update with its chat; the next update is served as usual."""
        effective = update.effective_chat if isinstance(update, Update) else None
        chat = effective.id if effective else None
        error = context.error
        if isinstance(error, Forbidden):
            log.info("telegram: chat %s cannot be written to: %s", chat, error)
        else:
            log.error("telegram: update in chat %s failed", chat, exc_info=error)

    # --- rendering ---------------------------------------------------------------------------

    async def send(self, bot: Bot, replies: Sequence[OutgoingMessage]) -> None:
        """Deliver engine replies: long texts in pieces, the keyboard under the last piece,
        then each attachment (images as photos, anything else as a document)."""
        for reply in coalesce(replies):
            if reply.key.channel != "telegram":
                log.warning("telegram: reply for %s dropped", reply.key.channel)
                continue
            chat_id = int(reply.key.address)
            pieces = split_text(reply.text)
            for index, piece in enumerate(pieces):
                markup = keyboard(reply.options) if index == len(pieces) - 1 else None
                await self._retry(
                    functools.partial(bot.send_message, chat_id, piece, reply_markup=markup),
                    chat_id=chat_id,
                )
            if reply.options and not pieces:
                log.warning("telegram: options without text for chat %s dropped", chat_id)
            for attachment in reply.attachments:
                await self._send_file(bot, chat_id, attachment)

    async def _send_file(self, bot: Bot, chat_id: int, attachment: Attachment) -> None:
        if attachment.content_type in PHOTO_TYPES:
            try:
                await self._retry(
                    lambda: bot.send_photo(chat_id, attachment.data, filename=attachment.filename),
                    chat_id=chat_id,
                )
                return
            except BadRequest as exc:
                # Telegram refuses some images as photos (size, proportions): a file still works.
                log.warning("telegram: photo %s refused (%s)", attachment.filename, exc)
        await self._retry(
            lambda: bot.send_document(chat_id, attachment.data, filename=attachment.filename),
            chat_id=chat_id,
        )

    async def _show_choice(self, bot: Bot, message: Message, value: str) -> None:
        """Edit the question to show the pressed button's label and drop its keyboard, so an
        old question cannot be answered twice by accident and the chat reads as a record."""
        label = _label_of(message, value)
        if label is None:
            return  # the keyboard is gone already (a redelivered press)
        chat_id, message_id = message.chat.id, message.message_id
        chosen = self.texts("telegram.chosen", label=label)
        text = with_choice(message.text, chosen) if message.text else None
        if text is not None:
            edit = self._retry(
                lambda: bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
            )
        else:  # a photo's caption, or no room left: at least remove the buttons
            edit = self._retry(
                lambda: bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
            )
        await self._quietly(edit)

    async def _leave(self, bot: Bot, chat: Chat) -> None:
        if chat.type != ChatType.CHANNEL:
            text = self.texts("telegram.private_only", username=bot.username)
            await self._quietly(
                self._retry(lambda: bot.send_message(chat.id, text), chat_id=chat.id)
            )
        await self._quietly(self._retry(lambda: bot.leave_chat(chat.id)))
        log.info("telegram: left %s %s", chat.type, chat.id)

    # --- calling the Bot API -----------------------------------------------------------------

    async def _retry(self, call: Callable[[], Awaitable[T]], *, chat_id: int | None = None) -> T:
        """A Bot API call, again after network errors (with backoff) and after flood control
        that outlasted the rate limiter's own retries. Refusals (400, 403) are not retried.
        A message to `chat_id` waits for that chat's turn (`ChatPacer`), each attempt.

        A request that timed out may have been delivered: retrying it can show a message twice,
        which we prefer to a question that never arrives."""
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            if chat_id is not None:
                await self.pacer.wait(chat_id)
            try:
                try:
                    return await call()
                finally:
                    if chat_id is not None:
                        self.pacer.sent(chat_id)
            except (BadRequest, Forbidden, InvalidToken, ChatMigrated):
                raise
            except RetryAfter as exc:
                if attempt == self.attempts:
                    raise
                await asyncio.sleep(retry_after_seconds(exc) + 0.1)
            except NetworkError as exc:
                if attempt == self.attempts:
                    raise
                log.warning("telegram: %s; attempt %d in %.1f s", exc, attempt + 1, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    @staticmethod
    async def _quietly(call: Awaitable[object]) -> None:
        """A courtesy call whose refusal changes nothing (answering an expired button, an edit
        of a message that is already so)."""
        try:
            await call
        except BadRequest as exc:
            log.debug("telegram: ignored: %s", exc)
        except TelegramError as exc:
            log.info("telegram: ignored: %s", exc)


def keyboard(options: Sequence[Option]) -> InlineKeyboardMarkup | None:
    if not options:
        return None
    labels = [o.label for o in options]
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(labels[i], callback_data=options[i].value) for i in row]
            for row in rows(labels)
        ]
    )


def _label_of(message: Message, value: str) -> str | None:
    markup = message.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == value:
                return button.text
    return None
