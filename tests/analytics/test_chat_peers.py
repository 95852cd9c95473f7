"""Peer averages reach a conversation's results, and submitting keeps the scores peers see.

Five Nariño alcaldías submitted before Pasto (with their snapshots, as their own results views
left them); Pasto's contact answers one question, submits, and gets the comparison.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from bot.analytics.peers import mean
from bot.answers_file import sample_answers
from bot.scoring import score
from nlu.numbers import format_number
from tests.analytics.seed import seed_submitted_with_snapshot
from tests.conversation.chat import Chat


@pytest.fixture
def backend() -> str:
    """Conversation behaviour runs once, on SQLite; the storage it relies on is checked on both
    backends in tests/storage/test_analytics.py."""
    return "sqlite"


NARINO = ("52019", "52022", "52036", "52051", "52079")  # Albán, Aldana, Ancuya, Arboleda, Barbacoas
T0 = datetime(2026, 3, 2, 15, tzinfo=UTC)


async def _peers(engine, q, codes):
    """Submitted peers in the cycle the engine opens assessments in (today's, by default)."""
    cycle = engine.deps.cycle_of(datetime.now(UTC))
    overall = []
    async with engine.store.transaction() as tx:
        for code in codes:
            given = sample_answers(q, "alcaldia", random.Random(code))
            await seed_submitted_with_snapshot(tx, q, code, "alcaldia", given, T0, cycle)
            overall.append(score(q, "alcaldia", given).overall.value)
    return overall


async def _submit_one_answer(chat: Chat) -> str:
    """Pasto's official, a member (only a member's submission counts for peers), submits."""
    async with chat.engine.store.transaction() as tx:
        await tx.load_domains([("52001", "pasto.gov.co")], T0)
    await chat.register()
    async with chat.engine.store.transaction() as tx:
        contact = next(c for c in await tx.contacts_of_entity("52001"))
        if not contact.is_member:  # registration that does not read the domains yet
            await tx.record_membership(contact.id, "joined", T0, basis="domain")
    await chat.send("a")
    await chat.send("revisar")
    await chat.press("Enviar diagnóstico")
    await chat.press("Sí, enviar")
    assert "Diagnóstico enviado" in chat.text
    return chat.text


async def test_submitting_shows_the_comparison_and_keeps_the_snapshot(engine, store, static):
    q = static.questionnaire
    overall = await _peers(engine, q, NARINO)
    chat = Chat(engine, "pasto-peers")
    text = await _submit_one_answer(chat)
    average = format_number(mean(overall))
    assert f"Promedio de sus pares: Nariño {average} · Colombia {average}" in text
    assert "(Nariño: 5; Colombia: 5)" in text
    html = next(a for r in chat.last for a in r.attachments if a.filename.endswith(".html"))
    assert "Nariño y Colombia: promedio de las alcaldías" in html.data.decode("utf-8")

    cycle = engine.deps.cycle_of(datetime.now(UTC))
    async with store.transaction() as tx:
        peers = await tx.peer_scores(cycle, "alcaldia", q.id, q.version)
    assert sorted(p.entity_code for p in peers) == sorted([*NARINO, "52001"])

    await chat.send("reabrir")
    await chat.press("Reabrir diagnóstico")
    async with store.transaction() as tx:
        peers = await tx.peer_scores(cycle, "alcaldia", q.id, q.version)
    assert "52001" not in {p.entity_code for p in peers}  # reopened: no longer a peer


async def test_four_peers_are_not_enough(engine, store, static):
    await _peers(engine, static.questionnaire, NARINO[:4])
    text = await _submit_one_answer(Chat(engine, "pasto-alone"))
    assert "pares" not in text and "Colombia" not in text
