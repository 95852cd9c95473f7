"""Benchmark: what opening a ticket and relaying a staff reply cost, on a SQLite file.

N contacts (one entity each, every question answered) confirm a request for accompaniment; the
confirming message writes the ticket, renders the diagnosis summary and HTML report for the
mailbox and queues the email, all in its transaction. Then a staff reply per ticket is matched,
stored and relayed (one transaction each). Times are per message, from `Engine.handle` and
`TicketDesk.staff_reply` to commit.

    .venv/bin/python bench/tickets.py            # 20 tickets
    .venv/bin/python bench/tickets.py --n 50
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from engine import User  # bench/engine.py, beside this script

from bot.app import build_deps, load_static
from bot.config import load_config
from bot.conversation.engine import Engine
from bot.storage.sql import open_store
from bot.tickets.desk import StaffReply
from nlu.rules import RuleInterpreter


async def run(n: int, folder: Path) -> None:
    config = load_config(env={})
    static = load_static(config)
    deps = build_deps(config, static)
    store = await open_store(f"sqlite+aiosqlite:///{folder / 'bench.db'}", static.gazetteer)
    engine = Engine(store, deps, RuleInterpreter())
    codes = [e.code for e in static.gazetteer.entities if e.kind == "alcaldia"][:n]
    confirm: list[float] = []
    numbers: list[str] = []
    for i, code in enumerate(codes):
        user = User(engine, i, code)
        await user.answer_everything()
        for line in ("/asesoria", "1", "Apoyo para formular la estrategia del municipio", "1"):
            await user.send(line)
        start = time.perf_counter()
        await user.send("sí")
        confirm.append(time.perf_counter() - start)
        text = "\n".join(r.text for r in user.last)
        numbers.append(text.split("número ", 1)[1].split(" ", 1)[0])
    assert deps.desk is not None
    relay: list[float] = []
    for j, number in enumerate(numbers):
        reply = StaffReply(
            f"<r{j}@mintic.gov.co>",
            "luisa@mintic.gov.co",
            f"Re: [{number}]",
            "La llamaremos el lunes.\n#estado en_atencion",
        )
        start = time.perf_counter()
        async with store.transaction() as tx:
            assert await deps.desk.staff_reply(tx, reply, datetime.now(UTC)) == "relayed"
        relay.append(time.perf_counter() - start)
    await store.close()
    for name, times in (("confirm (ticket + report + email)", confirm), ("staff reply", relay)):
        times.sort()
        print(
            f"{name}: n={len(times)} median {statistics.median(times) * 1000:.0f} ms, "
            f"p90 {times[int(len(times) * 0.9) - 1] * 1000:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.n, Path(folder)))


if __name__ == "__main__":
    main()
