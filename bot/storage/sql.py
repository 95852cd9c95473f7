"""`SqlStore`: the `Store` contract on SQLite or PostgreSQL, and `open_store` to get one.

    store = await open_store("sqlite+aiosqlite:////abs/path/cti.db", gazetteer)
    async with store.transaction() as tx:
        if await tx.claim_message(key, message_id, now):
            conversation = await tx.conversation(key, now)
            ...
    await store.close()

`open_store` takes the URL as given (a relative SQLite path is relative to the working
directory); commands get theirs from `bot.storage.engine.database_url`, which resolves the
configured one against the project root.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext, suppress

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import migrate as migrations
from bot.storage.analytics import AnalyticsTx
from bot.storage.api import StorageError, Tx
from bot.storage.assessments import AssessmentsTx
from bot.storage.attributes import AttributesTx
from bot.storage.base import InlineConnection
from bot.storage.engine import inline_sqlite_engine, make_engine
from bot.storage.errors import storage_errors
from bot.storage.outbox import OutboxTx
from bot.storage.privacy import PrivacyTx
from bot.storage.reminders import RemindersTx
from bot.storage.tickets import TicketsTx
from bot.territory import Gazetteer

__all__ = ["SqlStore", "SqlTx", "StorageError", "open_store"]

# After an erasure on a SQLite file: copy the log into the database (whose deleted rows are
# overwritten: `secure_delete`) and truncate it, so the old pages leave the disk now rather
# than at some later checkpoint.
WIPE_WAL = "PRAGMA wal_checkpoint(TRUNCATE)"


class SqlTx(PrivacyTx, AssessmentsTx, OutboxTx, AnalyticsTx, RemindersTx, TicketsTx, AttributesTx):
    """One open transaction; see `bot.storage.api.Tx`."""


class SqlStore:
    """Transactions on one engine. On SQLite, transactions of this process also queue on an
    asyncio lock: SQLite has one writer at a time anyway, and handing the lock over directly
    beats polling for it with the busy timeout (which still arbitrates between processes)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._writer = asyncio.Lock() if self.dialect == "sqlite" else None
        self._inline = inline_sqlite_engine(engine.url) if self.dialect == "sqlite" else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        if self._inline is not None:
            async with self._writer or nullcontext(), self._inline_transaction() as tx:
                yield tx
            return
        async with self._writer or nullcontext():
            with storage_errors("connect", connecting=True):
                conn = await self.engine.connect()
            try:
                with storage_errors("begin"):
                    await conn.begin()
                try:
                    yield SqlTx(conn)
                except BaseException:
                    await _rollback(conn)
                    raise
                with storage_errors("commit"):
                    await conn.commit()
            finally:
                with storage_errors("close"):
                    await conn.close()

    @asynccontextmanager
    async def _inline_transaction(self) -> AsyncIterator[Tx]:
        """SQLite: BEGIN IMMEDIATE in a worker thread (it may wait for another process's
        write lock), then every statement and the commit on the loop thread."""
        assert self._inline is not None
        engine = self._inline
        opening = asyncio.ensure_future(asyncio.to_thread(_open_inline, engine))
        try:
            with storage_errors("begin", connecting=True):
                conn = await asyncio.shield(opening)
        except asyncio.CancelledError:
            # The thread may still get the lock: release it rather than leave it held.
            with suppress(Exception):
                late = await opening
                late.rollback()
                late.close()
            raise
        try:
            tx = SqlTx(InlineConnection(conn))
            try:
                yield tx
            except BaseException:
                with suppress(Exception):
                    conn.rollback()
                raise
            with storage_errors("commit"):
                conn.commit()
            if tx.erased:
                # Outside any transaction, on the driver's own (autocommit) connection, and in
                # a thread: the checkpoint waits (busy timeout) for other processes' readers.
                raw = conn.connection.dbapi_connection
                assert raw is not None
                with suppress(Exception):  # best effort: a later checkpoint does it anyway
                    await asyncio.to_thread(lambda: raw.cursor().execute(WIPE_WAL).fetchall())
        finally:
            with storage_errors("close"):
                conn.close()

    async def entity_counts(self) -> Counter[str]:
        """Entities by kind: {"alcaldia": 1103, "gobernacion": 32} once seeded."""
        with storage_errors("count"):
            async with self.engine.connect() as conn:
                return await conn.run_sync(migrations.entity_counts)

    async def revision(self) -> str | None:
        """The schema's Alembic revision (None for an empty database)."""
        with storage_errors("revision"):
            async with self.engine.connect() as conn:
                return await conn.run_sync(migrations.current_revision)

    async def close(self) -> None:
        if self._inline is not None:
            self._inline.dispose()
        await self.engine.dispose()


async def open_store(url: str, gazetteer: Gazetteer, *, migrate: bool = True) -> SqlStore:
    """Connect; with `migrate`, bring the schema to head and seed the entities (one transaction),
    otherwise require the schema to be at head. Raises `StorageError` if unreachable."""
    with storage_errors("connect", connecting=True):
        engine = make_engine(url)  # may create the SQLite file's folder
    try:
        with storage_errors("connect", connecting=True):
            conn = await engine.connect()
        try:
            with storage_errors("migrate"):
                async with conn.begin():
                    if migrate:
                        await conn.run_sync(migrations.migrate_and_seed, gazetteer)
                    else:
                        await conn.run_sync(migrations.require_head)
        finally:
            await conn.close()
    except BaseException:
        await engine.dispose()
        raise
    return SqlStore(engine)


def _open_inline(engine: Engine) -> Connection:
    conn = engine.connect()
    try:
        conn.begin()
    except BaseException:
        conn.close()
        raise
    return conn


async def _rollback(conn: AsyncConnection) -> None:
    # The error that got us here is the one worth reporting; a rollback on a broken connection
    # fails too, and the server discards the transaction anyway.
    with suppress(Exception):
        await conn.rollback()
