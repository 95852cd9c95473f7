"""kill -9 of the running assistant at random points during questionnaires, on SQLite and
PostgreSQL. Every answer a person was told was saved is in the database; no question is shown
twice; after a restart each conversation resumes at its first unanswered question.

CI runs a few kills (`CTI_KILLS`, default 3); `make reliability` runs 50 and more officials.
"""

from __future__ import annotations

import asyncio
import random
import re
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.storage.sql import open_store
from bot.territory import Gazetteer
from dialogues import navigation as nav
from dialogues.questionnaire import load_questionnaire
from tests.channels.telegram.botapi_server import BotApiServer
from tests.reliability.harness import (
    QUESTION,
    Assistant,
    Official,
    env_int,
    killer,
    option_index,
    outbox_codes,
)

CODES = ["15001", "52001", "19001", "41001", "23001", "05001", "76001", "08001", "68001", "54001"]
QUESTIONNAIRE = load_questionnaire(PROJECT_ROOT / "data" / "questionnaire" / "v1.yml")
SECRETS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\b\d{7,}\b")
PRIVATE = "ana.perez.personal@gmail.com"


async def kill_scenario(
    database_url: str, workdir: Path, gazetteer: Gazetteer, *, kills: int, people: int, seed: int
) -> tuple[Assistant, list[Official]]:
    rng = random.Random(seed)
    async with BotApiServer() as server:
        assistant = Assistant(server, database_url, workdir)
        await assistant.start()
        officials = [
            Official(
                server.private_chat(9001 + i, f"Persona {i}"),
                code,
                random.Random(seed + i),
                codes=outbox_codes(database_url, gazetteer),
            )
            for i, code in enumerate(CODES[:people])
        ]
        try:
            await asyncio.gather(*(o.register() for o in officials))
            stop = asyncio.Event()
            killing = asyncio.create_task(killer(assistant, kills, rng, stop))

            async def answer(official: Official) -> None:
                # Until the killer is done (so every kill lands mid-questionnaire), within
                # the questionnaire's length.
                while not killing.done() and len(official.questions_shown()) < 90:
                    await official.answer_one()

            await asyncio.gather(*(answer(o) for o in officials))
            await killing
            assert assistant.kills == kills

            shown = {o.chat.id: o.questions_shown() for o in officials}
            for official in officials:
                numbers = shown[official.chat.id]
                assert len(numbers) == len(set(numbers)), f"a question was shown twice: {numbers}"

            # Personal data typed where it does not belong must not reach the logs.
            for official in officials:
                await official.say(f"Mi celular es 300{official.chat.id}1 y mi correo es {PRIVATE}")
            # One more crash, then everyone comes back.
            await assistant.kill()
            await assistant.start()
            resumed = {o.chat.id: await o.say("continuar") for o in officials}
        finally:
            await assistant.stop()

    store = await open_store(database_url, gazetteer)
    try:
        for official in officials:
            async with store.transaction() as tx:
                assessment = await tx.open_assessment(
                    official.code, _cycle(), QUESTIONNAIRE.id, QUESTIONNAIRE.version, None, _now()
                )
                stored = await tx.answers(assessment.id)
            for question_id, given in official.saved.items():
                answer = stored[question_id].answer
                if isinstance(given, float):
                    assert answer.kind == "figure" and answer.value == given
                else:
                    assert answer.kind == "option"
                    assert option_index(QUESTIONNAIRE, question_id, answer.option) == given
            first_open = nav.next_question(QUESTIONNAIRE, "alcaldia", stored)
            assert first_open is not None
            expected = nav.position(QUESTIONNAIRE, "alcaldia", first_open.id, stored).number
            [shown_now] = [
                int(m.group(1)) for t in resumed[official.chat.id] for m in QUESTION.finditer(t)
            ]
            assert shown_now == expected
    finally:
        await store.close()
    return assistant, officials


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _cycle() -> int:
    from zoneinfo import ZoneInfo

    return _now().astimezone(ZoneInfo("America/Bogota")).year


async def test_kill_9_during_questionnaires(database_url, tmp_path, gazetteer):
    assistant, officials = await kill_scenario(
        database_url,
        tmp_path,
        gazetteer,
        kills=env_int("CTI_KILLS", 3),
        people=env_int("CTI_KILL_PEOPLE", 3),
        seed=env_int("CTI_SEED", 2026),
    )
    assert sum(len(o.saved) for o in officials) > 0
    # The logs of the whole run: no address, no phone-like number, no token in clear.
    log = assistant.log_text()
    # It did log at INFO, every start of it (so the checks below look at a real log).
    assert log.count("telegram: connected as @") == assistant.starts
    assert assistant.server.token not in log
    assert PRIVATE not in log and "pers***" not in log
    for official in officials:
        assert f"300{official.chat.id}1" not in log
    emails = [m for m in SECRETS.findall(log) if "@" in m and "***" not in m]
    assert not emails, emails[:5]


@pytest.mark.slow
async def test_kill_9_long_run(database_url, tmp_path, gazetteer):
    """By hand: `make reliability` (50 kills, 5 officials)."""
    assistant, _ = await kill_scenario(
        database_url,
        tmp_path,
        gazetteer,
        kills=env_int("CTI_KILLS", 50),
        people=env_int("CTI_KILL_PEOPLE", 5),
        seed=env_int("CTI_SEED", 7),
    )
    assert assistant.kills == env_int("CTI_KILLS", 50) + 1
