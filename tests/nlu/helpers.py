"""The real NLU, trained once per test session from the project's data (a few seconds)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from nlu import rasa_data
from nlu.embedded import EmbeddedInterpreter
from nlu.rules import RulesFirst

DATA = PROJECT_ROOT / "data"
NLU_DATA = DATA / "nlu"
TEST_DIR = NLU_DATA / "test"
THRESHOLD = 0.45  # config.yml's nlu.threshold


def held_out() -> rasa_data.NluData:
    return rasa_data.load(rasa_data.data_files(TEST_DIR))


def embedded(cache_dir: Path) -> EmbeddedInterpreter:
    interpreter = EmbeddedInterpreter(
        NLU_DATA, divipola=DATA / "divipola.csv", cache_dir=cache_dir, threshold=THRESHOLD
    )
    interpreter.train()
    return interpreter


def shared_cache(factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole session, so the second fixture to train only loads."""
    return factory.getbasetemp() / "nlu-cache"


def default_interpreter(interpreter: EmbeddedInterpreter) -> RulesFirst:
    """What `config.yml`'s default backend builds: rules in front of the classifier."""
    return RulesFirst(interpreter)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
