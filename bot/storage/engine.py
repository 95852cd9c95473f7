"""Async engines configured for durable, concurrent writes on SQLite and PostgreSQL.

SQLite: WAL, `synchronous=FULL`, foreign keys on, a generous busy timeout, and every transaction
opened with `BEGIN IMMEDIATE` (SQLAlchemy's "serializable isolation" recipe) so writers queue for
the lock up front instead of failing with "database is locked" when a reader upgrades.
PostgreSQL: asyncpg, READ COMMITTED, row locks taken by the store where it needs them.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from bot.storage.api import StorageError

if TYPE_CHECKING:
    from bot.config import Config

SQLITE_BUSY_TIMEOUT_S = 60.0
PG_CONNECT_TIMEOUT_S = 10.0
PG_LOCK_TIMEOUT = "30s"
_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def _is_memory(url: URL) -> bool:
    db = url.database or ""
    return db in ("", ":memory:") or "mode=memory" in db


def normalise_url(url: str | URL, root: Path | None = None) -> URL:
    """Pick the async driver and make a relative SQLite file absolute against `root`."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgres":
        backend = "postgresql"
    if parsed.drivername in (backend, "postgres"):
        parsed = parsed.set(drivername=_DRIVERS.get(backend, parsed.drivername))
    if backend == "sqlite" and not _is_memory(parsed) and root is not None:
        path = Path(parsed.database or "")
        if not path.is_absolute() and not str(path).startswith("file:"):
            parsed = parsed.set(database=str(root / path))
    return parsed


def resolve_url(setting: str, root: Path) -> str:
    """The database that `setting` names, as every command opens it.

    `setting` is a SQLAlchemy URL (`sqlite:///var/cti.db`, `postgresql://u@host/cti`) or a
    plain SQLite file path (`var/cti.db`). The async driver is chosen, and a relative SQLite
    path is relative to `root`, never to the working directory, so that `cti run`, `cti chat`,
    `cti db`, the staff commands and Alembic all open the same file.
    """
    text = setting.strip()
    if not text:
        raise StorageError("no database URL or file path given")
    if "://" in text:
        try:
            url = make_url(text)
        except (ArgumentError, ValueError):  # ValueError: a port that is not a number
            # SQLAlchemy's message repeats the string, password included.
            raise StorageError("not a database URL (scheme://...) nor a file path") from None
    else:
        url = URL.create("sqlite", database=text)
    parsed = normalise_url(url, root)
    if parsed.get_backend_name() not in _DRIVERS:
        raise StorageError(f"unsupported database {parsed.drivername!r}: use SQLite or PostgreSQL")
    return parsed.render_as_string(hide_password=False)


def database_url(config: Config, override: str | None = None) -> str:
    """`override` (a command's --db) or else `database.url` (`CTI_DATABASE_URL` beats
    config.yml), resolved against the project root by `resolve_url`."""
    return resolve_url(override or config.database.url, config.root)


def _check_file(path: Path) -> None:
    """Create the file's folder, open the file once, synchronously, and switch it to WAL.

    A file that cannot be opened fails here, before aiosqlite starts a worker thread for it:
    after a failed connect that thread outlives the call and may report to a closed loop.
    Switching to WAL needs an exclusive lock and SQLite does not call the busy handler for it,
    so two processes creating the file at once retry here; WAL then persists in the file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            conn = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
            finally:
                conn.close()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise StorageError(f"cannot open SQLite database {path}: {exc}") from exc
            time.sleep(0.05)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open SQLite database {path}: {exc}") from exc


def _sqlite_engine(url: URL, echo: bool) -> AsyncEngine:
    memory = _is_memory(url)
    if not memory and url.database and not url.database.startswith("file:"):
        _check_file(Path(url.database))
    kwargs: dict[str, Any] = {"poolclass": StaticPool} if memory else {}
    engine = create_async_engine(
        url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, **kwargs
    )

    _configure_sqlite(engine.sync_engine)
    return engine


def inline_sqlite_engine(url: URL) -> Engine | None:
    """A synchronous engine on the same SQLite file, for statements run on the event loop.

    Through aiosqlite every statement is three or four hops to a worker thread and back, about
    0.2 ms each here, while SQLite itself answers in microseconds: the hops were most of the
    cost of a message (bench/engine.py). Statements on this engine run on the loop thread;
    only what can wait on another process (BEGIN IMMEDIATE) goes to a thread. None for an
    in-memory database, which lives in its one async connection.
    """
    if _is_memory(url) or not url.database or url.database.startswith("file:"):
        return None
    engine = create_engine(
        url.set(drivername="sqlite+pysqlite"),
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # Take BEGIN away from the sqlite3 module; `_on_begin` emits our own.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        # File databases were switched to WAL by `_check_file`; setting it again would take
        # an exclusive lock without waiting for it.
        cursor.execute("PRAGMA journal_mode")
        row = cursor.fetchone()
        if row is None or row[0] not in ("wal", "memory"):
            cursor.execute("PRAGMA journal_mode=WAL")
        for pragma in (
            "synchronous=FULL",
            "foreign_keys=ON",
            # Deleted rows are overwritten, not left in free pages: an erased person's data must
            # not stay readable in the file (Debian builds default to it; others do not).
            "secure_delete=ON",
            f"busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _postgres_engine(url: URL, echo: bool) -> AsyncEngine:
    return create_async_engine(
        url,
        echo=echo,
        isolation_level="READ COMMITTED",
        pool_pre_ping=True,
        connect_args={
            "timeout": PG_CONNECT_TIMEOUT_S,
            "server_settings": {
                "lock_timeout": PG_LOCK_TIMEOUT,
                "application_name": "asistente-cti",
            },
        },
    )


def make_engine(url: str | URL, *, echo: bool = False) -> AsyncEngine:
    """An engine for an async SQLite or PostgreSQL URL (plain `sqlite://`/`postgresql://` too)."""
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, echo)
    if backend == "postgresql":
        return _postgres_engine(parsed, echo)
    raise ValueError(f"unsupported database {parsed.render_as_string()}: use SQLite or PostgreSQL")
