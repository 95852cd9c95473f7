"""Alembic environment: online on a connection handed in by the application
(`config.attributes["connection"]`) or on an async engine of its own, or offline (SQL script).

SQLite runs in batch mode (it cannot ALTER most things in place). Our column types are rendered
as their plain SQL types so that revision files never import application code.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from bot.config import load_config
from bot.storage.engine import database_url, make_engine
from bot.storage.models import Base
from bot.storage.types import UtcDateTime

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    """`-x url=...`, then alembic.ini's sqlalchemy.url, then config.yml / CTI_DATABASE_URL."""
    url = context.get_x_argument(as_dictionary=True).get("url")
    url = url or config.get_main_option("sqlalchemy.url")
    if not url:
        app_config = load_config()
        url = database_url(app_config)
    return url


def _render_item(kind: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_item=_render_item,
        compare_type=True,
        **kwargs,
    )


def _run_on(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    # Our SQLite engine opens every transaction itself (BEGIN IMMEDIATE), so DDL is
    # transactional there too: a failed migration leaves nothing behind.
    _configure(connection=connection, render_as_batch=sqlite, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_on_own_engine() -> None:
    engine = make_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_on)
            await connection.commit()
    finally:
        await engine.dispose()


def main() -> None:
    if context.is_offline_mode():
        url = _url()
        _configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    asyncio.run(_run_on_own_engine())


main()
