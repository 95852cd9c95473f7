from __future__ import annotations

import pytest

from bot.app import Static, build_deps, load_static
from bot.config import load_config
from bot.conversation.engine import Engine
from nlu.rules import RulesFirst
from tests.nlu.helpers import embedded, shared_cache
from tests.storage.helpers import store_with_domains


@pytest.fixture
def backend() -> str:
    """Conversation logic runs once, on SQLite: what it needs from storage is the `Tx` contract,
    which tests/storage/test_contract.py checks on SQLite and PostgreSQL."""
    return "sqlite"


@pytest.fixture(scope="session")
def static() -> Static:
    return load_static(load_config(env={}))


@pytest.fixture(scope="session")
def interpreter(tmp_path_factory) -> RulesFirst:
    """The default backend (`nlu.backend: embedded`): rules in front of the trained classifier."""
    return RulesFirst(embedded(shared_cache(tmp_path_factory)))


@pytest.fixture
def engine(store, static, interpreter) -> Engine:
    return Engine(store, build_deps(load_config(env={}), static), interpreter)


@pytest.fixture
async def store(database_url, gazetteer):
    """A fresh store with the alcaldías' institutional domains (tests/storage/helpers.py): the
    officials these tests register at pasto.gov.co, medellin.gov.co or tunja.gov.co join their
    entity at once."""
    async with store_with_domains(database_url, gazetteer) as opened:
        yield opened
