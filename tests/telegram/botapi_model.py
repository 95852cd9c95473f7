"""What the local Bot API server knows: chats, messages, and the checks Telegram makes.

Everything here is synchronous and free of HTTP; `botapi_server` puts it behind real HTTP. The
error texts are Telegram's own, so python-telegram-bot raises the same exceptions it would raise
against api.telegram.org.
"""

from __future__ import annotations

import asyncio
import json
import re
import struct
import time
from dataclasses import dataclass, field
from typing import Any

MAX_TEXT = 4096  # Telegram counts UTF-16 code units (an emoji outside the BMP counts twice)
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


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


def check_text(text: str | None) -> str:
    if text is None or not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text


def check_markup(raw: Any) -> dict[str, Any] | None:
    """Validate an inline keyboard the way Telegram does (callback data 1-64 bytes, one action)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("inline_keyboard"), list):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in raw["inline_keyboard"]:
        if not isinstance(row, list):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            actions = set(button) - {"text"}
            if len(actions) != 1:
                raise bad_request("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(str(data).encode())
                if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
    return raw


def png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def check_photo(upload: Upload) -> tuple[int, int]:
    if len(upload.data) > MAX_PHOTO_BYTES:
        raise ApiError(413, "Request Entity Too Large")
    size = png_size(upload.data)
    if size is None and upload.data[:3] != b"\xff\xd8\xff":
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size or (1, 1)
    if width + height > 10000 or max(width, height) > 20 * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return width, height


def check_commands(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list) or len(raw) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in raw:
        if not isinstance(command, dict) or not _COMMAND.fullmatch(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return [{"command": c["command"], "description": c["description"]} for c in raw]


def check_secret(secret: str | None) -> str | None:
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    return secret


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup
    name: str  # first name of the user, or the group's title
    next_message_id: int = 1
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    bot_is_member: bool = True
    blocked: bool = False  # the user blocked the bot

    def json(self) -> dict[str, Any]:
        if self.type == "private":
            return {"id": self.id, "type": "private", "first_name": self.name}
        return {"id": self.id, "type": self.type, "title": self.name}

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
