"""Every parser of email text, on a megabyte of adversarial input, in under a second each.

A reply of «Hola» and 60,000 blank lines (120 KB) held every chat for 10 s: the `#estado`
pattern backtracked quadratically. Here each parser that reads what a mail says gets 1 MB of
blank lines and of the other shapes that make patterns or parsers go quadratic (long runs of
spaces, quote marks, dashes, angle brackets, unclosed HTML, escape sequences, tags), directly,
not only through the caps in front of it. Measured on one core of the development machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.message import EmailMessage

import pytest

from bot.conversation.engine import sanitize
from bot.printable import printable
from bot.replykeys import keys_in
from bot.tickets.desk import StaffReply, read_reply
from bot.tickets.text import find_number, guess_topic, numbers_in, parse_status, status_command
from channels.email.authentication import AuthPolicy, passes
from channels.email.inbound import html_to_text, read, strip_reply
from dialogues.blocks import numbered_items

MB = 1_000_000
LIMIT = 1.0  # seconds
US = "asistente@cti.test"
POLICY = AuthPolicy("mx.mintic.gov.co", "dkim")

ADVERSARIAL: dict[str, str] = {
    "blank lines": "Hola" + "\n" * MB,
    "blank CRLF lines": "Hola" + "\r\n" * (MB // 2),
    "spaces then a line": "Hola\n" + " " * MB + "\nx",
    "space-newline runs": " \n" * (MB // 2),
    "status commands": "#estado en atencion\n" * (MB // 20),
    "status without value": "#estado" + " " * MB,
    "quote marks": "> " * (MB // 2),
    "reply headers": ("El lun, 2 mar 2026 " + " " * 50 + "\n") * (MB // 70),
    "wrote and spaces": ("escribió" + " " * 100) * (MB // 110),
    "dashes": "-" * MB,
    "underscores": "_" * MB,
    "outlook headers": "De: x\n" * (MB // 6),
    "angle brackets": "<" * MB,
    "message ids": "<a.b.c@d> " * (MB // 10),
    "tags": "CTI-2026-0000" * (MB // 13),
    "escapes": "\x1b[" + "0;" * (MB // 2),
    "osc": "\x1b]8;;" + "a" * MB,
    "html unclosed": "<div>" * (MB // 5),
    "html comments": "<!--" * (MB // 4),
    "html entities": "&#" * (MB // 2),
    "numbered items": "1) " * (MB // 3),
}


def _status(text: str) -> object:
    return status_command(text)


def _mail(text: str) -> object:
    """The text as the body, and (on one line) as subject, references and authentication."""
    line = " ".join(text.split())
    head = (
        f"From: x@pasto.gov.co\r\nTo: {US}\r\nSubject: Re: [CTI-2026-00001] {line[:500]}\r\n"
        f"References: {line[:200_000]}\r\n"
        f"Authentication-Results: mx.mintic.gov.co; {line[:100_000]}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    return read((head + text).encode("utf-8", "replace"), US, auth=POLICY)


def _html_mail(text: str) -> object:
    message = EmailMessage()
    message["From"] = "x@pasto.gov.co"
    message.set_content(text, subtype="html")
    return read(message.as_bytes(), US)


PARSERS: dict[str, Callable[[str], object]] = {
    "inbound.read (plain)": _mail,
    "inbound.read (html)": _html_mail,
    "strip_reply": strip_reply,
    "html_to_text": html_to_text,
    "status_command": _status,
    "read_reply": lambda t: read_reply(StaffReply("<m@x>", "a@b.co", "", t)),
    "find_number": find_number,
    "numbers_in": lambda t: numbers_in(t.split(" ")),
    "parse_status": parse_status,
    "guess_topic": lambda t: guess_topic(t, [("PER", "Personas"), ("GOB", "Gobernanza")]),
    "printable": printable,
    "keys_in": lambda t: keys_in(t.split(" ")),
    "authentication": lambda t: passes(POLICY, [f"mx.mintic.gov.co; {t}"], "pasto.gov.co"),
    "engine.sanitize": sanitize,
    "blocks.numbered_items": lambda t: numbered_items(sanitize(t), 12),
}


@pytest.mark.parametrize("parser", PARSERS)
def test_every_parser_of_mail_is_fast_on_a_megabyte_of_hostile_text(parser: str) -> None:
    slow = {}
    for shape, text in ADVERSARIAL.items():
        started = time.perf_counter()
        PARSERS[parser](text)
        took = time.perf_counter() - started
        if took > LIMIT:
            slow[shape] = round(took, 2)
    assert not slow, f"{parser} took over {LIMIT} s on: {slow}"


def test_the_status_command_still_reads_and_removes_its_line() -> None:
    status, body = status_command("Hola" + "\n" * MB + "#estado resuelto\nChao")
    assert status == "resuelto" and body == "Hola\n\nChao"
