"""Fixtures of the browser tests: a seeded console served for real, and a Chromium page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from bot.config import Config
from bot.territory import Gazetteer
from tests.channels.telegram.botapi_server import BotApiServer
from tests.web.console import CHROMIUM_ARGS, ConsoleServer, Seeded, chromium_path, config_for, seed


@pytest.fixture
def console_config(tmp_path: Path) -> Config:
    return config_for(tmp_path / "cti.db")


@pytest.fixture
def seeded(console_config: Config, gazetteer: Gazetteer) -> Seeded:
    return seed(console_config, gazetteer)


@pytest.fixture
def console(console_config: Config, seeded: Seeded) -> Iterator[str]:
    with ConsoleServer(console_config) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="es-CO", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    """The local Telegram Bot API server (tests/channels/telegram), on loopback."""
    async with BotApiServer() as started:
        yield started
