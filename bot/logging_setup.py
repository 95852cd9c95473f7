"""Logging for the `cti` command: every line passes through `bot.redact` (Ley 1581), at any level.

Our own log calls already mask addresses (`mask_email`); this is the net under everything else:
libraries at DEBUG (python-telegram-bot logs request bodies, httpx logs Bot API URLs, which carry
the token; SQLAlchemy logs statement parameters), tracebacks whose messages quote values, and
anything added later. The secrets (token, passwords, webhook secret) are replaced wherever they
appear; email addresses and phone-like numbers are masked in messages and tracebacks. The
timestamp and level are left alone (a date looks like a phone number to the pattern).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from types import TracebackType

from bot.redact import redact

# A Telegram bot token anywhere (e.g. in a URL path "/bot<token>/getUpdates"), known or not.
_BOT_TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}")
MASK = "***"

_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        # Longest first, so a secret containing another is replaced whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return redact(_BOT_TOKEN.sub(MASK, text))

    def format(self, record: logging.LogRecord) -> str:
        saved = record.msg, record.args, record.exc_text
        record.msg, record.args = self.clean(record.getMessage()), ()
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
