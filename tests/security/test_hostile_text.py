"""Hostile text through the engine (hypothesis): whatever a person or a broken client sends,
in any conversation state, on any channel, the engine answers without an exception, every
reply fits Telegram's limits and is valid UTF-8 free of control characters, nothing the person
typed is evaluated as a template, and the HTML of an email reply escapes it.

Examples per run: `CTI_HOSTILE_EXAMPLES` (1,000 by default; `make reliability` runs 10,000).
The engine, the store (SQLite, or PostgreSQL with the `postgres` parameter, which refuses NUL
bytes) and the NLU are real; hypothesis drives them from one event loop of the test's own.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_deps
from bot.config import PROJECT_ROOT, load_config
from bot.contract import MAX_OPTION_VALUE_BYTES, ConversationKey, IncomingMessage
from bot.conversation.engine import Engine
from bot.storage.sql import open_store
from channels.email.render import EmailRenderer
from channels.telegram.render import MAX_TEXT, split_text, utf16_len
from tests.conversation.chat import mailed_code

EXAMPLES = int(os.environ.get("CTI_HOSTILE_EXAMPLES", "1000"))
# Evaluated, this would print 699678; a template engine fed user text would show it.
PROBE = "{{ 1234*567 }}"
NASTY = [
    "",
    " ",
    "\x00",
    "\x00" * 50,
    "\x07\x1b[31mrojo\x1b[0m\r\n\t",
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    PROBE,
    "{% for i in range(10**9) %}x{% endfor %}",
    "{{ self.__init__.__globals__ }}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "&lt;b&gt; &amp; &#x3C;script&#x3E; &nbsp;",
    "**negrita** _cursiva_ `code` [enlace](javascript:alert(1)) <b>b</b>",
    "\u202eetxet otrevni\u202c",
    "\u200f\u200e\u2066\u2069\ufeff",
    "مرحبا بالعالم שלום",
    "👩‍👩‍👧‍👦🏳️‍🌈👍🏽",
    "a\u0301" * 20,
    "\ud7ff\ue000\uffff",
    "ir a 99999999999999999999999",
    "ir a -1",
    "1) a\n2) 999999999999\n3) no sé\n" * 30,
    "/start@cti_bot payload",
    "/" * 300,
    "acepto",
    "sí",
    "borrar mis datos",
    "corregir mis datos",
    "descargar mis datos",
    "respondo " + "gobernanza y " * 200,
    "1e309",
    "NaN",
    "-0",
    "9" * 400,
]
HUGE = ["a" * 100_000, "👩‍👩‍👧‍👦" * 10_000, "\x00" * 100_000, "<script>" * 12_500, PROBE * 7_000]
# Unknown or malformed button values, up to Telegram's 64 bytes of callback data.
OPTIONS = st.one_of(
    st.sampled_from(
        [
            "",
            "ans:NOPE:0",
            "ans:PER-EDU-01:99",
            "ans:PER-EDU-01:-1",
            "dk:",
            "skip:x:y",
            "ent:",
            "ent:99999",
            "kind:",
            "fix:",
            "fix:entity",
            "privacy:nada",
            "intent:",
            "intent:x",
            "intent:borrar_datos",
            "reg:restart",
            "reg:again",
            "reg:fix:email",
            "reg:fix:",
            "reg:fix:x",
            "yes",
            "no",
            "consent:yes",
            "help:",
        ]
    ),
    st.text(max_size=64).filter(lambda v: len(v.encode("utf-8", "surrogatepass")) <= 64),
)
TEXTS = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(HUGE),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=3000),
    st.lists(st.sampled_from(NASTY) | st.text(max_size=20), max_size=8).map("".join),
)
CHANNELS = ("console", "telegram", "email")


@dataclass
class Rig:
    loop: asyncio.AbstractEventLoop
    engine: Engine
    internal_error: str
    storage_error: str
    email: EmailRenderer


@pytest.fixture
def rig(database_url, gazetteer, static, interpreter) -> Iterator[Rig]:
    """The engine on its own event loop (hypothesis calls the test synchronously)."""
    loop = asyncio.new_event_loop()
    try:
        store = loop.run_until_complete(open_store(database_url, gazetteer))
        deps = build_deps(load_config(env={}), static)
        engine = Engine(store, deps, interpreter)
        loop.run_until_complete(_set_the_stage(engine))
        yield Rig(
            loop,
            engine,
            deps.catalog.render("error.internal"),
            deps.catalog.render("error.storage"),
            EmailRenderer(PROJECT_ROOT / "data" / "templates"),
        )
        loop.run_until_complete(store.close())
    finally:
        loop.close()


_ids = itertools.count()
# Where each address stands when the fuzzing starts (then hostile input moves it anywhere):
# registered and at a question; at each free-text step of registration; unknown.
STAGES: dict[str, list[tuple[str | None, str]]] = {
    "1001": [
        (None, "hola"),
        ("consent:yes", ""),
        ("kind:alcaldia", ""),
        (None, "Pasto"),
        (None, "sí"),
        (None, "Ana Pérez"),
        (None, "Jefe de Planeación"),
        (None, "{email}"),
        (None, "sí"),
        (None, "{code}"),  # the code mailed to the address (by email the address is proved)
    ],
    "1002": [(None, "hola"), ("consent:yes", ""), ("kind:alcaldia", "")],  # the entity
    "1003": [
        (None, "hola"),
        ("consent:yes", ""),
        ("kind:alcaldia", ""),
        (None, "52001"),
        (None, "sí"),
    ],  # the name
    "1004": [
        (None, "hola"),
        ("consent:yes", ""),
        ("kind:alcaldia", ""),
        (None, "52001"),
        (None, "sí"),
        (None, "Luis Mora"),
    ],  # the role
    "1005": [],
}


def _address(channel: str, person: str) -> str:
    return f"persona{person}@pasto.gov.co" if channel == "email" else person


async def _set_the_stage(engine: Engine) -> None:
    for channel in CHANNELS:
        for person, steps in STAGES.items():
            key = ConversationKey(channel, _address(channel, person))  # type: ignore[arg-type]
            for option, text in steps:
                email = f"{channel}{person}@pasto.gov.co"
                if text == "{code}":
                    if channel == "email":
                        continue
                    text = await mailed_code(engine.store, email)
                text = text.format(email=email)
                # The stage is set by people who answered our mail (registering by email
                # takes that proof); the hostile messages that follow prove nothing.
                await engine.handle(
                    IncomingMessage(key, f"s{next(_ids)}", text, option, proven=True)
                )
        key = ConversationKey(channel, _address(channel, "1001"))  # type: ignore[arg-type]
        replies = await engine.handle(IncomingMessage(key, f"s{next(_ids)}", "repetir"))
        assert any("Personas" in r.text for r in replies), [r.text for r in replies]


@st.composite
def messages(draw: Any) -> IncomingMessage:
    channel = draw(st.sampled_from(CHANNELS))
    # A few people per channel, so states build up: consent, registration, questions...
    key = ConversationKey(channel, _address(channel, draw(st.sampled_from(list(STAGES)))))
    option = draw(st.none() | OPTIONS)
    text = draw(TEXTS) if option is None else ""
    return IncomingMessage(key, f"h{next(_ids)}", text=text, option=option)


def _check(rig: Rig, message: IncomingMessage, replies: list[Any]) -> None:
    for reply in replies:
        assert reply.key == message.key
        assert reply.text not in (rig.internal_error, rig.storage_error), message
        reply.text.encode("utf-8")  # no lone surrogates: Telegram and SMTP would refuse them
        assert "\x00" not in reply.text and "\u202e" not in reply.text
        assert "699678" not in reply.text and "__builtins__" not in reply.text
        pieces = split_text(reply.text)
        assert all(0 < utf16_len(p) <= MAX_TEXT for p in pieces) or not reply.text.strip()
        assert len(pieces) <= 3, (message.text[:80], len(reply.text))  # echoes are bounded
        for option in reply.options:
            assert len(option.value.encode()) <= MAX_OPTION_VALUE_BYTES
            assert 0 < len(option.label) <= 200
    if message.key.channel == "email" and replies:
        html = rig.email.render(replies, message.key.address, "<x@cti>").html or ""
        assert "<script" not in html and "<img" not in html  # escaped: &lt;script&gt;


def test_hostile_text_and_buttons_never_break_the_engine(rig: Rig, caplog):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
        database=None,
    )
    @given(messages())
    def run(message: IncomingMessage) -> None:
        replies = rig.loop.run_until_complete(rig.engine.handle(message))
        _check(rig, message, replies)

    with caplog.at_level(logging.ERROR, logger="bot"):
        run()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
