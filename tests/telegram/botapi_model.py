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
from urllib.parse import urlsplit

from tests.telegram.botapi_text import EntityError, visible

MAX_TEXT = 4096  # Telegram counts UTF-16 code units (an emoji outside the BMP counts twice)
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
# Telegram's limits are in bytes, decimal: "10 MB" for a photo, "50 MB" for other files,
# and a bot downloads (getFile) files of at most 20 MB.
MAX_PHOTO_BYTES = 10_000_000
MAX_DOCUMENT_BYTES = 50_000_000
MAX_DOWNLOAD_BYTES = 20_000_000
MAX_PHOTO_SIDES = 10_000  # width + height
MAX_PHOTO_RATIO = 20
# Undocumented, as python-telegram-bot notes (InlineKeyboardMarkupLimit): 100 buttons, 8 a row.
MAX_BUTTONS = 100
MAX_ROW_BUTTONS = 8
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
BUTTON_STYLES = frozenset({"danger", "success", "primary"})
INLINE_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
BUTTON_DECORATIONS = frozenset({"text", "style", "icon_custom_emoji_id"})
REPLY_BUTTON_FIELDS = frozenset(
    {
        "text",
        "style",
        "icon_custom_emoji_id",
        "request_users",
        "request_chat",
        "request_contact",
        "request_location",
        "request_poll",
        "web_app",
    }
)
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


def parsed(text: str, parse_mode: str | None) -> str:
    """The visible text of `text` under `parse_mode`, or Telegram's refusal."""
    try:
        return visible(text, parse_mode)
    except EntityError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    except ValueError as exc:
        raise bad_request(str(exc)) from None


def check_text(text: str | None, parse_mode: str | None = None) -> str:
    """A message text: 1-4,096 UTF-16 units of what the reader sees (after the entities)."""
    if text is None:
        raise bad_request("message text is empty")
    shown = parsed(text, parse_mode)
    if not shown.strip():
        raise bad_request("message text is empty")
    if utf16_len(shown.strip()) > MAX_TEXT:
        raise bad_request("message is too long")
    return shown


def check_caption(caption: str | None, parse_mode: str | None = None) -> str | None:
    if caption is None:
        return None
    shown = parsed(caption, parse_mode)
    if utf16_len(shown.strip()) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return shown


def _unparsable() -> ApiError:
    return bad_request("can't parse reply keyboard markup JSON object")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not str(button.get("text", "")).strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    if "style" in button and button["style"] not in BUTTON_STYLES:
        raise bad_request("BUTTON_STYLE_INVALID")
    actions = set(button) - BUTTON_DECORATIONS
    if len(actions) != 1 or not actions <= INLINE_ACTIONS:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")


def _check_reply_button(button: Any) -> None:
    if isinstance(button, str):
        button = {"text": button}
    if not isinstance(button, dict) or not str(button.get("text", "")).strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    if not set(button) <= REPLY_BUTTON_FIELDS:
        raise _unparsable()
    if "style" in button and button["style"] not in BUTTON_STYLES:
        raise bad_request("BUTTON_STYLE_INVALID")


def _check_rows(rows: Any, check: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _unparsable()
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("REPLY_MARKUP_TOO_LONG")
    for row in rows:
        if len(row) > MAX_ROW_BUTTONS:
            raise bad_request("REPLY_MARKUP_TOO_LONG")
        for button in row:
            check(button)


def shown_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a sent message carries of its markup: only an inline keyboard is part of it."""
    return markup if markup is not None and "inline_keyboard" in markup else None


def check_markup(raw: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """A reply markup as Telegram checks it: an inline keyboard (at most 100 buttons, 8 a row,
    callback data of 1-64 bytes, one action a button, an optional `style`), or, on new
    messages only, a reply keyboard, its removal, or a forced reply."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _unparsable()
    if "inline_keyboard" in raw:
        _check_rows(raw["inline_keyboard"], _check_inline_button)
        return raw
    if inline_only:
        raise bad_request("inline keyboard expected")
    placeholder = raw.get("input_field_placeholder")
    if placeholder is not None and not 1 <= len(str(placeholder)) <= 64:
        raise bad_request("input field placeholder is too long")
    if "keyboard" in raw:
        _check_rows(raw["keyboard"], _check_reply_button)
    elif raw.get("remove_keyboard") is not True and raw.get("force_reply") is not True:
        raise _unparsable()
    return raw


def png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


# Start-of-frame markers carry the size; C4 (Huffman tables), C8 and CC are not frames.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's frame header: segment by segment, so linear in the data."""
    if data[:2] != b"\xff\xd8":
        return None
    index = 2
    while index + 4 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in _STANDALONE:
            index += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or the scan: no frame header before it
            return None
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if length < 2:
            return None
        if marker in _SOF:
            if index + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return (width, height) if width and height else None
        index += 2 + length
    return None


def check_photo(upload: Upload) -> tuple[int, int]:
    if len(upload.data) > MAX_PHOTO_BYTES:
        raise ApiError(413, "Request Entity Too Large")
    size = png_size(upload.data) or jpeg_size(upload.data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if width + height > MAX_PHOTO_SIDES or max(width, height) > MAX_PHOTO_RATIO * min(
        width, height
    ):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return width, height


def check_document(upload: Upload) -> None:
    if not upload.data:
        raise bad_request("file must be non-empty")
    if len(upload.data) > MAX_DOCUMENT_BYTES:
        raise ApiError(413, "Request Entity Too Large")


def check_description(raw: str | None, limit: int, what: str) -> str:
    """A bot's description (`what`: "description" or "short description"); "" removes it."""
    text = raw or ""
    if len(text) > limit:
        raise bad_request(f"{what} is too long")
    return text


def check_webhook_url(url: str) -> None:
    """HTTPS on 443, 80, 88 or 8443, as Telegram requires; plain HTTP to loopback on any port
    is the test server's one exception (nothing else can reach it)."""
    parts = urlsplit(url)
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost"):
        return
    if parts.scheme != "https" or not parts.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    try:
        port = parts.port or 443
    except ValueError:
        raise bad_request("bad webhook: Failed to resolve host: Port is invalid") from None
    if port not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


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
