"""The Telegram channel proper: python-telegram-bot handlers that translate, nothing more.

An update becomes one `IncomingMessage` (text, the value of a pressed button, or a filled-in
questionnaire sent as a document); the engine's replies become Bot API calls (inline keyboards,
text split under 4,096 units, photos and documents). Conversation state lives in the engine's
database only, so a restart loses nothing.

A pressed button is answered as soon as the engine has read it, never behind the chat's queue
of replies (order.py): with the engine's short notice when the press was not acted on (a stale
button), in which case the message that carried it stays as it was.

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
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
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
from channels.telegram import files
from channels.telegram.order import KeyedLocks, SendOrder, turn_read
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
# What we ask Telegram for: reactions and the rest carry nothing the engine reads. Edits are
# not read either, but the person is told so (once in a while), rather than left waiting.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
MAX_CALLBACK_TEXT = 200  # answerCallbackQuery's notice
PHOTO_TYPES = frozenset({"image/png", "image/jpeg"})
_JOINED = frozenset({ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR})


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
        edit_notice_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`id_key`: the secret that keys message-id digests (the composition root passes the
        bot token); without it the digest only hides the chat id from a casual reader.
        `edit_notice_seconds`: a chat is told that edits are not read at most once that often,
        so someone correcting a message ten times hears it once."""
        self.engine, self.texts = engine, texts
        self._id_key = id_key or b"asistente-cti"
        self.attempts, self.backoff = attempts, backoff
        self._chats = KeyedLocks()  # the engine reads one update of a chat at a time
        self._order = SendOrder()  # and the chat's replies leave in that order
        self.pacer = ChatPacer(chat_messages_per_second)  # 0: not paced
        self.edit_notice_seconds, self.clock = edit_notice_seconds, clock
        self._edit_notices: dict[int, float] = {}  # chat -> when it was last told

    # --- wiring ------------------------------------------------------------------------------

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register the handlers: one per kind of update, the first match wins."""
        private = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(
            ChatMemberHandler(self.on_membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_handler(MessageHandler(private & filters.TEXT, self.on_text))
        application.add_handler(MessageHandler(private & filters.Document.ALL, self.on_document))
        application.add_handler(MessageHandler(private, self.on_other))
        application.add_handler(
            MessageHandler(
                filters.UpdateType.EDITED_MESSAGE & filters.ChatType.PRIVATE, self.on_edit
            )
        )
        application.add_handler(
            MessageHandler(filters.UpdateType.MESSAGE & ~filters.ChatType.PRIVATE, self.on_group)
        )
        application.add_error_handler(self.on_error)

    def commands(self) -> list[BotCommand]:
        return [BotCommand(name, self.texts(f"telegram.command.{name}")) for name in COMMANDS]

    def descriptions(self) -> tuple[str, str]:
        """The bot's description (shown in an empty chat, up to 512 characters) and short
        description (its profile and shared links, up to 120)."""
        return (
            self.texts("telegram.description").strip(),
            self.texts("telegram.short_description").strip(),
        )

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
        _, delivery = await self._turn(context.bot, message.chat.id, incoming)
        await delivery

    async def on_document(self, update: Update, context: Context) -> None:
        """A file: the questionnaire sent back filled in reaches the engine as an attachment;
        any other file, or one too large, is refused with a sentence saying what is read."""
        message = update.message
        assert message is not None and message.document is not None
        document, chat_id = message.document, message.chat.id
        refused = files.refusal(document.file_name, document.mime_type, document.file_size)
        data = b""
        if refused is None:
            try:
                found = await self._retry(lambda: context.bot.get_file(document.file_id))
                data = bytes(await self._retry(found.download_as_bytearray))
            except BadRequest as exc:  # "file is too big": over what a bot may download
                log.info("telegram: document in chat %s not downloaded: %s", chat_id, exc)
                refused = "size"
            else:
                refused = files.refusal(document.file_name, document.mime_type, len(data))
        if refused is not None:
            limit = files.MAX_FILE_BYTES // (1024 * 1024)
            await self._say(
                context.bot, chat_id, self.texts(f"telegram.document.{refused}", megabytes=limit)
            )
            return
        attachment = Attachment(
            document.file_name or "cuestionario.xlsx",
            document.mime_type or files.SHEET_MIME,
            data,
        )
        incoming = IncomingMessage(
            ConversationKey("telegram", str(chat_id)),
            self.message_id(chat_id, message.message_id),
            text=message.caption or "",
            attachments=(attachment,),
            received_at=message.date,
        )
        _, delivery = await self._turn(context.bot, chat_id, incoming)
        await delivery

    async def on_button(self, update: Update, context: Context) -> None:
        """Pass the button's value to the engine and answer the press at once: marked as
        chosen when the engine acted on it, or with the engine's notice when it did not."""
        query, bot = update.callback_query, context.bot
        assert query is not None
        message = query.message
        if message is None or message.chat.type != ChatType.PRIVATE or not query.data:
            # Stop the spinner; a redelivered query is too old to answer, harmlessly.
            await self._quietly(bot.answer_callback_query(query.id))
            return
        key = ConversationKey("telegram", str(message.chat.id))
        incoming = IncomingMessage(key, f"c{query.id}", option=query.data)
        try:
            replies, delivery = await self._turn(bot, message.chat.id, incoming)
        except Exception:
            await self._quietly(bot.answer_callback_query(query.id))  # the spinner, at least
            raise
        ignored = next((r for r in replies if r.option_ignored), None)
        notice = _callback_text(ignored.text) if ignored is not None else None
        await self._quietly(bot.answer_callback_query(query.id, text=notice))
        # Not acted on (a stale button), or not handled (the database is down): the message
        # stays as it was; its buttons can be pressed again.
        acted = ignored is None and not any(r.failed for r in replies)
        if acted and isinstance(message, Message):
            await self._show_choice(bot, message, query.data)
        await delivery

    async def on_other(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice notes: say what is read (text, buttons, the questionnaire)."""
        message = update.message
        assert message is not None
        await self._say(context.bot, message.chat.id, self.texts("telegram.text_only"))

    async def on_edit(self, update: Update, context: Context) -> None:
        """An edited message is not read again: say so, once in a while, so the person writes
        the correction as a new message instead of waiting for an answer."""
        message = update.edited_message
        assert message is not None
        chat_id, now = message.chat.id, self.clock()
        told = self._edit_notices.get(chat_id)
        if told is not None and now - told < self.edit_notice_seconds:
            return
        if len(self._edit_notices) >= _EDIT_NOTICES_KEPT:
            horizon = now - self.edit_notice_seconds
            self._edit_notices = {c: t for c, t in self._edit_notices.items() if t > horizon}
        self._edit_notices[chat_id] = now
        await self._say(context.bot, chat_id, self.texts("telegram.edit_not_read"))

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

    # --- one turn: the engine in the chat's order, then the replies in that order ------------

    async def _turn(
        self, bot: Bot, chat_id: int, incoming: IncomingMessage
    ) -> tuple[list[OutgoingMessage], asyncio.Task[None]]:
        """The engine's replies, and their delivery, queued behind the chat's earlier replies.
        A stale button's notice is not among what is sent: it answers the press."""
        async with self._chats.hold(chat_id):
            replies = await self.engine.handle(incoming)
            shown = [r for r in replies if not r.option_ignored]
            delivery = self._order.queue(chat_id, lambda: self.send(bot, shown))
        turn_read()
        return replies, delivery

    async def _say(self, bot: Bot, chat_id: int, text: str) -> None:
        """A channel's own sentence to a chat, in its place among the chat's replies."""

        async def say() -> None:
            await self._retry(lambda: bot.send_message(chat_id, text), chat_id=chat_id)

        delivery = self._order.queue(chat_id, say)
        turn_read()
        await delivery

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
        log.info("telegram: left %s chat %s", chat.type, chat.id)  # "chat <id>": masked

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


_EDIT_NOTICES_KEPT = 1024  # chats remembered before those told long ago are forgotten


def _callback_text(text: str) -> str:
    """A notice that fits under a pressed button (200 characters)."""
    text = " ".join(text.split())
    if len(text) <= MAX_CALLBACK_TEXT:
        return text
    return text[: MAX_CALLBACK_TEXT - 1].rstrip() + "…"


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
