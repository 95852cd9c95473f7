"""Same-entity races: several contacts of one entity answer its one questionnaire at the same
time through the real `cti run`, on SQLite and PostgreSQL. They meet on the same questions
(the next unanswered one is the same for everybody), replace each other's answers ("Sí,
reemplazar") and, once every question is answered, go back to random ones from the review.

Afterwards: one current value per question, and it is the last one written; the history has
exactly one entry for every answer anyone was told was saved; no lock error, no apology, no
error in the log.

CI: `CTI_RACE_CONTACTS` (6) contacts saving `CTI_RACE_SAVES` (4) answers each; `make
reliability`: 10 x 100 = 1,000 answers.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.territory import Gazetteer
from dialogues.messages import Catalog
from tests.channels.telegram.botapi_server import BotApiServer, buttons
from tests.reliability.harness import (
    QUESTIONNAIRE,
    Assistant,
    Official,
    entity_answers,
    env_int,
    outbox_codes,
    project_gazetteer,
)
from tests.storage.helpers import store_with_domains

CODE = "05001"  # Medellín: every contact works for it
CATALOG = Catalog.load(PROJECT_ROOT / "data" / "templates" / "messages.yml")
APOLOGIES = (CATALOG.render("error.storage").strip(), CATALOG.render("error.internal").strip())
QUESTIONS = len(QUESTIONNAIRE.questions_for("alcaldia"))


@dataclass
class Colleague(Official):
    """A contact who keeps answering whatever question is in front of them."""

    saves: Counter[str] = field(default_factory=Counter)  # question id -> times told saved
    pending: str | None = None  # the question of an answer awaiting "Sí, reemplazar"
    replies: list[str] = field(default_factory=list)

    def note(self, question_id: str | None, replies: list[str]) -> None:
        self.replies.extend(replies)
        if question_id is not None and any("✓ Guardado" in r for r in replies):
            self.saves[question_id] += 1

    async def step(self) -> None:
        messages = self.chat.bot_messages()
        last = messages[-1]
        keys = buttons(last)
        options = [d for d in keys.values() if d.startswith("ans:")]
        dont_know = [d for d in keys.values() if d.startswith("dk:")]
        if options or dont_know:
            data = self.rng.choice(options) if options else dont_know[0]
            question_id = data.split(":")[1]
            replies = await self.act(self.chat.press(last["message_id"], data))
            self.note(question_id, replies)
            self.pending = question_id  # in case another contact's answer is there
        elif "yes" in keys.values() and self.pending is not None:
            # Another contact answered it meanwhile: replace theirs, as asked.
            self.note(self.pending, await self.act(self.chat.press(last["message_id"], "yes")))
            self.pending = None
        elif "jump" in keys.values():
            # The review (every question answered): change a random one.
            await self.act(self.chat.press(last["message_id"], "jump"))
            self.note(None, await self.say(str(self.rng.randint(1, QUESTIONS))))
        else:
            self.note(None, await self.say("continuar"))


async def race(
    database_url: str, workdir: Path, *, contacts: int, saves: int, seed: int
) -> tuple[list[Colleague], str]:
    async with store_with_domains(database_url, project_gazetteer()):
        pass  # medellin.gov.co is the alcaldía's domain: the colleagues are members
    async with BotApiServer() as server:
        assistant = Assistant(server, database_url, workdir)
        await assistant.start()
        people = [
            Colleague(
                server.private_chat(9501 + i, f"Persona {i}"),
                CODE,
                random.Random(seed + i),
                email=f"contacto{i}@medellin.gov.co",
                codes=outbox_codes(database_url),
            )
            for i in range(contacts)
        ]

        async def work(person: Colleague) -> None:
            await person.register()
            steps = 0
            while sum(person.saves.values()) < saves:
                await person.step()
                steps += 1
                assert steps < 20 * saves + 50, f"stuck: {person.replies[-3:]}"

        try:
            await asyncio.gather(*(work(p) for p in people))
            assert assistant.alive
        finally:
            await assistant.stop()
        return people, assistant.log_text()


async def check(database_url: str, gazetteer: Gazetteer, people: list[Colleague], log: str):
    for person in people:
        for reply in person.replies:
            assert not reply.startswith(APOLOGIES), reply
    for bad in ("ERROR", "Traceback", "locked", "deadlock", "could not serialize"):
        assert bad not in log, log[-3000:]

    current, history = await entity_answers(database_url, gazetteer, CODE)
    told = sum((p.saves for p in people), Counter())
    # A complete history: one entry per answer anyone was told was saved, no more.
    assert Counter(h.question_id for h in history) == told
    assert set(current) == set(told)
    # One current value per question: the last one written.
    last: dict[str, object] = {}
    for entry in history:
        last[entry.question_id] = entry
    for question_id, stored in current.items():
        entry = last[question_id]
        assert (stored.answer, stored.contact_id) == (entry.answer, entry.contact_id)  # type: ignore[attr-defined]
    return told


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_same_entity_races(database_url, tmp_path, gazetteer):
    contacts, saves = env_int("CTI_RACE_CONTACTS", 6), env_int("CTI_RACE_SAVES", 4)
    people, log = await race(
        database_url, tmp_path, contacts=contacts, saves=saves, seed=env_int("CTI_SEED", 2026)
    )
    told = await check(database_url, gazetteer, people, log)
    assert sum(told.values()) >= contacts * saves
    # They did meet: some question was saved by more than one contact.
    assert max(told.values()) > 1


@pytest.mark.slow
async def test_same_entity_races_long_run(database_url, tmp_path, gazetteer):
    """By hand: `make reliability` (10 contacts, 1,000 answers)."""
    contacts, saves = env_int("CTI_RACE_CONTACTS", 10), env_int("CTI_RACE_SAVES", 100)
    people, log = await race(
        database_url, tmp_path, contacts=contacts, saves=saves, seed=env_int("CTI_SEED", 13)
    )
    told = await check(database_url, gazetteer, people, log)
    print(f"\nraces: {contacts} contacts, {sum(told.values())} answers on {len(told)} questions")
