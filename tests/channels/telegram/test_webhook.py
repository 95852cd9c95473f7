"""Webhook mode: Telegram (the local server) POSTs updates to our receiver with the secret token;
anything without the right secret is refused before it reaches the engine."""

from __future__ import annotations

import time

import aiohttp

from tests.channels.telegram.botapi_server import BotApiServer
from tests.channels.telegram.conftest import Person, running, webhook_settings
from tests.channels.telegram.helpers import answer_all


async def test_a_conversation_over_the_webhook(server: BotApiServer, any_engine, texts) -> None:
    hook = webhook_settings()
    async with running(server, any_engine, texts, mode="webhook", webhook=hook):
        assert server.webhook is not None
        assert server.webhook.url == hook.url and server.webhook.secret == hook.secret
        assert not server.calls_of("getUpdates")
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.register()
        assert await answer_all(ana, "buttons", limit=4) == 4
        assert "Pregunta 5 de 103" in ana.text
    assert server.deliveries and all(d.status == 200 for d in server.deliveries)
    # Stopping does not delete the webhook: Telegram keeps the updates for the next start.
    assert not server.calls_of("deleteWebhook")


def update(update_id: int, chat_id: int, text: str) -> dict[str, object]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Eve"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Eve"},
            "from": user,
            "text": text,
        },
    }


async def test_a_wrong_secret_is_refused(server: BotApiServer, engine, texts) -> None:
    hook = webhook_settings(secret="the-right-one")
    server.private_chat(6666, "Eve")
    right = {"X-Telegram-Bot-Api-Secret-Token": "the-right-one"}
    wrong = [
        {},
        {"X-Telegram-Bot-Api-Secret-Token": "the-wrong-one"},
        {"X-Telegram-Bot-Api-Secret-Token": "the-right-on"},
        {"X-Telegram-Bot-Api-Secret-Token": "THE-RIGHT-ONE"},
    ]
    async with (
        running(server, engine, texts, mode="webhook", webhook=hook),
        aiohttp.ClientSession() as client,
    ):
        statuses = []
        for headers in wrong:
            async with client.post(hook.url, json=update(1, 6666, "hola"), headers=headers) as r:
                statuses.append(r.status)
        assert statuses == [403, 403, 403, 403]
        assert server.sent(6666) == []
        # The same request with the right secret is handled (and answered before the 200).
        async with client.post(hook.url, json=update(2, 6666, "hola"), headers=right) as r:
            assert r.status == 200
        assert len(server.sent(6666)) == 1
        # Not JSON at all: refused, nothing sent.
        async with client.post(hook.url, data=b"{", headers=right) as r:
            assert r.status == 400
    assert len(server.sent(6666)) == 1
