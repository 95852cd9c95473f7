"""What every `cti` subcommand shares: failing in one line, the configuration, the loaded
questionnaires and the DIVIPOLA gazetteer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import click

from bot.config import Config, ConfigError, load_config
from bot.questionnaire_migration import say
from bot.storage.api import StorageError, Tx
from bot.territory import Gazetteer
from dialogues.questionnaire import (
    Questionnaire,
    QuestionnaireError,
    Questionnaires,
    load_questionnaire,
    load_questionnaires,
)

T = TypeVar("T")


def fail(message: str) -> NoReturn:
    """One clear line on stderr, exit status 2 (the convention of every `cti` command)."""
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(2)


def config_from(ctx: click.Context) -> Config:
    """The Config the `cti` group put in the context, or the one `load_config()` reads."""
    found = ctx.find_object(Config)
    if found is not None:
        return found
    try:
        return load_config()
    except ConfigError as exc:
        fail(str(exc))


def questionnaire_from(config: Config) -> Questionnaire:
    try:
        return load_questionnaire(config.path(config.data.questionnaire))
    except QuestionnaireError as exc:
        fail(str(exc))


def questionnaires_from(config: Config) -> Questionnaires:
    """Every loaded version: `data.questionnaire` (the default) and `data.questionnaires`."""
    try:
        return load_questionnaires(
            config.path(config.data.questionnaire),
            [config.path(p) for p in config.data.questionnaires],
        )
    except QuestionnaireError as exc:
        fail(str(exc))


def pick(loaded: Questionnaires, version: str) -> Questionnaire:
    """The loaded questionnaire with this version (or "id:version")."""
    qid, _, number = version.rpartition(":")
    found = [q for q in loaded if q.version == number and (not qid or q.id == qid)]
    if len(found) != 1:
        names = ", ".join(f"{q.id}:{q.version}" for q in loaded)
        fail(say("unknown_version", version=version, loaded=names))
    return found[0]


def gazetteer_from(config: Config) -> Gazetteer:
    divipola, aliases = config.path(config.data.divipola), config.path(config.data.aliases)
    try:
        return Gazetteer.load(divipola, aliases if aliases.exists() else None)
    except (OSError, KeyError, ValueError) as exc:
        fail(f"{divipola}: no se pudo leer la DIVIPOLA ({exc})")


def run_in_transaction(
    url: str,
    gazetteer: Gazetteer,
    work: Callable[[Tx], Awaitable[T]],
    *,
    failure: str = "no fue posible usar la base de datos: {exc}",
) -> T:
    """`work` in one transaction on the database at `url` (its schema already at head); a
    database failure ends the command in one line (`failure`, formatted with `exc`)."""
    from bot.storage.sql import open_store

    async def go() -> T:
        store = await open_store(url, gazetteer, migrate=False)
        try:
            async with store.transaction() as tx:
                return await work(tx)
        finally:
            await store.close()

    try:
        return asyncio.run(go())
    except StorageError as exc:
        fail(failure.format(exc=exc))
