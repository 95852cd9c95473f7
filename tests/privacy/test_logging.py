"""The redacting log formatter: secrets, addresses and phone numbers never reach a log line."""

from __future__ import annotations

import logging

from bot.logging_setup import FORMAT, RedactingFormatter

TOKEN = "7212345678:AAF-secretTokenValue_0123456789abcdef"


def record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("bot.x", logging.ERROR, __file__, 1, msg, args, info)


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


def library(name: str, msg: str, *args: object) -> str:
    rec = logging.LogRecord(name, logging.DEBUG, __file__, 1, msg, args, None)
    return RedactingFormatter(FORMAT).format(rec)


def test_library_payloads_never_reach_a_line():
    """Bot API calls, incoming mail lines and fetched messages keep their shape, not their
    content: names and texts cannot be found by a pattern, so they are left out."""
    update = {"chat": {"id": 5123456, "first_name": "Ana"}, "text": "mi celular es 3001234567"}
    line = library(
        "telegram.ext.ExtBot",
        "Calling Bot API endpoint `%s` with parameters `%s`",
        "sendMessage",
        {"chat_id": 5123456, "text": "¡Listo, Ana Pérez!"},
    )
    assert "`sendMessage`" in line and "<dict of 2>" in line
    line += library("telegram.ext.ExtBot", "finished with `%s`", [update])
    line += library("mail.log", "DATA readline: %s", b"From: Ana Perez <ana@x.co>\r\n")
    line += library("mail.log", "%r >> %r", ("127.0.0.1", 40123), b"MAIL FROM:<ana@x.co>")
    line += library("mail.log", "%r sender: %s", ("127.0.0.1", 40123), "ana@x.co")
    line += library(
        "aioimaplib.aioimaplib",
        "Received : " + repr(b"* 1 FETCH (BODY[] {262}\r\nFrom: Ana <ana@x.co>\n\nSoy Ana Perez"),
    )
    line += library("httpx", "HTTP Request: %s %s", "POST", "http://h/bot1/getChat?chat_id=5123456")
    for personal in ("Ana", "Pérez", "Perez", "ana@", "x.co", "5123456", "300", "celular"):
        assert personal not in line, (personal, line)
    assert "<F " not in line and "MAIL FROM" in line and "FETCH" in line and "getChat" in line


def test_our_lines_mask_chat_ids_and_keep_codes_and_counts():
    line = library("channels.telegram.channel", "telegram: chat %s is now %s", 1234567, "kicked")
    assert "1234567" not in line and "chat ***" in line and "kicked" in line
    line = library("bot.tickets.desk", "ticket for %s, %s answers", "52001", 103)
    assert "52001" in line and "103 answers" in line
