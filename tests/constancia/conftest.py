"""An engine that issues constancias (CTI_CONSTANCIA_SECRET set), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.app import Static, build_deps, load_static
from bot.config import Config, load_config
from bot.conversation.engine import Engine
from nlu.rules import RulesFirst
from tests.nlu.helpers import embedded, shared_cache
from tests.storage.helpers import store_with_domains

SECRET = "constancia-de-pruebas-" + "k" * 30


@pytest.fixture(scope="session")
def static() -> Static:
    return load_static(load_config(env={}))


@pytest.fixture(scope="session")
def interpreter(tmp_path_factory) -> RulesFirst:
    return RulesFirst(embedded(shared_cache(tmp_path_factory)))


@pytest.fixture
def config() -> Config:
    return load_config(env={"CTI_CONSTANCIA_SECRET": SECRET})


@pytest.fixture
async def store(database_url, gazetteer):
    """Officials registered at pasto.gov.co join their entity at once (a member)."""
    async with store_with_domains(database_url, gazetteer) as opened:
        yield opened


@pytest.fixture
def engine(store, static, interpreter, config) -> Engine:
    return Engine(store, build_deps(config, static), interpreter)
