"""Duplicate updates: every message and button press of a conversation comes with 1 to 5 copies:
of itself right after it was handled ("in order"), of earlier ones of the same person after
newer ones ("out of order"), or of itself at once beside the original ("concurrently"); over
long polling and over the webhook, to the real `cti run` process, on SQLite and PostgreSQL.
Each event has one effect (one answer in the history, no question shown twice) and at most one
reply.

How copies arrive, as Telegram sends them: a webhook POST repeated with the same update id (our
200 was lost), or the same event under a new update id (Telegram restarted its ids, the bot
moved between webhook and polling). Over polling an update id below the confirmed offset is
never offered again, so polling gets the new-id kind only.

CI: 2 officials, registration plus `CTI_DUP_ANSWERS` (4) answers each; `make reliability`:
more officials and answers.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.territory import Gazetteer
from tests.channels.telegram.botapi_server import BotApiServer
from tests.reliability.harness import Assistant, Official, entity_answers, env_int, outbox_codes

CODES = ["15001", "52001", "19001", "41001", "23001", "05001", "76001", "08001", "68001", "54001"]
WAYS = ("in_order", "out_of_order", "concurrently")


@dataclass
class Replaying(Official):
    """An official whose every update reaches the bot 2 to 6 times."""

    webhook: bool = False
    sent_ids: list[int] = field(default_factory=list)
    copies: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WAYS, 0))
    replies_per_event: list[int] = field(default_factory=list)

    def again(self, update_id: int) -> int:
        """One more copy of an update; the id to wait on."""
        if self.webhook and self.rng.random() < 0.5:
            self.server.redeliver(update_id)  # the same update id, POSTed again
            return update_id
        return self.server.duplicate(update_id)

    async def settle(self, update_ids: list[int]) -> None:
        await asyncio.gather(*(self.server.processed(u, self.wait) for u in update_ids))

    async def act(self, update_id: int) -> list[str]:
        before = len(self.sent_texts())
        way, count = self.rng.choice(WAYS), self.rng.randint(1, 5)
        self.copies[way] += count
        if way == "concurrently":
            # Copies under new ids at once, before the original was even fetched.
            copies = [self.server.duplicate(update_id) for _ in range(count)]
            await self.settle([update_id, *copies])
            replies = self.sent_texts()[before:]
        else:
            await self.settle([update_id])
            replies = self.sent_texts()[before:]
            if way == "in_order":
                for _ in range(count):
                    await self.settle([self.again(update_id)])
            else:  # earlier events of this chat, shuffled, after newer ones were handled
                older = self.rng.sample(self.sent_ids, min(count, len(self.sent_ids)))
                await self.settle([self.again(u) for u in older])
            assert self.sent_texts()[before:] == replies, "a repeated update was answered"
        self.sent_ids.append(update_id)
        self.replies_per_event.append(len(replies))
        return replies


async def duplicates_scenario(
    database_url: str,
    workdir: Path,
    gazetteer: Gazetteer,
    *,
    mode: str,
    people: int,
    answers: int,
    seed: int,
) -> list[Replaying]:
    async with BotApiServer() as server:
        assistant = Assistant(server, database_url, workdir, mode=mode)
        await assistant.start()
        officials = [
            Replaying(
                server.private_chat(9101 + i, f"Persona {i}"),
                code,
                random.Random(seed + i),
                webhook=mode == "webhook",
                codes=outbox_codes(database_url),
            )
            for i, code in enumerate(CODES[:people])
        ]

        async def converse(official: Replaying) -> None:
            await official.register()
            for _ in range(answers):
                await official.answer_one()

        try:
            await asyncio.gather(*(converse(o) for o in officials))
            assert assistant.alive
        finally:
            await assistant.stop()
        log = assistant.log_text()
    assert "duplicate message" in log  # the engine saw the copies and ignored them
    assert "Traceback" not in log, log[-3000:]

    for official in officials:
        # At most one reply per event: every event here expects exactly one message back.
        assert official.replies_per_event and set(official.replies_per_event) == {1}
        assert sum(official.copies.values()) >= len(official.sent_ids)
        numbers = official.questions_shown()
        assert len(numbers) == len(set(numbers)), f"a question was shown twice: {numbers}"
        current, history = await entity_answers(database_url, gazetteer, official.code)
        # One effect: one saved answer per answer given, each in the history once.
        assert official.nudges == 0
        assert len(official.saved) == answers
        assert sorted(h.question_id for h in history) == sorted(official.saved)
        assert set(current) == set(official.saved)
    return officials


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_duplicate_updates(database_url, tmp_path, gazetteer, mode):
    officials = await duplicates_scenario(
        database_url,
        tmp_path,
        gazetteer,
        mode=mode,
        people=env_int("CTI_DUP_PEOPLE", 2),
        answers=env_int("CTI_DUP_ANSWERS", 4),
        seed=env_int("CTI_SEED", 2026),
    )
    # Each way of repeating was exercised.
    assert all(sum(o.copies[way] for o in officials) > 0 for way in WAYS)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_duplicate_updates_long_run(database_url, tmp_path, gazetteer, mode):
    """By hand: `make reliability` (10 officials, 30 answers each)."""
    officials = await duplicates_scenario(
        database_url,
        tmp_path,
        gazetteer,
        mode=mode,
        people=env_int("CTI_DUP_PEOPLE", 10),
        answers=env_int("CTI_DUP_ANSWERS", 30),
        seed=env_int("CTI_SEED", 11),
    )
    assert sum(sum(o.copies.values()) for o in officials) > 0
