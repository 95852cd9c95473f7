"""Questionnaire versions side by side: an assessment keeps the version it was opened under.

Answers are given while only v1 is loaded; then the engine is rebuilt with another version as
the default (every question renamed, one removed, its own version string) and v1 loaded beside
it, and every flow is walked: menu, question, review, results, report, a request for
accompaniment with its mail, the personal export, a reminder, submitting. Nothing may raise,
and everything speaks of v1's questions. A new entity's assessment is opened under the new
version.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.app import build_deps
from bot.config import PROJECT_ROOT, load_config
from bot.contract import Notice, OutboundEmail
from bot.conversation.engine import Engine
from bot.reminders.rules import Policy
from bot.reminders.scheduler import ReminderScheduler, Texts
from bot.workdays import WorkCalendar
from dialogues.questionnaire import load_questionnaires
from tests.conversation.chat import Chat, answers_of, state_of

CONFIG = load_config(env={})
V1 = PROJECT_ROOT / "data" / "questionnaire" / "v1.yml"
MAILBOX = "ciudadesyterritoriosinteligentes@mintic.gov.co"
# Tuesday 10 March 2026, 10:00 in Bogotá: a working day, in working hours.
START = datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("America/Bogota"))


def other_version(path: Path) -> Path:
    """v1 with every question renamed ("D0-1", "D0-2"...), the last of a subdimension removed,
    and another version string: none of v1's answers names one of its questions."""
    raw = yaml.safe_load(V1.read_text(encoding="utf-8"))
    raw["version"] = "2-prueba"
    n = 0
    for d, dimension in enumerate(raw["dimensions"]):
        for sub in dimension["subdimensions"]:
            if len(sub["questions"]) > 1:
                sub["questions"] = sub["questions"][:-1]
            for question in sub["questions"]:
                n += 1
                question["id"] = f"D{d}-{n}"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def both(static, tmp_path):
    """The static data with the other version as default and v1 still loaded."""
    return dataclasses.replace(
        static, questionnaires=load_questionnaires(other_version(tmp_path / "v2.yml"), [V1])
    )


def engine_of(store, static, interpreter, now: datetime = START) -> Engine:
    return Engine(store, build_deps(CONFIG, static), interpreter, clock=lambda: now)


async def mailbox(store) -> list[OutboundEmail]:
    async with store.transaction() as tx:
        items = await tx.outbox_for(MAILBOX)
    return [i for i in items if isinstance(i, OutboundEmail)]


async def assessment_of(store, chat: Chat):
    record = await state_of(store, chat)
    async with store.transaction() as tx:
        return await tx.assessment(record.state["assessment_id"])


async def test_an_assessment_keeps_its_version_through_every_flow(store, static, both, interpreter):
    before = engine_of(store, static, interpreter)
    ana = Chat(before, "1001", channel="telegram")  # where reminders go
    await ana.register()
    assert ana.question_id() == "PER-EDU-01"
    for answer in ("a", "10", "no sé", "1", "e"):
        await ana.send(answer)
    v1_total = len(static.questionnaire.questions_for("alcaldia"))

    after = engine_of(store, both, interpreter, START + timedelta(minutes=5))
    ana.engine = after
    kept = await assessment_of(store, ana)
    assert (kept.questionnaire_id, kept.questionnaire_version) == (
        static.questionnaire.id,
        static.questionnaire.version,
    )

    await ana.send("menú")
    assert not any(r.failed for r in ana.last), ana.text
    await ana.send("continuar")
    assert ana.question_id() in static.questionnaire.question_index  # a v1 question
    await ana.send("a")
    assert not any(r.failed for r in ana.last), ana.text

    await ana.send("revisar")
    assert f"Revisión del diagnóstico (6 de {v1_total}" in ana.text, ana.text

    await ana.send("resultados")
    assert not any(r.failed for r in ana.last), ana.text
    files = {a.filename: a for r in ana.last for a in r.attachments}
    assert b"Alcald\xc3\xada de Pasto" in files["informe-cti.html"].data
    report = files["informe-cti.html"].data.decode("utf-8")
    assert static.questionnaire.version in report and "2-prueba" not in report

    # A request for accompaniment from the results: confirmed, its mail to MinTIC queued.
    offer = [r for r in ana.last if r.options and r.options[0].value.startswith("ticket:")]
    assert offer, ana.text
    await ana.send(option=offer[0].options[0].value)
    assert "¿La envío?" in ana.text
    await ana.press("Sí, enviarla")
    assert "registrada con el número" in ana.text, ana.text
    [email] = await mailbox(store)
    assert email.attachments  # the diagnosis, scored under v1

    await ana.send("descargar mis datos")
    assert not any(r.failed for r in ana.last), ana.text
    [export] = [a for r in ana.last for a in r.attachments]
    texts = json.dumps(json.loads(export.data), ensure_ascii=False)
    first = static.questionnaire.question_index["PER-EDU-01"][2].text
    assert first in texts

    # A reminder a fortnight later speaks of v1's questions still unanswered.
    later = START + timedelta(days=14)
    reminders = ReminderScheduler(
        store,
        Texts(both.catalog, both.questionnaires, both.gazetteer, lambda _: None),
        Policy(5, 3, WorkCalendar(CONFIG.assessment.timezone)),
        channels=frozenset({"telegram", "email"}),
        cycle_of=after.deps.cycle_of,
        domain="cti.test",
        clock=lambda: later,
    )
    assert await reminders.run_once() == 1
    async with store.transaction() as tx:
        [reminder] = [
            i for i in await tx.outbox_for("1001") if isinstance(i, Notice) and i.kind == "reminder"
        ]
    assert f"6 de {v1_total} preguntas" in reminder.replies[0].text, reminder.replies[0].text

    # A colleague who registers now joins the entity's assessment, in its version.
    carla = Chat(after, "carla")
    await carla.register(name="Carla Ruiz", email="carla@pasto.gov.co")
    assert carla.question_id() in static.questionnaire.question_index, carla.text
    assert f"de {v1_total}" in carla.text

    await ana.send("revisar")
    await ana.press("Enviar diagnóstico")
    await ana.press("Sí, enviar")
    assert "Diagnóstico enviado" in ana.text, ana.text
    assert not any(r.failed for r in ana.last)
    assert len(await answers_of(store, kept.id)) == 6

    # A new entity starts under the new default.
    luis = Chat(after, "luis")
    await luis.register(place="Tunja", name="Luis Gómez", email="luis@tunja.gov.co")
    assert luis.question_id() == "D0-1"
    new = await assessment_of(store, luis)
    assert new.questionnaire_version == "2-prueba"


async def test_a_version_no_longer_loaded_shows_what_the_default_knows(
    store, static, both, interpreter, tmp_path
):
    """Without v1 among the loaded versions (a configuration mistake) nothing raises: the
    conversation goes on under the default, and v1's answers are kept but not shown."""
    ana = Chat(engine_of(store, static, interpreter), "ana")
    await ana.register()
    for answer in ("a", "10", "1"):
        await ana.send(answer)
    only_new = dataclasses.replace(
        static, questionnaires=load_questionnaires(other_version(tmp_path / "only.yml"))
    )
    ana.engine = engine_of(store, only_new, interpreter)
    for words in ("menú", "revisar", "resultados", "continuar", "descargar mis datos"):
        await ana.send(words)
        assert not any(r.failed for r in ana.last), (words, ana.text)
    assert len(await answers_of(store, (await assessment_of(store, ana)).id)) == 3
