"""The real engine over the `store` fixture (SQLite and PostgreSQL), as tests/conversation
builds it."""

from __future__ import annotations

import pytest

from bot.app import Static, build_deps, load_static
from bot.config import load_config
from bot.conversation.engine import Engine
from nlu.rules import RuleInterpreter
from tests.storage.helpers import store_with_domains


@pytest.fixture(scope="session")
def static() -> Static:
    return load_static(load_config(env={}))


@pytest.fixture
def engine(store, static) -> Engine:
    return Engine(store, build_deps(load_config(env={}), static), RuleInterpreter())


@pytest.fixture
async def store(database_url, gazetteer):
    """A fresh store with the alcaldías' institutional domains (tests/storage/helpers.py): the
    officials these tests register at pasto.gov.co, medellin.gov.co or tunja.gov.co join their
    entity at once, as members whose submissions count."""
    async with store_with_domains(database_url, gazetteer) as opened:
        yield opened
