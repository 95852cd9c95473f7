"""Migrations from an empty database and entity seeding, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from bot.storage import migrate
from bot.storage.api import StorageError
from bot.storage.models import Base
from bot.storage.sql import SqlStore, open_store
from bot.territory import Gazetteer

SEEDED = {"alcaldia": 1103, "gobernacion": 32}


def _schema_drift(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def test_migrations_run_up_from_empty_and_match_the_models(
    empty_database_url: str, gazetteer: Gazetteer
):
    with pytest.raises(StorageError, match="cti db upgrade"):
        await open_store(empty_database_url, gazetteer, migrate=False)
    store = await open_store(empty_database_url, gazetteer)
    try:
        assert await store.revision() == migrate.head_revision()
        assert await store.entity_counts() == SEEDED
        async with store.engine.connect() as conn:
            assert await conn.run_sync(_schema_drift) == []
            expected = {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
            assert await conn.run_sync(_tables) == expected
        # Down to nothing and up again: the downgrade works too (batch mode on SQLite).
        async with store.engine.begin() as conn:
            await conn.run_sync(lambda c: command.downgrade(migrate.alembic_config(c), "base"))
            assert await conn.run_sync(_tables) == {"alembic_version"}
        async with store.engine.begin() as conn:
            assert await conn.run_sync(migrate.migrate_and_seed, gazetteer) == sum(SEEDED.values())
        assert await store.entity_counts() == SEEDED
    finally:
        await store.close()


async def test_two_processes_starting_on_an_empty_database_migrate_once(
    empty_database_url: str, gazetteer: Gazetteer
):
    stores = await asyncio.gather(
        open_store(empty_database_url, gazetteer), open_store(empty_database_url, gazetteer)
    )
    try:
        for store in stores:
            assert await store.entity_counts() == SEEDED
    finally:
        for store in stores:
            await store.close()


async def test_seeding_is_idempotent_and_repairs_drift(store: SqlStore, gazetteer: Gazetteer):
    assert await store.entity_counts() == SEEDED
    async with store.engine.begin() as conn:
        assert await conn.run_sync(migrate.seed_entities, gazetteer) == 0
        await conn.execute(text("UPDATE entities SET name = 'Otra' WHERE code = '05001'"))
        await conn.execute(text("DELETE FROM entities WHERE code IN ('05', '91001')"))
    assert await store.entity_counts() == {"alcaldia": 1102, "gobernacion": 31}

    reopened = await open_store(store.engine.url.render_as_string(False), gazetteer)
    try:
        assert await reopened.entity_counts() == SEEDED
        async with reopened.transaction() as tx:
            medellin = await tx.entity("05001")
            assert medellin is not None and medellin.name == "Medellín"
        async with reopened.engine.begin() as conn:
            assert await conn.run_sync(migrate.seed_entities, gazetteer) == 0
    finally:
        await reopened.close()
