"""`cti db`: migrate the database and seed the entities, or show its schema revision.

The URL comes from `config.yml` (`database.url`), `CTI_DATABASE_URL` overriding it; a relative
SQLite path is relative to the project root.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import click
from sqlalchemy import make_url

from bot.config import ConfigError, load_config
from bot.storage import migrate
from bot.storage.api import StorageError
from bot.storage.engine import database_url, make_engine
from bot.storage.errors import storage_errors
from bot.storage.sql import open_store
from bot.territory import Gazetteer

UPGRADED = (
    "Base de datos {url} al día (revisión {revision}): "
    "{alcaldias} alcaldías, {gobernaciones} gobernaciones."
)
CURRENT = "Base de datos {url}: revisión {revision}{note}."
AT_HEAD = " (la más reciente)"
BEHIND = "; la más reciente es {head}: ejecute `cti db upgrade`"
EMPTY = "ninguna (base vacía)"
UNAVAILABLE = "No fue posible usar la base de datos {url}: {error}"
UNUSABLE = "No fue posible usar la base de datos configurada: {error}"


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def _upgrade() -> str:
    config = load_config()
    url = database_url(config)
    gazetteer = Gazetteer.load(config.path(config.data.divipola))
    try:
        store = await open_store(url, gazetteer)
    except StorageError as exc:
        raise click.ClickException(UNAVAILABLE.format(url=_shown(url), error=exc)) from None
    try:
        counts = await store.entity_counts()
        revision = await store.revision()
    finally:
        await store.close()
    return UPGRADED.format(
        url=_shown(url),
        revision=revision,
        alcaldias=counts["alcaldia"],
        gobernaciones=counts["gobernacion"],
    )


async def _current() -> str:
    config = load_config()
    url = database_url(config)
    try:
        with storage_errors("connect", connecting=True):
            engine = make_engine(url)
        try:
            with storage_errors("revision", connecting=True):
                async with engine.connect() as conn:
                    revision = await conn.run_sync(migrate.current_revision)
        finally:
            await engine.dispose()
    except StorageError as exc:
        raise click.ClickException(UNAVAILABLE.format(url=_shown(url), error=exc)) from None
    head = migrate.head_revision()
    note = AT_HEAD if revision == head else BEHIND.format(head=head)
    return CURRENT.format(url=_shown(url), revision=revision or EMPTY, note=note)


def _run(job: Coroutine[Any, Any, str]) -> str:
    try:
        return asyncio.run(job)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    except StorageError as exc:  # the URL itself (opening it is reported with the URL)
        raise click.ClickException(UNUSABLE.format(error=exc)) from None


@click.group("db")
def db() -> None:
    """Base de datos: migraciones y entidades territoriales."""


@db.command()
def upgrade() -> None:
    """Lleva el esquema a la última versión y carga las entidades de DIVIPOLA."""
    click.echo(_run(_upgrade()))


@db.command()
def current() -> None:
    """Muestra la revisión del esquema de la base de datos."""
    click.echo(_run(_current()))
