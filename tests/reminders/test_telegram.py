"""A reminder through Telegram end to end: queued by the scheduler, delivered by the running
service's notice worker over real HTTP to the local Bot API server, and its button pressed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.app import build_deps
from bot.config import PROJECT_ROOT
from bot.conversation.engine import Engine
from bot.storage.outbox import StoreOutbox
from channels.outbox import RetryPolicy
from channels.telegram import TelegramChannel, TelegramService
from channels.telegram.notices import NoticeDelivery
from dialogues.messages import Catalog
from nlu.rules import RuleInterpreter
from tests.channels.telegram.botapi_server import BotApiServer
from tests.channels.telegram.conftest import Person, _ready, settings_for
from tests.conversation.chat import mailed_code
from tests.reminders.conftest import CALENDAR, CONFIG, Clock, reminders_to, scheduler

TEXTS = PROJECT_ROOT / "data" / "templates" / "telegram.yml"


async def test_the_reminder_reaches_the_chat_and_its_button_stops_the_next_ones(store, static):
    # The conversation runs on the real clock (Telegram dates its messages); the scheduler and
    # the delivery worker run a week and a bit later, in working hours.
    deps = build_deps(CONFIG, static)
    engine = Engine(store, deps, RuleInterpreter())
    started = datetime.now(UTC)
    later = Clock(CALENDAR.next_working_moment(CALENDAR.add_working_days(started, 6)))
    cycle = deps.cycle_of(started)
    channel = TelegramChannel(engine, Catalog.load(TEXTS).render, backoff=0.05)
    async with BotApiServer() as server:
        delivery = NoticeDelivery(
            StoreOutbox(store, timedelta(minutes=5), "telegram"),
            channel,
            RetryPolicy(max_attempts=3, backoff_seconds=0.1),
            idle_seconds=0.1,
            clock=later,
        )
        service = TelegramService(channel, settings_for(server), delivery)
        task = asyncio.create_task(service.run())
        try:
            await _ready(server, service, task)
            server.read_code = lambda address: mailed_code(store, address)
            ana = Person(server.private_chat(1001, "Ana"))
            await ana.register()
            reminders = scheduler(
                store, static, later, wake=delivery.wake, cycle_of=lambda _: cycle
            )
            before = len(ana.chat.bot_messages())
            assert await reminders.run_once() == 1
            for _ in range(400):
                if len(ana.chat.bot_messages()) > before:
                    break
                await asyncio.sleep(0.05)
            [message] = ana.chat.bot_messages()[before:]
            assert "Hola, Ana Pérez." in message["text"]
            assert list(ana.buttons()) == [
                "Continuar el diagnóstico",
                "No recibir más recordatorios",
            ]

            await ana.press("No recibir más recordatorios")
            assert "no le enviaré más recordatorios" in ana.text
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    later.working_days_later(20)
    assert await reminders.run_once() == 0
    [notice] = await reminders_to(store, "1001")
    async with store.transaction() as tx:
        found = await tx.outbox_item(notice.notice_id)
    assert found is not None and found[1] == "sent"
