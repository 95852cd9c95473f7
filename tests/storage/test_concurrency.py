"""Concurrent transactions on SQLite and PostgreSQL: races resolve to one row, nothing is lost,
nobody sees "database is locked"."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.contract import ConversationKey
from bot.scoring import Answer
from bot.storage.sql import SqlStore, open_store
from bot.territory import Gazetteer
from tests.storage.helpers import MEDELLIN, T0, at, register

KEY = ConversationKey("telegram", "777")
HOLD = 0.05  # long enough for the other transactions to reach the same row


async def test_two_concurrent_claims_of_one_message_exactly_one_wins(store: SqlStore):
    async def claim() -> bool:
        async with store.transaction() as tx:
            won = await tx.claim_message(KEY, "update-1", T0)
            await asyncio.sleep(HOLD)
            return won

    assert sorted(await asyncio.gather(claim(), claim())) == [False, True]


async def test_a_claim_rolled_back_does_not_count(store: SqlStore):
    started = asyncio.Event()

    async def claim_then_fail() -> None:
        async with store.transaction() as tx:
            assert await tx.claim_message(KEY, "update-2", T0)
            started.set()
            await asyncio.sleep(HOLD)
            raise RuntimeError("crash before commit")

    async def claim_after() -> bool:
        await started.wait()
        async with store.transaction() as tx:
            return await tx.claim_message(KEY, "update-2", at(1))

    failing = asyncio.create_task(claim_then_fail())
    assert await claim_after()
    with pytest.raises(RuntimeError):
        await failing


async def test_concurrent_get_or_create_gives_one_conversation(store: SqlStore):
    async def get() -> int:
        async with store.transaction() as tx:
            conversation = await tx.conversation(KEY, T0)
            await asyncio.sleep(0.01)
            return conversation.id

    assert len(set(await asyncio.gather(*(get() for _ in range(8))))) == 1


async def test_the_conversation_stays_locked_so_no_update_is_lost(store: SqlStore):
    async def increment(i: int) -> None:
        async with store.transaction() as tx:
            conversation = await tx.conversation(KEY, at(i))
            seen = conversation.state.get("n", 0)
            await asyncio.sleep(0.01)  # think time: another message of the same chat arrives
            await tx.save_conversation(conversation.id, {"n": seen + 1}, None, at(i))

    await asyncio.gather(*(increment(i) for i in range(8)))
    async with store.transaction() as tx:
        assert (await tx.conversation(KEY, T0)).state == {"n": 8}


async def test_one_assessment_per_entity_and_cycle_when_opened_concurrently(store: SqlStore):
    async def open_one(i: int) -> int:
        async with store.transaction() as tx:
            assessment = await tx.open_assessment(MEDELLIN, 2026, "mm", "1", None, at(i))
            await asyncio.sleep(0.01)
            return assessment.id

    ids = await asyncio.gather(*(open_one(i) for i in range(8)))
    assert len(set(ids)) == 1
    async with store.transaction() as tx:
        assert [e.kind for e in await tx.assessment_events(ids[0])] == ["started"]


async def test_ten_contacts_of_one_entity_answering_at_once(store: SqlStore):
    writers, questions = 10, [f"GOB-{n:02d}" for n in range(1, 9)]
    contacts = []
    async with store.transaction() as tx:
        for i in range(writers):
            contacts.append((await register(tx, f"90{i}", f"P{i}", f"p{i}@x.gov.co"))[1])

    async def answer_all(i: int) -> None:
        key = ConversationKey("telegram", f"90{i}")
        for n, question in enumerate(questions):
            async with store.transaction() as tx:  # one transaction per incoming message
                assert await tx.claim_message(key, f"{i}-{n}", at(n))
                conversation = await tx.conversation(key, at(n))
                assessment = await tx.open_assessment(MEDELLIN, 2026, "mm", "1", None, at(n))
                answer = Answer("option", option=f"o{i}")
                await tx.save_answer(assessment.id, question, answer, contacts[i].id, at(n))
                await tx.save_conversation(conversation.id, {"q": n}, contacts[i].id, at(n))

    await asyncio.gather(*(answer_all(i) for i in range(writers)))

    async with store.transaction() as tx:
        assessment = await tx.open_assessment(MEDELLIN, 2026, "mm", "1", None, T0)
        current = await tx.answers(assessment.id)
        history = await tx.answer_history(assessment.id)
    assert sorted(current) == questions
    option_of = {c.id: f"o{i}" for i, c in enumerate(contacts)}
    assert len(history) == writers * len(questions)
    for question in questions:
        given = [h for h in history if h.question_id == question]
        assert Counter(h.contact_id for h in given) == Counter(c.id for c in contacts)
        last = given[-1]  # the current value is the last one written, by whoever wrote it
        assert (current[question].answer, current[question].contact_id) == (
            Answer("option", option=option_of[last.contact_id]),
            last.contact_id,
        )


async def test_two_processes_writing_one_database(database_url: str, gazetteer: Gazetteer):
    """Two stores stand for two processes: on SQLite they meet at the file lock, where
    BEGIN IMMEDIATE and the busy timeout make them queue instead of failing."""
    first = await open_store(database_url, gazetteer)
    second = await open_store(database_url, gazetteer, migrate=False)
    try:

        async def write(store: SqlStore, name: str, n: int) -> None:
            key = ConversationKey("console", f"{name}-{n}")
            async with store.transaction() as tx:
                # Read before writing: with a plain deferred BEGIN, two such transactions
                # deadlock on the lock upgrade and SQLite fails one at once ("locked").
                assert await tx.find_conversation(key) is None
                await asyncio.sleep(0.001)
                assert await tx.claim_message(key, key.address, T0)
                conversation = await tx.conversation(key, T0)
                await tx.save_conversation(conversation.id, {"n": n}, None, at(n))

        await asyncio.gather(
            *(write(first, "a", n) for n in range(15)), *(write(second, "b", n) for n in range(15))
        )
        async with first.transaction() as tx:
            for name in "ab":
                for n in range(15):
                    found = await tx.find_conversation(ConversationKey("console", f"{name}-{n}"))
                    assert found is not None and found.state == {"n": n}
    finally:
        await first.close()
        await second.close()
