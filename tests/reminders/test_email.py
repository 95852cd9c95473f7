"""Reminders by email: the email as the outbox worker renders it, and the replies to it read by
the engine as any other email (opting out with a reply word, going on with «continuar»)."""

from __future__ import annotations

import pytest

from bot.app import build_deps, channel_traits
from bot.conversation.engine import Engine
from channels.email.render import EmailRenderer
from nlu.rules import RuleInterpreter
from tests.conversation.mailbox import Mailbox, block_size
from tests.reminders.conftest import CALENDAR, CONFIG, deliver, reminders_to, scheduler

ANA = "marta@tunja.gov.co"


@pytest.fixture
def email_engine(store, static, clock) -> Engine:
    return Engine(
        store,
        build_deps(CONFIG, static),
        RuleInterpreter(),
        clock,
        traits=channel_traits(),
    )


async def test_the_reminder_email_names_the_words_to_reply_and_they_work(
    store, email_engine, static, clock
):
    marta = Mailbox(email_engine, ANA)
    await marta.register()
    assert "Personas · Educación" in marta.text  # the first block was sent
    reminders = scheduler(store, static, clock)
    clock.working_days_later(5)
    assert await reminders.run_once() == 1

    [notice] = await reminders_to(store, ANA)
    mail = EmailRenderer(CONFIG.path(CONFIG.data.templates)).notice(notice)
    assert mail.recipient == ANA and mail.message_id == notice.notice_id
    assert "Hola, Marta Gil." in mail.text and "Alcaldía de Tunja (Boyacá)" in mail.text
    assert "responda «no más recordatorios»" in mail.text
    assert "la palabra «continuar»" in mail.text
    # No numbered options: "2" would mean nothing to the conversation the reply lands in.
    assert "con el número o el texto de una opción" not in mail.text

    sent_at = clock.now
    clock.advance(hours=2)
    await marta.send("Continuar")
    assert "Personas · Educación" in marta.text and block_size(marta.text) >= 3

    clock.now = CALENDAR.add_working_days(sent_at, 5)
    assert await reminders.run_once() == 0  # her reply, two hours later, started the clock again
    clock.advance(hours=2)
    assert await reminders.run_once() == 1
    await deliver(store, ANA, clock.now)
    await marta.send("No más recordatorios, gracias")
    assert "no le enviaré más recordatorios" in marta.text
    clock.working_days_later(30)
    assert await reminders.run_once() == 0
    assert len(await reminders_to(store, ANA)) == 2

    await marta.send("Activar recordatorios")
    assert "quedaron activados" in marta.text
    clock.working_days_later(5)
    assert await reminders.run_once() == 1
