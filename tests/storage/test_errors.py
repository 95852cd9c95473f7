"""An unreachable or stuck database is a `StorageError`; our own mistakes are not."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from bot.contract import ConversationKey
from bot.storage import engine as engine_module
from bot.storage.api import StorageError
from bot.storage.sql import SqlStore, open_store
from bot.territory import Gazetteer
from tests.conftest import PgServer
from tests.storage.helpers import T0

KEY = ConversationKey("console", "s1")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("migrate", [True, False])
async def test_postgres_on_a_closed_port(gazetteer: Gazetteer, migrate: bool):
    url = f"postgresql+asyncpg://cti:secreto@127.0.0.1:{_closed_port()}/cti"
    with pytest.raises(StorageError, match="connect") as caught:
        await open_store(url, gazetteer, migrate=migrate)
    assert "secreto" not in str(caught.value)


@pytest.mark.parametrize("make_bad", ["directory", "file_as_parent"])
async def test_sqlite_file_that_cannot_be_opened(tmp_path: Path, gazetteer: Gazetteer, make_bad):
    if make_bad == "directory":
        (tmp_path / "cti.db").mkdir()
        path = tmp_path / "cti.db"
    else:
        (tmp_path / "var").write_text("not a folder")
        path = tmp_path / "var" / "cti.db"
    with pytest.raises(StorageError):
        await open_store(f"sqlite+aiosqlite:///{path}", gazetteer)


async def test_sqlite_locked_by_another_process_for_too_long(
    tmp_path: Path, gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "cti.db"
    store = await open_store(f"sqlite+aiosqlite:///{path}", gazetteer)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        with pytest.raises(StorageError, match="locked"):
            async with store.transaction() as tx:
                await tx.claim_message(KEY, "1", T0)
        other.execute("ROLLBACK")
        async with store.transaction() as tx:  # free again: the store recovers by itself
            assert await tx.claim_message(KEY, "1", T0)
    finally:
        other.close()
        await store.close()


@pytest.mark.postgres
async def test_postgres_connections_lost_or_database_gone(pg_server: PgServer, gazetteer):
    name = await pg_server.create_database(template="cti_template")
    store = await open_store(pg_server.url(name), gazetteer)
    try:
        async with store.transaction() as tx:
            assert await tx.claim_message(KEY, "1", T0)
        admin = await pg_server.admin()
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
        finally:
            await admin.close()
        async with store.transaction() as tx:  # the pool notices and reconnects
            assert not await tx.claim_message(KEY, "1", T0)
        await pg_server.drop_database(name)
        with pytest.raises(StorageError):
            async with store.transaction() as tx:
                await tx.claim_message(KEY, "2", T0)
    finally:
        await store.close()


async def test_a_broken_invariant_is_not_a_storage_error(store: SqlStore):
    with pytest.raises(IntegrityError):
        async with store.transaction() as tx:
            conversation = await tx.conversation(KEY, T0)
            consent_id = await tx.record_consent(conversation.id, "v1", T0)
            await tx.create_contact("99999", "Ana", "Enlace", "ana@x.co", consent_id, T0)
    async with store.transaction() as tx:
        assert await tx.find_conversation(KEY) is None  # rolled back as a whole


async def test_a_transaction_cancelled_while_waiting_for_the_lock_leaves_no_lock(
    tmp_path: Path, gazetteer: Gazetteer
):
    """SQLite waits for another process's write lock in a worker thread; cancelling the wait
    (a shutdown, a timeout) must not leave that thread holding the lock once it gets it."""
    import asyncio

    path = tmp_path / "cti.db"
    store = await open_store(f"sqlite+aiosqlite:///{path}", gazetteer)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")

        async def write() -> None:
            async with store.transaction() as tx:
                await tx.claim_message(KEY, "waiting", T0)

        waiting = asyncio.create_task(write())
        await asyncio.sleep(0.3)  # blocked on BEGIN IMMEDIATE in its thread
        waiting.cancel()
        other.execute("ROLLBACK")  # the lock frees: the thread gets it, then must let it go
        with pytest.raises(asyncio.CancelledError):
            await waiting
        async with store.transaction() as tx:  # would wait 60 s if the lock had leaked
            assert await tx.claim_message(KEY, "after", T0)
            assert await tx.claim_message(KEY, "waiting", T0)  # the cancelled one wrote nothing
    finally:
        other.close()
        await store.close()
