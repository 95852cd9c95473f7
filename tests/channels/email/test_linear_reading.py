"""The new readers of mail text on hostile shapes of their own, in under a second each (the
shared shapes are in tests/security/test_linear_mail.py): runs of attribution-like lines,
quoted questions and template lines, salutations, and HTML that makes layout engines slow."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from channels.email.greeting import skip_salutation
from channels.email.html import html_to_text
from channels.email.quotes import strip_reply

LIMIT = 1.0  # seconds

TEXT: dict[str, str] = {
    "lines starting with En": ("En " + "x" * 60 + "\n") * 16_000,
    "attributions with spaces": ("El " + " " * 200 + "escribió" + " " * 200 + "\n") * 2_500,
    "one long attribution line": "On " + "a " * 500_000,
    "quoted questions and answers": ("> 1) ¿x? (pregunta 1)\ntyped\n") * 30_000,
    "a long filled template": "El x escribió:\n> Por ejemplo:\n" + "> 1) b\n" * 100_000,
    "unmarked questions": "De: a\nEnviado: b\n\n" + ("1) ¿x? (pregunta 1)\nb\n") * 40_000,
    "addresses and colons": "x <a@b.co>:\n" * 60_000,
    "header-like lines": ("Fecha: x\nAsunto: y\n" + "z" * 150 + "\n") * 4_000,
    "salutations": "Hola\n\n" * 100_000 + "x",
    "greeting words": "Hola " * 200_000,
}
HTML: dict[str, str] = {
    "table rows": "<table>" + "<tr><td>x</td>" * 40_000,
    "table cells": "<table><tr>" + "<td>x</td>" * 40_000,
    "list items": "<ol>" + "<li>x" * 40_000,
    "nested divs": "<div>" * 60_000,
    "nested blockquotes": "<blockquote>" * 50_000,
    "sibling blockquotes": "<blockquote>x</blockquote>" * 10_000,
    "blockquotes deep inside": "<div><span>" * 120 + "<blockquote>x</blockquote>" * 8_000,
    "yahoo quotes": '<div class="yahoo_quoted">x' * 20_000,
    "quote markers": '<div id="divRplyFwdMsg">' * 10_000,
    "empty paragraphs": "<p><o:p>&nbsp;</o:p></p>" * 20_000,
    "office tags": '<o:SmartTagType name="x"/>' * 20_000,
}
CASES: list[tuple[str, Callable[[str], object], str]] = [
    *((f"strip_reply: {k}", strip_reply, v) for k, v in TEXT.items()),
    *((f"skip_salutation: {k}", skip_salutation, v) for k, v in TEXT.items()),
    *((f"html_to_text: {k}", html_to_text, v) for k, v in HTML.items()),
]


@pytest.mark.parametrize(("name", "parser", "text"), CASES, ids=[c[0] for c in CASES])
def test_each_reader_is_fast_on_its_hostile_shapes(
    name: str, parser: Callable[[str], object], text: str
) -> None:
    started = time.perf_counter()
    parser(text)
    took = time.perf_counter() - started
    assert took < LIMIT, f"{name} took {took:.2f} s"
