"""Entity attributes in the `Tx` contract (migration 0008), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from bot.storage.api import EntityAttributes
from bot.storage.sql import SqlStore
from tests.storage.helpers import MEDELLIN, T0, at, dump_tables

PASTO, NARINO = "52001", "52"


async def test_loading_merges_files_and_again_changes_nothing(store: SqlStore):
    categories = [EntityAttributes(MEDELLIN, "especial"), EntityAttributes(PASTO, "1")]
    flags = [EntityAttributes(PASTO, pdet=False, zomac=True), EntityAttributes(NARINO, "2")]
    async with store.transaction() as tx:
        assert await tx.entity_attributes() == {}
        assert await tx.load_entity_attributes(categories, T0) == 2
        assert await tx.load_entity_attributes(flags, at(1)) == 2
    async with store.transaction() as tx:
        assert await tx.load_entity_attributes(categories, at(2)) == 0
        assert await tx.load_entity_attributes(flags, at(2)) == 0
        stored = await tx.entity_attributes()
        assert await tx.entity_attributes(PASTO) == {
            PASTO: EntityAttributes(PASTO, "1", False, True)
        }
        assert await tx.entity_attributes("05002") == {}
    assert stored == {
        MEDELLIN: EntityAttributes(MEDELLIN, "especial"),
        NARINO: EntityAttributes(NARINO, "2"),
        PASTO: EntityAttributes(PASTO, "1", False, True),
    }
    assert list(stored) == [MEDELLIN, NARINO, PASTO]
    rows = {
        r["entity_code"]: r["loaded_at"] for r in (await dump_tables(store))["entity_attributes"]
    }
    assert rows[PASTO] == at(1)  # the last change, not the last load

    async with store.transaction() as tx:
        # A later file changes a value; the same entity twice in one file: the last line wins.
        changed = [EntityAttributes(PASTO, "2"), EntityAttributes(PASTO, "3", pdet=True)]
        assert await tx.load_entity_attributes(changed, at(3)) == 1
        assert await tx.entity_attributes(PASTO) == {
            PASTO: EntityAttributes(PASTO, "3", True, True)
        }


async def test_the_database_refuses_an_unknown_entity_or_category(store: SqlStore):
    with pytest.raises(IntegrityError):
        async with store.transaction() as tx:
            await tx.load_entity_attributes([EntityAttributes("99999", "1")], T0)
    with pytest.raises(IntegrityError):
        async with store.transaction() as tx:
            await tx.load_entity_attributes([EntityAttributes(PASTO, "7")], T0)
    async with store.transaction() as tx:
        assert await tx.entity_attributes() == {}
