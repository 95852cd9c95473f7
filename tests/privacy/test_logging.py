"""The redacting log formatter: secrets, addresses and phone numbers never reach a log line."""

from __future__ import annotations

import logging

from bot.logging_setup import FORMAT, RedactingFormatter

TOKEN = "7212345678:AAF-secretTokenValue_0123456789abcdef"


def record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("x", logging.ERROR, __file__, 1, msg, args, info)


def test_messages_arguments_and_tracebacks_are_redacted():
    formatter = RedactingFormatter(FORMAT, secrets=["SmtpPa55word!", "", "ab"])
    try:
        raise ValueError("login failed for ana.perez@pasto.gov.co with SmtpPa55word!")
    except ValueError as exc:
        line = formatter.format(
            record(
                "POST %s/bot%s/sendMessage to %s, tel %s",
                "https://api",
                TOKEN,
                "luis@x.co",
                "+57 300 123 4567",
                exc=exc,
            )
        )
    for secret in (TOKEN, "SmtpPa55word!", "ana.perez@pasto.gov.co", "luis@x.co", "300 123 4567"):
        assert secret not in line
    assert "a***@pasto.gov.co" in line and "l***@x.co" in line and "ValueError" in line
    assert line[:4].isdigit() and line[4] == "-"  # the timestamp is not taken for a phone


def test_an_unknown_bot_token_is_masked_too_and_the_record_is_left_as_it_was():
    formatter = RedactingFormatter(FORMAT)
    rec = record("url /bot%s/getMe", TOKEN)
    assert TOKEN not in formatter.format(rec)
    assert rec.args == (TOKEN,) and rec.msg == "url /bot%s/getMe"  # other handlers see it whole
