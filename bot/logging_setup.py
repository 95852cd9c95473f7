"""Logging for the `cti` command: every line passes through `bot.redact` (Ley 1581), at any level.

Our own log calls already mask addresses (`mask_email`); this is the net under everything else:
libraries at DEBUG (python-telegram-bot logs request bodies, httpx logs Bot API URLs, which carry
the token; SQLAlchemy logs statement parameters), tracebacks whose messages quote values, and
anything added later. The secrets (token, passwords, webhook secret) are replaced wherever they
appear; email addresses and phone-like numbers are masked in messages and tracebacks; a chat id
is masked wherever a line names a chat. The timestamp and level are left alone (a date looks
like a phone number to the pattern).

Libraries (every logger outside our packages) log payloads at DEBUG: python-telegram-bot the
parameters and results of each Bot API call (names, the texts exchanged, chat ids), aiosmtpd
(`mail.log`) every line of an incoming mail, aioimaplib every fetched message. Masking cannot
find a name in free text, so their payloads do not reach a line at all (`library_message`):
containers and long texts become their size, protocol lines their command word, ids `***`;
what stays tells which call, command or state it was.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from bot.redact import redact

# A Telegram bot token anywhere (e.g. in a URL path "/bot<token>/getUpdates"), known or not.
_BOT_TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}")
MASK = "***"
# "chat 5123456", "chat_id=5123456", "'chat_id': 5123456": an id wherever a line names a chat.
_CHAT_ID = re.compile(r"(?i)(\bchat(?:_id|\.id)?['\"]?\s?[:=]?\s?)-?\d{3,}")
OURS = ("bot", "channels", "nlu", "dialogues")
# Ids of chats, users, updates: any run of five or more digits in a library's line.
_LONG_NUMBER = re.compile(r"(?<![\w.])-?\d{5,}(?![\w.])")
_BYTES = re.compile(r"(?<!\w)b'(?:[^'\\]|\\.)*'" + r'|(?<!\w)b"(?:[^"\\]|\\.)*"')  # a bytes repr
# A protocol line's head: an SMTP verb ("MAIL FROM"), an IMAP tag and command ("A1 UID FETCH").
_VERB = re.compile(r"[A-Z0-9*]{1,12}(?: \d{1,10})?(?: [A-Z]{2,12}){0,2}\b")
_WORD = re.compile(r"[\w.\-/:]{1,60}")


def _is_library(name: str) -> bool:
    return name.split(".", 1)[0] not in OURS


def _head(line: str) -> str:
    """A protocol line reduced to its command words and length."""
    found = _VERB.match(line)
    verb = f"{found.group(0)} " if found else ""
    return f"<{verb}{len(line)} chars>"


def _summary(value: object) -> object:
    """A library's log argument without its payload."""
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10_000 else MASK
    if isinstance(value, bytes | bytearray):
        return _head(bytes(value).decode("ascii", errors="replace"))
    if isinstance(value, str):
        if value.startswith(("http://", "https://")) and not any(c.isspace() for c in value):
            return _LONG_NUMBER.sub(MASK, value)
        plain = _WORD.fullmatch(value) and "@" not in value
        return value if plain and not _LONG_NUMBER.search(value) else _head(value)
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return f"<{type(value).__name__} of {len(value)}>"
    if isinstance(value, BaseException):
        return _LONG_NUMBER.sub(MASK, str(value))
    text = str(value)
    if len(text) <= 200 and not any(c.isspace() for c in text):  # a URL, a state name
        return _LONG_NUMBER.sub(MASK, text)
    return f"<{type(value).__name__}>"


def library_message(record: logging.LogRecord) -> str:
    """A library's log line with its payload left out (see the module's docstring)."""
    args: Any = record.args
    msg = record.msg if isinstance(record.msg, str) else str(_summary(record.msg))
    if isinstance(args, Mapping):
        args = {key: _summary(value) for key, value in args.items()}
    elif args:
        args = tuple(_summary(value) for value in args)
    try:
        text = msg % args if args else msg
    except (TypeError, ValueError, KeyError):  # a %d given a mask
        text = " ".join((msg, *map(str, args if isinstance(args, tuple) else ())))
    # Libraries that format before logging (aioimaplib) leave the bytes in the message.
    text = _BYTES.sub(lambda m: _head(m.group(0)[2:-1]), text)
    return _LONG_NUMBER.sub(MASK, text)


_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        # Longest first, so a secret containing another is replaced whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        text = _CHAT_ID.sub(lambda m: m.group(1) + MASK, _BOT_TOKEN.sub(MASK, text))
        return redact(text)

    def format(self, record: logging.LogRecord) -> str:
        saved = record.msg, record.args, record.exc_text
        message = library_message(record) if _is_library(record.name) else record.getMessage()
        record.msg, record.args = self.clean(message), ()
        record.exc_text = None  # formatted (and cleaned) below, not from another handler's cache
        try:
            return super().format(record)
        finally:
            record.msg, record.args, record.exc_text = saved

    def formatException(self, ei: _ExcInfo) -> str:
        return self.clean(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return self.clean(super().formatStack(stack_info))


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: str, secrets: Iterable[str]) -> None:
    """Log to stderr at `level` ("DEBUG", "INFO"...; unknown names mean WARNING), redacted."""
    logging.basicConfig(level=getattr(logging, level.upper(), logging.WARNING))
    formatter = RedactingFormatter(FORMAT, secrets)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
