"""Hostile updates through the Telegram channel (local Bot API server <-> python-telegram-bot <->
engine over HTTP): edited messages, stickers and other content, a shared phone contact, forged
button data, and hostile text; the bot answers each sensibly or not at all, never with an error,
stores nothing it was not asked to store, and keeps serving."""

from __future__ import annotations

import copy
import time

from bot.app import build_deps
from bot.config import load_config
from tests.channels.telegram.botapi_server import BotApiServer
from tests.channels.telegram.conftest import Person, running
from tests.storage.helpers import dump_tables

PHONE = "+573001234567"
STICKER = {
    "file_id": "CAACAgIAAxkBAAE",
    "file_unique_id": "AgADxyz",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
    "emoji": "👍",
}
FORGED = [
    "ans:NOPE:0",
    "ans:PER-EDU-01:99",
    "dk:",
    "skip:x:y",
    "ent:99999",
    "fix:entity",
    "privacy:nada",
    "intent:no_existe",
    "consent:yes",
    "x" * 64,
    "🙂" * 16,
]


def forged_press(person: Person, data: str) -> int:
    """A callback query with data the bot never offered, under its latest message."""
    server = person.server
    message = person.chat.bot_messages()[-1]
    query_id = server.new_callback(person.chat.id, message["message_id"])
    return server.enqueue(
        {
            "callback_query": {
                "id": query_id,
                "from": person.chat.user,
                "chat_instance": "1",
                "message": copy.deepcopy(message),
                "data": data,
            }
        }
    )


async def test_hostile_updates_get_no_error_and_store_nothing(
    server: BotApiServer, any_engine, texts, static
) -> None:
    catalog = build_deps(load_config(env={}), static).catalog
    error_texts = {catalog.render("error.internal"), catalog.render("error.storage")}
    async with running(server, any_engine, texts):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.register()
        assert "Pregunta 1 de" in ana.text

        # An edit of an earlier message is not a new message: it is not read (the person is
        # told so), nothing changes.
        first = ana.chat.chat.messages[min(ana.chat.chat.messages)]
        edited = dict(copy.deepcopy(first), text="borrar mis datos", edit_date=int(time.time()))
        await ana._act(lambda: server.enqueue({"edited_message": edited}))
        assert ana.text == texts.render("telegram.edit_not_read")

        for content in (
            {"sticker": STICKER},
            {"contact": {"phone_number": PHONE, "first_name": "Ana", "user_id": 1001}},
            {"location": {"latitude": 1.2136, "longitude": -77.2811}},
            {"voice": {"file_id": "v1", "file_unique_id": "u1", "duration": 3}},
        ):
            await ana._act(lambda content=content: ana.chat.send_content(**content))
            assert ana.text == texts.render("telegram.text_only"), content

        for data in FORGED:
            await ana._act(lambda data=data: forged_press(ana, data))
            assert not error_texts & {m.get("text") for m in ana.new}, data
        assert server.unanswered_callbacks() == []  # every spinner was stopped

        for text in ("<b>hola</b> {{ 1234*567 }}", "\u202e" * 50, "a" * 4096, f"tel {PHONE}"):
            await ana.say(text)
            assert ana.new and not error_texts & {m.get("text") for m in ana.new}
            assert not any("699678" in (m.get("text") or "") for m in ana.new)

        await ana.say("repetir")
        assert "Pregunta" in ana.text  # still at the questionnaire, still served

    tables = await dump_tables(any_engine.store)
    assert PHONE not in str(tables) and PHONE[3:] not in str(tables)
    assert len(tables["contacts"]) == 1 and tables["answers"] == []
