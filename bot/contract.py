"""The message contract between channels and the engine: frozen values, no behaviour.

A channel turns its native event into an `IncomingMessage` and renders each `OutgoingMessage`
its own way (inline keyboard, numbered list in an email or the terminal). Nothing here knows a
channel; channels import only this module (and templates) from the core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

ChannelName = Literal["console", "telegram", "email"]

# Telegram's limit on callback data; every option value must fit so any channel can carry it.
MAX_OPTION_VALUE_BYTES = 64


@dataclass(frozen=True, slots=True)
class ConversationKey:
    """Who we are talking to, on which channel (chat id, email address, console session id)."""

    channel: ChannelName
    address: str


@dataclass(frozen=True, slots=True)
class ChannelTraits:
    """What the core needs to know about a channel, supplied by the composition root, so that
    nothing in the core compares channel names."""

    # Nobody waits on a connection for the replies: they leave through the outbox (email).
    deferred: bool = False
    # The reply is the first paragraph of the text; a farewell, a signature or quoted text
    # follows it (email).
    first_paragraph: bool = False
    # The questionnaire goes a block (one subdimension) per message, answered by numbers (email).
    blocks: bool = False
    # Options are shown as buttons whose values come back as `IncomingMessage.option`; without
    # them a reply "2" means nothing outside the message it answers (email).
    buttons: bool = False
    # The conversation's address is the person's email address (email): it can be their
    # contact address, and a registered one can be offered a link.
    address_is_email: bool = False
    # The conversation itself is a way staff can reach the person back (a Telegram chat).
    reachable_here: bool = False
    files_in: bool = False  # attachments sent by the person reach the engine
    files_out: bool = True  # replies may carry attachments


# What each channel is like. Whether a channel's replies are deferred depends on how it is run
# (an outbox worker delivers them), so the composition root sets `deferred`.
TRAITS: dict[ChannelName, ChannelTraits] = {
    "console": ChannelTraits(),
    "telegram": ChannelTraits(buttons=True, reachable_here=True, files_in=True),
    "email": ChannelTraits(first_paragraph=True, blocks=True, address_is_email=True, files_in=True),
}


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    key: ConversationKey
    message_id: str  # the channel's own id; the engine ignores one it has already processed
    text: str = ""
    option: str | None = None  # the value of a chosen `Option` (a pressed button)
    attachments: tuple[Attachment, ...] = ()
    received_at: datetime | None = None
    # Email threading: replies go out as "Re: <subject>", under this message and its references.
    subject: str = ""
    references: tuple[str, ...] = ()
    # Whether the sender proved they control the address the conversation is keyed by. None:
    # the channel vouches for it (Telegram says who the chat is; the console is local). Email
    # must say True, and does only for a reply carrying our reply key for the From: address
    # (see `bot.replykeys`); a From: header alone proves nothing.
    proven: bool | None = None


def mailbox_proven(message: IncomingMessage) -> bool:
    """Whether identity actions (erase, change email, link a channel, submit) may follow."""
    return message.proven if message.proven is not None else message.key.channel != "email"


@dataclass(frozen=True, slots=True)
class Option:
    """A choice offered to the user; `value` comes back as `IncomingMessage.option`."""

    value: str
    label: str

    def __post_init__(self) -> None:
        if len(self.value.encode()) > MAX_OPTION_VALUE_BYTES:
            raise ValueError(f"option value over {MAX_OPTION_VALUE_BYTES} bytes: {self.value!r}")


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    key: ConversationKey
    text: str
    options: tuple[Option, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    # An apology: the message was not handled and nothing of it was saved (the database was
    # unavailable, or a bug). A channel must not show the input as accepted (a pressed button).
    failed: bool = False
    # The pressed option was not acted on (a stale button: a question no longer open, an old
    # menu). `text` is a short notice; a channel answers the press with it and leaves the
    # message that carried the button as it was, instead of marking the choice as taken.
    option_ignored: bool = False


@dataclass(frozen=True, slots=True)
class OutboundEmail:
    """An email the core decided to send. It is stored in the outbox in the transaction that
    decided it, and the email channel delivers it; `message_id` is fixed before it is stored, so
    a resend after a crash carries the same Message-ID and the recipient's server can drop it."""

    recipient: str
    subject: str
    text: str
    message_id: str  # "<...@domain>", unique
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # Extra headers: In-Reply-To, References, Reply-To, Cc, X-CTI-Ticket...
    headers: tuple[tuple[str, str], ...] = ()
    kind: str = "message"  # what it is for, for the logs and counts: message, ticket, reminder...
    id: int | None = None  # the outbox row, once stored
    attempts: int = 0  # delivery attempts started so far, this one included when claimed


@dataclass(frozen=True, slots=True)
class Notice:
    """Replies that a channel's own worker delivers from the outbox: to a conversation on a
    channel with no live reply (email), or outside any turn (a staff reply relayed to a contact,
    a reminder). Each channel renders them its own way, as it does a turn's replies."""

    key: ConversationKey
    replies: tuple[OutgoingMessage, ...]
    notice_id: str  # unique; on email it is the Message-ID
    subject: str = ""  # email: the thread's subject ("" for the assistant's default)
    in_reply_to: str | None = None  # email: the message this answers
    references: tuple[str, ...] = ()
    kind: str = "conversation"
    id: int | None = None  # the outbox row, once stored
    attempts: int = 0


OutboxItem = OutboundEmail | Notice


class MessageHandler(Protocol):
    """What every channel talks to: the engine."""

    async def handle(self, message: IncomingMessage) -> list[OutgoingMessage]: ...
