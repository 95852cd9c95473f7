"""Fixtures for report tests: the real questionnaire, DIVIPOLA and templates, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.territory import Gazetteer
from dialogues.questionnaire import Questionnaire, load_questionnaire

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(ROOT / "config.yml", env={})


@pytest.fixture(scope="session")
def questionnaire(config: Config) -> Questionnaire:
    """The real questionnaire file (data/questionnaire/v1.yml)."""
    return load_questionnaire(config.path(config.data.questionnaire))


@pytest.fixture(scope="session")
def gazetteer(config: Config) -> Gazetteer:
    return Gazetteer.load(config.path(config.data.divipola), config.path(config.data.aliases))


@pytest.fixture(scope="session")
def templates_dir(config: Config) -> Path:
    return config.path(config.data.templates)
