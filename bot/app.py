"""The composition root: the one place that turns configuration into running components."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.engine import Engine
from bot.flows.turn import Deps
from bot.storage.api import Store
from bot.territory import Gazetteer
from dialogues.messages import Catalog
from dialogues.questionnaire import Questionnaire, load_questionnaire
from nlu.base import Interpreter
from nlu.rules import RuleInterpreter


@dataclass(frozen=True, slots=True)
class Static:
    """What is read from files once at start-up."""

    questionnaire: Questionnaire
    gazetteer: Gazetteer
    catalog: Catalog


@dataclass
class App:
    config: Config
    static: Static
    store: Store
    engine: Engine

    async def close(self) -> None:
        await self.store.close()


def load_catalog(templates: Path) -> Catalog:
    """Conversation texts plus the answers to questions about the programme ('knowledge.*')."""
    return Catalog.load(templates / "messages.yml", templates / "knowledge.yml")


def load_static(config: Config) -> Static:
    """Questionnaire, DIVIPOLA and texts; raises QuestionnaireError / CatalogError with one line."""
    return Static(
        questionnaire=load_questionnaire(config.path(config.data.questionnaire)),
        gazetteer=Gazetteer.load(
            config.path(config.data.divipola), config.path(config.data.aliases)
        ),
        catalog=load_catalog(config.path(config.data.templates)),
    )


def build_interpreter(config: Config) -> Interpreter:
    return RuleInterpreter()


def build_deps(config: Config, static: Static) -> Deps:
    zone = ZoneInfo(config.assessment.timezone)
    fixed_cycle = config.assessment.cycle

    def cycle_of(now: datetime) -> int:
        return fixed_cycle or now.astimezone(zone).year

    return Deps(
        questionnaire=static.questionnaire,
        gazetteer=static.gazetteer,
        catalog=static.catalog,
        consent_version=static.catalog.render("consent.version"),
        max_failed_tries=config.assessment.max_failed_tries,
        cycle_of=cycle_of,
        templates_dir=config.path(config.data.templates),
    )


def database_url(config: Config) -> str:
    """The configured URL with a relative SQLite path resolved against the project root."""
    url = config.database.url
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(config.path(Path(url.removeprefix(prefix))))
    return url


async def build_app(config: Config, *, interpreter: Interpreter | None = None) -> App:
    from bot.storage.sql import open_store

    static = load_static(config)
    store = await open_store(database_url(config), static.gazetteer)
    engine = Engine(store, build_deps(config, static), interpreter or build_interpreter(config))
    return App(config, static, store, engine)
