"""Reminders through the real engine and scheduler, on SQLite and PostgreSQL, over weeks of a
controlled clock: due after a quiet spell, sent once, only in working hours, at most so many in
a row, stopped and restarted by the contact, never for a submitted diagnosis or an erased
person, never to the console."""

from __future__ import annotations

import asyncio
import re
from datetime import date

from bot.config import AssessmentConfig
from bot.contract import ConversationKey, Notice
from bot.conversation.engine import Engine
from bot.storage.sql import open_store
from tests.conversation.chat import Chat
from tests.reminders.conftest import bogota, reminders_to, scheduler

REMINDER_ID = re.compile(r"<reminder-\d+-(\d+)@cti\.test>")


def number(notice: Notice) -> int:
    """Which reminder of the contact it is, from its notice id."""
    found = REMINDER_ID.fullmatch(notice.notice_id)
    assert found is not None, notice.notice_id
    return int(found[1])


async def contact_id(engine: Engine, key: ConversationKey) -> int:
    async with engine.store.transaction() as tx:
        found = await tx.find_conversation(key)
    assert found is not None and found.contact_id is not None
    return found.contact_id


# A deadline MinTIC set for the 2026 cycle in config (`assessment.deadlines`); none by default.
DEADLINES = AssessmentConfig(deadlines={2026: date(2026, 4, 6)})


async def test_a_reminder_due_while_nothing_ran_goes_out_once_after_the_restart(
    store, engine, static, clock, database_url
):
    ana = Chat(engine, "1001", channel="telegram")
    await ana.register()  # Tuesday 10 March, 10:00; the first question is shown
    await ana.send(option=ana.options[0].value)  # one answer
    assert await scheduler(store, static, clock).run_once() == 0  # not due yet

    clock.now = bogota(3, 30, 9)  # nothing ran for three weeks (due since 17 March)
    woken: list[int] = []
    restarted = scheduler(
        store, static, clock, wake=lambda: woken.append(1), deadline_of=DEADLINES.deadline_for
    )
    assert await restarted.run_once() == 1
    assert woken == [1]  # the delivery workers are told at once
    assert await restarted.run_once() == 0
    other = await open_store(database_url, static.gazetteer)  # another restart, same database
    try:
        assert await scheduler(other, static, clock).run_once() == 0
    finally:
        await other.close()

    [notice] = await reminders_to(store, "1001")
    assert number(notice) == 1
    assert notice.key == ConversationKey("telegram", "1001")
    [reply] = notice.replies
    total = len(static.questionnaire.questions_for("alcaldia"))
    assert reply.text.startswith("Hola, Ana Pérez.")
    assert "Alcaldía de Pasto (Nariño)" in reply.text
    assert f"lleva 1 de {total} preguntas respondidas (1 %)" in reply.text
    assert "la pregunta 2, de Personas" in reply.text  # where they left off
    assert "MinTIC fijó el 6 de abril de 2026 como fecha para enviar" in reply.text
    assert [o.value for o in reply.options] == ["reminders:continue", "reminders:off"]

    # The next one five working days after this one (Holy Thursday and Friday skipped).
    clock.now = bogota(4, 7, 16)
    assert await restarted.run_once() == 0
    clock.now = bogota(4, 8, 9)
    assert await restarted.run_once() == 1
    _, second = await reminders_to(store, "1001")
    assert number(second) == 2
    assert "fecha para enviar" not in second.replies[0].text  # past: no longer mentioned


async def test_without_a_deadline_set_the_reminder_names_no_date(store, engine, static, clock):
    await Chat(engine, "1001", channel="telegram").register()
    clock.working_days_later(5)
    assert await scheduler(store, static, clock).run_once() == 1  # the default configuration
    [notice] = await reminders_to(store, "1001")
    text = notice.replies[0].text
    assert "preguntas respondidas" in text
    assert "fecha para enviar" not in text and "plazo" not in text.lower()
    assert not re.search(r"\d{1,2} de [a-z]+ de 20\d\d", text)  # no date at all


async def test_reminders_wait_for_working_hours_after_weekends_and_holidays(
    store, engine, static, clock
):
    clock.now = bogota(3, 13, 18, 30)  # Friday evening
    await Chat(engine, "1001", channel="telegram").register()
    reminders = scheduler(store, static, clock)
    for moment in (
        bogota(3, 20, 18, 30),  # five working days later, but after hours
        bogota(3, 21, 10),  # Saturday
        bogota(3, 22, 10),  # Sunday
        bogota(3, 23, 10),  # San José
        bogota(3, 24, 7, 59),  # Tuesday, before opening
    ):
        clock.now = moment
        assert await reminders.run_once() == 0, moment
    clock.now = bogota(3, 24, 8)
    assert await reminders.run_once() == 1


async def test_at_most_three_in_a_row_until_the_contact_writes_again(store, engine, static, clock):
    ana = Chat(engine, "1001", channel="telegram")
    await ana.register()
    reminders = scheduler(store, static, clock)
    sent = []
    for _ in range(5):
        clock.working_days_later(5)
        sent.append(await reminders.run_once())
    assert sent == [1, 1, 1, 0, 0]

    await ana.send("hola")  # the contact writes: a new run starts from this message
    assert "Pregunta 1 de" in ana.text
    clock.working_days_later(4)
    assert await reminders.run_once() == 0
    clock.working_days_later(1)
    assert await reminders.run_once() == 1
    assert [number(n) for n in await reminders_to(store, "1001")] == [1, 2, 3, 4]


async def test_a_colleagues_answers_postpone_the_reminder(store, engine, static, clock):
    ana = Chat(engine, "1001", channel="telegram")
    await ana.register()  # Tuesday 10 March
    luis = Chat(engine, "1002", channel="telegram")
    clock.now = bogota(3, 12, 10)
    await luis.register(name="Luis Gómez", email="luis@pasto.gov.co")
    clock.now = bogota(3, 16, 10)
    await luis.send(option=luis.options[0].value)  # Luis answers on Monday 16
    reminders = scheduler(store, static, clock)

    clock.now = bogota(3, 17, 10)  # Ana's own silence alone would make her due now
    assert await reminders.run_once() == 0
    clock.now = bogota(3, 24, 9, 59)
    assert await reminders.run_once() == 0
    clock.now = bogota(3, 24, 10)  # five working days after Luis's answer (San José skipped)
    assert await reminders.run_once() == 2
    assert len(await reminders_to(store, "1001")) == len(await reminders_to(store, "1002")) == 1


async def test_no_reminder_for_a_submitted_diagnosis_or_an_erased_person(
    store, engine, static, clock
):
    ana = Chat(engine, "1001", channel="telegram")
    await ana.register()
    eva = Chat(engine, "1003", channel="telegram")
    await eva.register(place="Tunja", name="Eva Ríos", email="eva@tunja.gov.co")
    gil = Chat(engine, "1004", channel="telegram")
    await gil.register(name="Gil Mora", email="gil@pasto.gov.co")
    gil_id = await contact_id(engine, gil.key)
    reminders = scheduler(store, static, clock)
    clock.working_days_later(5)
    assert await reminders.run_once() == 3  # queued; nothing delivers them in this test

    await gil.send("borrar mis datos")
    await gil.send("sí")
    assert "fueron borrados" in gil.text
    await eva.send("revisar")
    await eva.press("Enviar diagnóstico")
    await eva.press("Sí, enviar")
    assert "enviado" in eva.text.lower()

    clock.working_days_later(5)
    assert await reminders.run_once() == 1  # Ana only
    assert len(await reminders_to(store, "1001")) == 2
    assert len(await reminders_to(store, "1003")) == 1  # only the one before submitting
    assert await reminders_to(store, "1004") == []  # the undelivered one went with his data
    async with store.transaction() as tx:
        assert await tx.reminder_schedule(gil_id) is None


async def test_opting_out_by_text_and_back_in(store, engine, static, clock):
    ana = Chat(engine, "1001", channel="telegram")
    await ana.register()
    reminders = scheduler(store, static, clock)
    clock.working_days_later(5)
    assert await reminders.run_once() == 1

    await ana.send("No más recordatorios.")
    assert "no le enviaré más recordatorios" in ana.text
    clock.working_days_later(20)
    assert await reminders.run_once() == 0
    await ana.send("mis datos")
    await ana.press("Ver mis datos")
    assert "Recordatorios del diagnóstico: desactivados desde el" in ana.text
    assert "«activar recordatorios»" in ana.text

    await ana.send("activar recordatorios")
    assert "quedaron activados" in ana.text
    await ana.send("mis datos")
    await ana.press("Ver mis datos")
    assert "Recordatorios del diagnóstico: activados, 1 enviado (" in ana.text
    clock.working_days_later(5)
    assert await reminders.run_once() == 1


async def test_the_reminder_buttons_work_while_a_yes_or_no_is_pending(store, engine, static, clock):
    ana = Chat(engine, "1001", channel="telegram")
    await ana.register()
    clock.working_days_later(5)
    assert await scheduler(store, static, clock).run_once() == 1
    await ana.send("borrar mis datos")  # asked to confirm; then the reminder arrives
    assert "¿Desea borrar sus datos?" in ana.text

    await ana.send(option="reminders:off")  # the button is not a "yes"
    assert "no le enviaré más recordatorios" in ana.text
    ana_id = await contact_id(engine, ana.key)
    async with store.transaction() as tx:
        assert await tx.contact(ana_id) is not None
        schedule = await tx.reminder_schedule(ana_id)
    assert schedule is not None and schedule.opted_out_at == clock.now
    await ana.send("no")  # the pending question was left as it was
    assert "sus datos se conservan" in ana.text

    await ana.send(option="reminders:continue")
    assert "Pregunta 1 de" in ana.text


async def test_never_to_the_console(store, engine, static, clock):
    await Chat(engine, "local").register()  # console: no worker could deliver it
    clock.working_days_later(10)
    assert await scheduler(store, static, clock).run_once() == 0
    assert await reminders_to(store, "local") == []


async def test_two_schedulers_at_once_queue_one_reminder(
    store, engine, static, clock, database_url
):
    await Chat(engine, "1001", channel="telegram").register()
    clock.working_days_later(5)
    other = await open_store(database_url, static.gazetteer)  # a second process
    try:
        counts = await asyncio.gather(
            scheduler(store, static, clock).run_once(), scheduler(other, static, clock).run_once()
        )
    finally:
        await other.close()
    assert sorted(counts) == [0, 1]
    assert len(await reminders_to(store, "1001")) == 1


async def test_the_service_checks_by_itself_and_wakes_the_delivery(store, engine, static, clock):
    await Chat(engine, "1001", channel="telegram").register()
    clock.working_days_later(5)
    woken = asyncio.Event()
    service = scheduler(store, static, clock, wake=woken.set, check_seconds=0.05)
    task = asyncio.create_task(service.run())
    try:
        await asyncio.wait_for(woken.wait(), 30)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    # One more check, awaited instead of waited for: nothing more is due.
    assert await service.run_once() == 0
    assert len(await reminders_to(store, "1001")) == 1


async def test_no_reminder_for_someone_waiting_for_approval_or_revoked(
    store, engine, static, clock
):
    ana = Chat(engine, "1001", channel="telegram")
    await ana.register()  # Tuesday 10 March, a member (pasto.gov.co)
    eva = Chat(engine, "1002", channel="telegram")
    await eva.register(name="Eva Ríos", email="eva.rios@gmail.com")
    assert "pendiente de aprobación" in eva.text
    reminders = scheduler(store, static, clock)
    clock.now = bogota(3, 17, 10)  # five working days later: Ana is due, Eva is not
    assert await reminders.run_once() == 1
    assert await reminders_to(store, "1002") == []
    async with store.transaction() as tx:
        found = await tx.find_conversation(ana.key)
        await tx.record_membership(found.contact_id, "revoked", clock.now, actor_staff="luisa")
    clock.now = bogota(3, 31, 10)
    await reminders.run_once()
    assert len(await reminders_to(store, "1001")) == 1  # revoked: nothing more for Ana
