"""Fixtures for the Telegram channel: the local Bot API server on loopback, the engine on a real
database, and the channel's service running against that server over real HTTP.

    async def test_x(server, engine):
        async with running(server, engine) as bot:
            ana = Person(server.private_chat(1001, "Ana"))
            await ana.say("hola")
            assert "Bienvenido" in ana.text
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from bot.app import Static, build_deps, load_static
from bot.config import PROJECT_ROOT, load_config
from bot.contract import MessageHandler
from bot.conversation.engine import Engine
from bot.storage.sql import open_store
from channels.telegram import TelegramChannel, TelegramService, TelegramSettings, WebhookSettings
from dialogues.messages import Catalog
from nlu.rules import RuleInterpreter
from tests.channels.telegram.botapi_server import BotApiServer, SimChat, buttons
from tests.conversation.chat import mailed_code
from tests.storage.helpers import with_domains

# python-telegram-bot 22 warns (PTBDeprecationWarning, an error under our pytest settings) each
# time it builds a RetryAfter unless told to use timedeltas; the channel reads both forms.
os.environ.setdefault("PTB_TIMEDELTA", "true")

TEXTS = PROJECT_ROOT / "data" / "templates" / "telegram.yml"


@pytest.fixture(scope="session")
def static() -> Static:
    return load_static(load_config(env={}))


@pytest.fixture(scope="session")
def texts() -> Catalog:
    return Catalog.load(TEXTS)


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer() as started:
        yield started


@pytest.fixture
async def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'cti.db'}"


async def make_engine(url: str, static: Static) -> tuple[Engine, Any]:
    store = await with_domains(await open_store(url, static.gazetteer))
    return Engine(store, build_deps(load_config(env={}), static), RuleInterpreter()), store


@pytest.fixture
async def engine(sqlite_url, static) -> AsyncIterator[Engine]:
    """The engine on a fresh SQLite database (most tests: the channel is what is under test)."""
    built, store = await make_engine(sqlite_url, static)
    try:
        yield built
    finally:
        await store.close()


@pytest.fixture
async def any_engine(database_url, static) -> AsyncIterator[Engine]:
    """The engine on SQLite and on PostgreSQL."""
    built, store = await make_engine(database_url, static)
    try:
        yield built
    finally:
        await store.close()


def settings_for(server: BotApiServer, **changes: Any) -> TelegramSettings:
    # No local throttle by default: the tests would only wait. Tests of the limits set it.
    base = TelegramSettings(
        token=server.token,
        base_url=server.base_url,
        messages_per_second=0,
        poll_timeout=10,
        start_attempts=1,
    )
    return replace(base, **changes)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def webhook_settings(secret: str = "s3cr3t-Token_ok") -> WebhookSettings:
    """A receiver on loopback whose 'public' URL is itself (no reverse proxy in tests)."""
    port = free_port()
    return WebhookSettings(
        url=f"http://127.0.0.1:{port}/telegram", secret=secret, port=port, path="/telegram"
    )


@contextlib.asynccontextmanager
async def running(
    server: BotApiServer,
    engine: MessageHandler,
    texts: Catalog,
    channel_options: dict[str, Any] | None = None,
    **changes: Any,
) -> AsyncIterator[TelegramService]:
    """The Telegram service of `cti run` against the local server, until the block ends.
    `channel_options` go to the `TelegramChannel`, `changes` to its `TelegramSettings`."""
    settings = settings_for(server, **changes)
    store = getattr(engine, "store", None)
    if store is not None and server.read_code is None:
        server.read_code = lambda address: mailed_code(store, address)
    channel = TelegramChannel(engine, texts.render, **{"backoff": 0.05, **(channel_options or {})})
    service = TelegramService(channel, settings)
    task = asyncio.create_task(service.run())
    try:
        await _ready(server, service, task)
        yield service
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _ready(server: BotApiServer, service: TelegramService, task: asyncio.Task) -> None:
    """Until the bot polls or its webhook is registered (or it failed)."""
    for _ in range(600):
        if task.done():
            task.result()  # raises the start-up error
            raise AssertionError("the service ended at start-up")
        if server.webhook is not None or server.calls_of("getUpdates"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the Telegram service did not start in 30 s")


class Person:
    """Someone writing to the bot in one chat: sends, presses, and reads what came back."""

    def __init__(self, chat: SimChat) -> None:
        self.chat, self.server = chat, chat.server
        self.new: list[dict[str, Any]] = []  # the bot's messages since the last action

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or m.get("caption") or "" for m in self.new)

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self._act(lambda: self.chat.send(text))

    async def press(self, label_part: str) -> list[dict[str, Any]]:
        message_id, keys = self.chat.last_keyboard()
        for label, data in keys.items():
            if label_part.casefold() in label.casefold():
                return await self._act(lambda data=data: self.chat.press(message_id, data))
        raise AssertionError(f"no button {label_part!r} in {list(keys)}")

    def buttons(self) -> dict[str, str]:
        return self.chat.last_keyboard()[1]

    async def _act(self, act) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
        before = len(self.chat.bot_messages())
        update_id = act()
        await self.server.processed(update_id)
        self.new = self.chat.bot_messages()[before:]
        return self.new

    async def register(self, place: str = "Pasto", email: str = "ana@pasto.gov.co") -> None:
        await self.say("hola")
        await self.press("Acepto")
        await self.press("Alcaldía")
        await self.say(place)
        await self.press("Sí")
        await self.say("Ana Pérez")
        await self.say("Jefe de Planeación")
        await self.say(email)
        await self.press("Sí, son correctos")
        if "antes de registrarle verificamos" in self.text:  # she reads the code in her mail
            assert self.server.read_code is not None, "the test gave no way to read her mail"
            await self.say(await self.server.read_code(email))


__all__ = ["Person", "buttons", "running", "settings_for", "webhook_settings"]
