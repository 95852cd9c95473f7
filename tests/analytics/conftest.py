"""The real engine over the `store` fixture (SQLite and PostgreSQL), as tests/conversation
builds it."""

from __future__ import annotations

import pytest

from bot.app import Static, build_deps, load_static
from bot.config import load_config
from bot.conversation.engine import Engine
from nlu.rules import RuleInterpreter


@pytest.fixture(scope="session")
def static() -> Static:
    return load_static(load_config(env={}))


@pytest.fixture
def engine(store, static) -> Engine:
    return Engine(store, build_deps(load_config(env={}), static), RuleInterpreter())
