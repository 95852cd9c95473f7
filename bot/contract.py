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


class MessageHandler(Protocol):
    """What every channel talks to: the engine."""

    async def handle(self, message: IncomingMessage) -> list[OutgoingMessage]: ...
