"""The checks the Bot API makes on what a bot sends, with Telegram's own error texts: text and
captions (after `parse_mode`), reply markups, photos and documents, commands, descriptions,
webhook URLs and secrets. Pure functions; `botapi_methods` calls them.
"""

from __future__ import annotations

import re
import struct
from typing import Any
from urllib.parse import urlsplit

from tests.channels.telegram.botapi_model import ApiError, Upload, bad_request, utf16_len
from tests.channels.telegram.botapi_text import EntityError, visible

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
