"""Telegram's limits and failures: flood control (429), dropped connections, the same update
delivered twice, a restart in the middle of a questionnaire, texts over 4,096 units."""

from __future__ import annotations

import asyncio
import itertools

from bot.contract import Attachment, ConversationKey, Option, OutgoingMessage
from channels.telegram.render import utf16_len
from tests.channels.telegram.botapi_server import BotApiServer
from tests.channels.telegram.conftest import Person, make_engine, running
from tests.channels.telegram.helpers import stored_answers


async def test_flood_control_is_waited_out(server: BotApiServer, engine, texts) -> None:
    async with running(server, engine, texts):
        server.fail_next(3, retry_after=1, methods=["sendMessage"])
        start = len(server.calls)
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.say("hola")
    assert "Bienvenido" in ana.text and len(ana.new) == 1
    sends = server.calls_of("sendMessage", since=start)
    assert [c.status for c in sends] == [429, 429, 429, 200]
    # Each retry came only after the `retry_after` Telegram asked for.
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(sends)]
    assert all(gap >= 1.0 for gap in gaps), gaps


async def test_a_burst_over_the_limit_loses_and_repeats_nothing(
    server: BotApiServer, any_engine, texts
) -> None:
    """Forty people write at once; Telegram accepts ten messages a second and answers 429
    to the rest. Everyone gets exactly one answer."""
    server.rate_limit(10)
    async with running(server, any_engine, texts, rate_limit_retries=10):
        people = [Person(server.private_chat(2000 + i, f"P{i}")) for i in range(40)]
        update_ids = [p.chat.send("hola") for p in people]
        await asyncio.gather(*(server.processed(u) for u in update_ids))
    assert server.calls_of("sendMessage") and any(
        c.status == 429 for c in server.calls_of("sendMessage")
    )
    for person in people:
        welcome = [m for m in person.chat.bot_messages() if "Bienvenido" in m["text"]]
        assert len(welcome) == 1, person.chat.id


async def test_our_own_pace_keeps_under_the_limit(server: BotApiServer, engine, texts) -> None:
    """With the rate limiter at its default pace nobody is refused by a server that allows
    more than that pace: the limiter, not Telegram, does the waiting."""
    server.rate_limit(40)
    async with running(server, engine, texts, messages_per_second=15):
        people = [Person(server.private_chat(3000 + i, f"P{i}")) for i in range(30)]
        update_ids = [p.chat.send("hola") for p in people]
        await asyncio.gather(*(server.processed(u) for u in update_ids))
    sends = server.calls_of("sendMessage")
    assert len(sends) == 30 and all(c.ok for c in sends)
    # 30 messages at 15/s with a 15-message burst: the last is sent a second or more after the
    # first (a lower bound: a slow machine only makes it longer).
    assert sends[-1].at - sends[0].at >= 0.9


async def test_dropped_connections_are_retried(server: BotApiServer, engine, texts) -> None:
    async with running(server, engine, texts):
        server.drop_next(2, methods=["sendMessage"])
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.say("hola")
    assert "Bienvenido" in ana.text and len(ana.new) == 1
    assert [c.status for c in server.calls_of("sendMessage")] == [0, 0, 200]


async def test_a_repeated_update_is_handled_once(server: BotApiServer, engine, texts) -> None:
    async with running(server, engine, texts):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.register()
        question_1 = ana.text
        # Telegram offers a typed answer again (it never saw our confirmation).
        answered = ana.chat.send("a")
        await server.processed(answered)
        sent = len(server.sent(1001))
        server.redeliver(answered)
        await server.processed(answered)
        assert len(server.sent(1001)) == sent
        assert "Pregunta 2 de 103" in server.sent(1001)[-1].params["text"]
        await ana.say("50")
        # And a pressed button.
        await ana.press("a)")
        assert "Pregunta 4 de 103" in ana.text
        pressed = max(server._history)
        sent = len(server.sent(1001))
        server.redeliver(pressed)
        await server.processed(pressed)
        assert len(server.sent(1001)) == sent
        await ana.say("atrás")
        assert "Pregunta 3 de 103" in ana.text
    assert "Pregunta 1 de 103" in question_1
    answers = await stored_answers(engine, 1001)
    assert sorted(answers) == ["PER-EDU-01", "PER-EDU-02", "PER-EDU-03"]


async def test_restart_in_the_middle_loses_nothing(
    server: BotApiServer, database_url, static, texts
) -> None:
    """Stop the service (and the engine) mid-questionnaire, let the person keep pressing while
    it is down, start a new Application and a new engine on the same database."""
    engine, store = await make_engine(database_url, static)
    async with running(server, engine, texts):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.register()
        await ana.press("a)")
        await ana.say("50")
        assert "Pregunta 3 de 103" in ana.text
    await store.close()

    # While the assistant is down: a button of the question on screen, then a typed answer.
    message_id, keys = ana.chat.last_keyboard()
    while_down = [
        ana.chat.press(message_id, next(v for k, v in keys.items() if k.startswith("b)"))),
        ana.chat.send("42"),
    ]
    engine, store = await make_engine(database_url, static)
    try:
        async with running(server, engine, texts):
            for update_id in while_down:
                await server.processed(update_id)
            texts_after = [m["text"] for m in ana.chat.bot_messages()[-2:]]
            assert "Pregunta 4 de 103" in texts_after[0]
            assert "Pregunta 5 de 103" in texts_after[1]
            await ana.say("atrás")
            assert "Pregunta 4 de 103" in ana.text and "Respuesta actual" in ana.text
    finally:
        await store.close()


async def test_long_texts_are_split_and_keep_their_buttons_last(
    server: BotApiServer, engine, texts
) -> None:
    key = ConversationKey("telegram", "1001")
    server.private_chat(1001, "Ana")
    paragraph = ("Dimensión Gobernanza: " + "puntaje y cobertura 😀 " * 60).strip()
    text = "\n\n".join([paragraph] * 12)
    assert utf16_len(text) > 3 * 4096
    reply = OutgoingMessage(key, text, (Option("yes", "Sí"), Option("no", "No")))
    async with running(server, engine, texts) as service:
        assert service.application is not None
        await service.channel.send(service.application.bot, [reply])
    sent = [c.params for c in server.sent(1001)]
    # Three paragraphs do not fit in 4,096 units, two do: six messages, cut between them.
    assert [p["text"].split("\n\n") for p in sent] == [[paragraph] * 2] * 6
    assert all(utf16_len(p["text"]) <= 4096 for p in sent)
    assert [("reply_markup" in p) for p in sent] == [False] * 5 + [True]
    assert "".join(p["text"] for p in sent).replace("\n", "") == text.replace("\n", "")


async def test_an_image_telegram_refuses_goes_as_a_document(
    server: BotApiServer, engine, texts
) -> None:
    key = ConversationKey("telegram", "1001")
    server.private_chat(1001, "Ana")
    broken = Attachment("radar.png", "image/png", b"not really a png")
    async with running(server, engine, texts) as service:
        assert service.application is not None
        await service.channel.send(
            service.application.bot, [OutgoingMessage(key, "Adjunto", attachments=(broken,))]
        )
    assert [c.method for c in server.calls_of("sendPhoto")] == ["sendPhoto"]
    assert not server.calls_of("sendPhoto")[0].ok
    documents = server.calls_of("sendDocument")
    assert len(documents) == 1 and documents[0].ok
    assert documents[0].files["document"].data == broken.data


async def test_a_user_who_blocked_the_bot_does_not_stop_it(
    server: BotApiServer, engine, texts
) -> None:
    async with running(server, engine, texts):
        blocked = server.private_chat(1002, "Bea")
        blocked.chat.blocked = True
        await server.processed(blocked.send("hola"))
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.say("hola")
        assert "Bienvenido" in ana.text
    assert [c.status for c in server.calls_of("sendMessage") if c.chat_id == 1002] == [403]


async def test_one_chat_in_order_many_chats_side_by_side(
    server: BotApiServer, any_engine, texts
) -> None:
    """Several messages of one person arrive in the same getUpdates answer, among other
    people's: each chat's messages are handled in the order they were written."""
    async with running(server, any_engine, texts):
        people = [server.private_chat(4000 + i, f"P{i}") for i in range(5)]
        lines = ["hola", "acepto", "alcaldía", "Pasto"]
        last = [[p.send(line) for line in lines][-1] for p in people]
        await asyncio.gather(*(server.processed(u) for u in last))
    for person in people:
        said = [m["text"] for m in person.bot_messages()]
        assert len(said) == 4
        assert "¿Su entidad es la Alcaldía de Pasto (Nariño)?" in said[-1]
