"""What the local Bot API server knows: chats, messages, uploads, requests (the checks Telegram
makes are in `botapi_checks`).

Everything here is synchronous and free of HTTP; `botapi_server` puts it behind real HTTP. The
error texts are Telegram's own, so python-telegram-bot raises the same exceptions it would raise
against api.telegram.org.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional parameters."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Webhook:
    url: str
    secret: str | None
    max_connections: int
    task: asyncio.Task[None] | None = None


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


class Params:
    """Request parameters as python-telegram-bot sends them (form fields whose non-string values
    are JSON-encoded, or multipart with files) or as a JSON body."""

    def __init__(self, values: dict[str, Any], files: dict[str, Upload]) -> None:
        self.values, self.files = values, files

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None:
            if required:
                raise bad_request(f"parameter {name!r} is required")
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None:
            if required:
                raise bad_request(f"parameter {name!r} is required")
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        return value in (True, "true", "True", "1", 1)


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup | channel
    name: str  # first name of the user, or the group's title
    username: str | None = None  # a channel's or public group's @username
    started: bool = True  # a private chat: the user has written to the bot (/start)
    next_message_id: int = 1
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    bot_is_member: bool = True
    blocked: bool = False  # the user blocked the bot

    def json(self) -> dict[str, Any]:
        if self.type == "private":
            return {"id": self.id, "type": "private", "first_name": self.name}
        found = {"id": self.id, "type": self.type, "title": self.name}
        return {**found, "username": self.username} if self.username else found

    def new_message(self, sender: dict[str, Any], **content: Any) -> dict[str, Any]:
        message = {
            "message_id": self.next_message_id,
            "date": int(time.time()),
            "chat": self.json(),
            "from": sender,
            **{k: v for k, v in content.items() if v is not None},
        }
        self.messages[self.next_message_id] = message
        self.next_message_id += 1
        return message

    def check_can_send(self) -> None:
        if self.type != "private" and not self.bot_is_member:
            raise ApiError(403, "Forbidden: bot is not a member of the group chat")
        if self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not self.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")


def user_json(user_id: int, first_name: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "es"}


@dataclass
class Call:
    """One request the bot made, as the server saw it."""

    method: str
    params: dict[str, Any]
    files: dict[str, Upload]
    at: float
    status: int = 200
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    @property
    def ok(self) -> bool:
        return self.status == 200
