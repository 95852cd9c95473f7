"""Database outage: PostgreSQL stops while officials are answering through the real `cti run`.

While it is down every message and button press is answered with the friendly "try again in a
moment" text (nothing hangs, nothing crashes); once it is back the same process serves again,
without a restart, and every answer anyone was told was saved is in the database.

The server is the session's embedded PostgreSQL, stopped with `pg_ctl stop -m fast`
(connections cut, as in a failover or a restart by the operator) and started again on the same
socket; the fixture starts it again even if the test fails. CI: a `CTI_OUTAGE_SECONDS` (4)
outage; `make reliability`: 60 s.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from dialogues.messages import Catalog
from tests.channels.telegram.botapi_server import BotApiServer
from tests.conftest import PgServer
from tests.reliability.harness import (
    QUESTION,
    Assistant,
    Official,
    entity_answers,
    env_float,
    env_int,
    outbox_codes,
    same_answer,
)

pytestmark = pytest.mark.postgres

CODES = ["15001", "52001", "19001", "41001", "23001"]
UNAVAILABLE = Catalog.load(PROJECT_ROOT / "data" / "templates" / "messages.yml").render(
    "error.storage"
)


@pytest.fixture
async def stoppable(pg_server: PgServer) -> AsyncIterator[PgServer]:
    """The session's PostgreSQL server, running again after the test whatever happened."""
    yield pg_server
    # Usually the test started it again already. If it did not, start it here; a failed start
    # fails this test instead of leaving every later PostgreSQL test without a server.
    if not await pg_server.running():
        await pg_server.start()
    conn = await pg_server.admin()
    await conn.close()


async def outage_scenario(
    pg: PgServer, url: str, workdir: Path, gazetteer, *, seconds: float, people: int, seed: int
) -> None:
    async with BotApiServer() as server:
        assistant = Assistant(server, url, workdir)
        await assistant.start()
        officials = [
            Official(
                server.private_chat(9301 + i, f"Persona {i}"),
                code,
                random.Random(seed + i),
                codes=outbox_codes(url, gazetteer),
            )
            for i, code in enumerate(CODES[:people])
        ]
        try:
            await asyncio.gather(*(o.register() for o in officials))
            for _ in range(3):
                await asyncio.gather(*(o.answer_one() for o in officials))
            saved_before = {o.chat.id: dict(o.saved) for o in officials}

            await pg.stop()
            down_at = time.monotonic()
            told: list[list[str]] = []

            async def during(official: Official, turn: int) -> None:
                # A button press and a typed message, each answered at once with the apology.
                found = official.question_keyboard()
                if found is not None and turn % 2 == 0:
                    message_id, keys = found
                    data = next(d for d in keys.values() if d.startswith(("ans:", "dk:")))
                    told.append(await official.act(official.chat.press(message_id, data)))
                    # Not saved, so not shown as chosen: the same buttons, to press again.
                    assert official.question_keyboard() == found
                else:
                    told.append(await official.say("continuar"))

            turn = 0
            while time.monotonic() - down_at < seconds:
                began = time.monotonic()
                await asyncio.gather(*(during(o, turn) for o in officials))
                assert time.monotonic() - began < 15, "a reply took too long during the outage"
                assert assistant.alive, assistant.log_text()[-3000:]
                turn += 1
                await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - began)))
            assert len(told) >= 2 * people
            for replies in told:
                assert replies == [UNAVAILABLE.strip()] or replies == [UNAVAILABLE], replies
            # Nothing said during the outage was stored as an answer.
            for official in officials:
                assert official.saved == saved_before[official.chat.id]

            await pg.start()
            # The same process, without a restart: each official carries on where they were.
            for official in officials:
                replies = await official.say("continuar")
                assert any(QUESTION.search(r) for r in replies), replies
            for _ in range(3):
                await asyncio.gather(*(o.answer_one() for o in officials))
            assert assistant.alive and assistant.starts == 1
        finally:
            await assistant.stop()
        assert assistant.process is not None and assistant.process.returncode == 0
        log = assistant.log_text()
    assert "database unavailable" in log

    for official in officials:
        assert len(official.saved) > len(saved_before[official.chat.id])
        current, _ = await entity_answers(url, gazetteer, official.code)
        for question_id, given in official.saved.items():
            assert same_answer(current[question_id], question_id, given)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_database_outage(stoppable, database_url, tmp_path, gazetteer):
    await outage_scenario(
        stoppable,
        database_url,
        tmp_path,
        gazetteer,
        seconds=env_float("CTI_OUTAGE_SECONDS", 4),
        people=env_int("CTI_OUTAGE_PEOPLE", 2),
        seed=env_int("CTI_SEED", 2026),
    )


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_database_outage_long_run(stoppable, database_url, tmp_path, gazetteer):
    """By hand: `make reliability` (a 60 s outage, 5 officials)."""
    await outage_scenario(
        stoppable,
        database_url,
        tmp_path,
        gazetteer,
        seconds=env_float("CTI_OUTAGE_SECONDS", 60),
        people=env_int("CTI_OUTAGE_PEOPLE", 5),
        seed=env_int("CTI_SEED", 3),
    )
