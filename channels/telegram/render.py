"""Pure rendering rules of the Telegram channel: no I/O, no python-telegram-bot objects.

Telegram measures text in UTF-16 code units (an emoji outside the BMP counts twice), so every
limit here is checked in those units, not in Python characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.contract import OutgoingMessage

MAX_TEXT = 4096  # sendMessage / editMessageText
ROW_WIDTH = 32  # characters of labels that fit side by side on a phone
ROW_BUTTONS = 3
SHORT_LABEL = 20  # a longer label gets a row of its own

_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?", re.DOTALL)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a text into pieces of at most `limit` UTF-16 units, at a paragraph break if one is
    reasonably close, else a line break, else a space; mid-word only as a last resort."""
    pieces: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        fits = _fitting_prefix(rest, limit)
        cut = _break_point(rest[:fits], minimum=fits // 2)
        piece, rest = rest[:cut].rstrip(), rest[cut:].strip()
        if piece:
            pieces.append(piece)
    if rest:
        pieces.append(rest)
    return pieces


def _fitting_prefix(text: str, limit: int) -> int:
    """The length in characters of the longest prefix within `limit` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _break_point(prefix: str, minimum: int) -> int:
    for separator in ("\n\n", "\n", " "):
        at = prefix.rfind(separator)
        if at >= minimum:
            return at + len(separator)
    return len(prefix)


def rows(labels: Sequence[str]) -> list[list[int]]:
    """Button indexes laid out in rows: short labels side by side, long ones alone, order kept."""
    layout: list[list[int]] = []
    width = 0
    for index, label in enumerate(labels):
        size = len(label)
        row = layout[-1] if layout else None
        fits = (
            row is not None
            and size <= SHORT_LABEL
            and len(row) < ROW_BUTTONS
            and width + size <= ROW_WIDTH
            and all(len(labels[i]) <= SHORT_LABEL for i in row)
        )
        if row is not None and fits:
            row.append(index)
            width += size
        else:
            layout.append([index])
            width = size
    return layout


def coalesce(replies: Sequence[OutgoingMessage], limit: int = MAX_TEXT) -> list[OutgoingMessage]:
    """Fold a plain text reply into the next reply to the same chat ("✓ Guardado" + the next
    question become one message): fewer messages against Telegram's sending limits, and the
    buttons stay under the text they belong to."""
    merged: list[OutgoingMessage] = []
    for reply in replies:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.key == reply.key
            and not previous.options
            and not previous.attachments
            and previous.text.strip()
            and reply.text.strip()
            and utf16_len(previous.text) + 2 + utf16_len(reply.text) <= limit
        ):
            merged[-1] = OutgoingMessage(
                reply.key, f"{previous.text}\n\n{reply.text}", reply.options, reply.attachments
            )
        else:
            merged.append(reply)
    return merged


def with_choice(text: str, choice: str, limit: int = MAX_TEXT) -> str | None:
    """A question's text with the chosen answer appended, or None if that would not fit."""
    edited = f"{text.rstrip()}\n\n{choice}"
    return edited if utf16_len(edited) <= limit else None


def command_text(text: str) -> str:
    """'/start@cti_bot payload' -> '/start'; '/ayuda@cti_bot' -> '/ayuda'. The engine knows the
    commands by name; a bot's username and a deep-link payload mean nothing to it."""
    match = _COMMAND.fullmatch(text.strip())
    if match is None:
        return text
    name, rest = match.group(1), (match.group(2) or "").strip()
    if name.lower() == "start" or not rest:
        return f"/{name}"
    return f"/{name} {rest}"
