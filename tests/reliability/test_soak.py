"""Rate-limit soak: the Bot API server enforces Telegram's limits (30 messages a second overall,
one a second in any one chat, 429 with `retry_after` past them) while many officials register
and answer for a while through the real `cti run` process with its production pacing (30
messages a second). Nothing is dropped: every event gets its reply, every answer the person was
told was saved is in the database, and no 429 ever reaches the error log.

Nobody pauses to read (`CTI_SOAK_THINK`, 0 s): each official acts as soon as the reply arrives,
so the per-chat limit is met on every exchange. CI: `CTI_SOAK_USERS` (10) officials answering
for `CTI_SOAK_SECONDS` (5) once registered, then 5 more against a stricter server;
`make reliability`: 300 for 300 s at Telegram's limits.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.storage.api import StoredAnswer
from bot.territory import Gazetteer
from tests.channels.telegram.botapi_server import BotApiServer
from tests.reliability.harness import (
    Assistant,
    Official,
    entity_answers,
    env_float,
    env_int,
    outbox_codes,
    same_answer,
)

RETRIES_EXHAUSTED = "Rate limit hit after maximum of 3 retries"


@dataclass
class Reader(Official):
    """An official who takes a moment to read each reply before acting on it."""

    think: float = 0.0
    events: int = 0
    unanswered: int = 0

    async def act(self, update_id: int) -> list[str]:
        replies = await super().act(update_id)
        self.events += 1
        if not replies:
            self.unanswered += 1
        if self.think:
            await asyncio.sleep(self.rng.uniform(0, 2 * self.think))
        return replies


@dataclass(frozen=True)
class SoakResult:
    officials: list[Reader]
    rate_limited: list[dict[str, int]]  # 429s the server answered (per chat, overall) by phase
    seconds: float
    log: str


def codes(gazetteer: Gazetteer, count: int) -> list[str]:
    """`count` municipalities, one per official (each registers their own)."""
    return [e.code for e in gazetteer.entities if e.kind == "alcaldia"][:count]


async def soak(
    database_url: str,
    workdir: Path,
    gazetteer: Gazetteer,
    *,
    users: int,
    seconds: float,
    think: float,
    seed: int,
    server_rates: tuple[float, ...] = (30,),
) -> SoakResult:
    """Register everyone, then answer for `seconds` once per server rate, in turn."""
    async with BotApiServer() as server:
        # Production pacing: the assistant's own limiter at Telegram's 30 messages a second.
        assistant = Assistant(
            server, database_url, workdir, messages_per_second=30, chat_messages_per_second=1
        )
        await assistant.start()
        officials = [
            Reader(
                server.private_chat(20_001 + i, f"Persona {i}"),
                code,
                random.Random(seed + i),
                wait=600.0,
                think=think,
                codes=outbox_codes(database_url),
            )
            for i, code in enumerate(codes(gazetteer, users))
        ]
        began = time.monotonic()

        async def converse(official: Reader, register: bool) -> None:
            if register:
                await official.register()
            deadline = time.monotonic() + seconds  # answering, once registered
            while time.monotonic() < deadline and len(official.questions_shown()) < 100:
                await official.answer_one()

        phases = []
        try:
            for phase, rate in enumerate(server_rates):
                server.rate_limit(rate, per_chat=1)
                before = dict(server.rate_limited)
                await asyncio.gather(*(converse(o, phase == 0) for o in officials))
                phases.append({k: v - before[k] for k, v in server.rate_limited.items()})
            assert assistant.alive
        finally:
            await assistant.stop()
        return SoakResult(officials, phases, time.monotonic() - began, assistant.log_text())


def check(result: SoakResult, database_answers: list[dict[str, StoredAnswer]]) -> None:
    for official, current in zip(result.officials, database_answers, strict=True):
        assert official.unanswered == 0 and official.nudges == 0
        for question_id, given in official.saved.items():
            assert question_id in current, f"answer to {question_id} was dropped"
            assert same_answer(current[question_id], question_id, given)
    # Unhandled: an update that failed. python-telegram-bot's limiter logs an ERROR of its own
    # when a request outlasts its retries; the channel then retries it (and it was delivered,
    # as checked above), so those are counted and reported, not failures.
    errors = [
        line
        for line in result.log.splitlines()
        if " ERROR " in line and not line.endswith(RETRIES_EXHAUSTED)
    ]
    assert not errors, errors[:5]
    assert "update in chat" not in result.log and "could not be processed" not in result.log


async def run_and_check(
    database_url: str, tmp_path: Path, gazetteer: Gazetteer, **kw
) -> SoakResult:
    result = await soak(database_url, tmp_path, gazetteer, **kw)
    stored = []
    for official in result.officials:
        current, _ = await entity_answers(database_url, gazetteer, official.code)
        stored.append(dict(current))
    check(result, stored)
    return result


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_rate_limit_soak(database_url, tmp_path, gazetteer):
    """At Telegram's documented limits the assistant's own pacing keeps it under them: no 429
    at all. Then the server turns stricter (10 a second): the 429s come, and are waited out."""
    result = await run_and_check(
        database_url,
        tmp_path,
        gazetteer,
        users=env_int("CTI_SOAK_USERS", 10),
        seconds=env_float("CTI_SOAK_SECONDS", 5),
        think=env_float("CTI_SOAK_THINK", 0.0),
        seed=env_int("CTI_SEED", 2026),
        server_rates=(30, 10),
    )
    assert sum(len(o.saved) for o in result.officials) > 0
    telegram, stricter = result.rate_limited
    assert sum(telegram.values()) == 0, telegram
    assert sum(stricter.values()) > 0, "the limit was never reached: the soak proved nothing"


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_rate_limit_soak_long_run(database_url, tmp_path, gazetteer):
    """By hand: `make reliability` (300 officials for 5 minutes, Telegram's limits)."""
    result = await run_and_check(
        database_url,
        tmp_path,
        gazetteer,
        users=env_int("CTI_SOAK_USERS", 300),
        seconds=env_float("CTI_SOAK_SECONDS", 300),
        think=env_float("CTI_SOAK_THINK", 0.0),
        seed=env_int("CTI_SEED", 5),
    )
    saved = sum(len(o.saved) for o in result.officials)
    events = sum(o.events for o in result.officials)
    exhausted = result.log.count(RETRIES_EXHAUSTED)
    retried = result.log.count("Rate limit hit. Retrying")
    print(
        f"\nsoak: {len(result.officials)} officials, {result.seconds:.0f} s, {events} events, "
        f"{saved} answers saved, 429 answers from the server: {result.rate_limited[0]}, "
        f"waited out by the limiter: {retried}, retried by the channel: {exhausted}"
    )
