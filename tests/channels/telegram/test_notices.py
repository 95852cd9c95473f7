"""Notices from the outbox (a MinTIC reply, a reminder) delivered to Telegram chats by the
running service: sent once, kept through an outage, dropped for a chat that blocked the bot."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.contract import ConversationKey, Notice, Option, OutgoingMessage
from bot.storage.outbox import StoreOutbox
from channels.outbox import RetryPolicy
from channels.telegram import TelegramChannel, TelegramService
from channels.telegram.notices import NoticeDelivery
from tests.channels.telegram.conftest import _ready, settings_for


def notice(chat: int, text: str, n: int) -> Notice:
    key = ConversationKey("telegram", str(chat))
    reply = OutgoingMessage(key, text, (Option("continue", "Continuar"),))
    return Notice(key, (reply,), f"<aviso-{n}@cti>", kind="reminder")


async def statuses(store) -> dict[str, int]:
    async with store.transaction() as tx:
        return dict(await tx.outbox_counts())


async def test_notices_reach_the_chat_once(server, engine, texts):
    store = engine.store
    async with store.transaction() as tx:
        await tx.enqueue(
            notice(1001, "Tiene respuesta de MinTIC a su solicitud CTI-2026-00001", 1),
            datetime.now(UTC),
        )
        await tx.enqueue(notice(1002, "Recordatorio", 2), datetime.now(UTC))
    server.private_chat(1001, "Ana")
    server.private_chat(1002, "Luis").chat.blocked = True  # 403: final, not retried
    channel = TelegramChannel(engine, texts.render, backoff=0.05)
    delivery = NoticeDelivery(
        StoreOutbox(store, timedelta(minutes=5), "telegram"),
        channel,
        RetryPolicy(max_attempts=3, backoff_seconds=0.1),
        idle_seconds=0.1,
    )
    service = TelegramService(channel, settings_for(server), delivery)
    task = asyncio.create_task(service.run())
    try:
        await _ready(server, service, task)
        for _ in range(200):
            if (await statuses(store)).get("pending", 0) == 0:
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    [sent] = [c for c in server.calls_of("sendMessage") if c.chat_id == 1001]
    assert "CTI-2026-00001" in str(sent.params)
    assert "Continuar" in str(sent.params)
    assert [c.status for c in server.calls_of("sendMessage") if c.chat_id == 1002] == [403]
    assert await statuses(store) == {"sent": 1, "failed": 1}
