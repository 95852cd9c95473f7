"""Pressed buttons: marked as chosen only when the engine acted on them, answered with the
engine's notice when it did not (a stale button), and answered at once even while the chat's
earlier replies still wait for their turn (one message a second per chat)."""

from __future__ import annotations

import asyncio

from bot.contract import IncomingMessage, Option, OutgoingMessage
from channels.telegram.pacing import ChatPacer
from tests.channels.telegram.botapi_server import BotApiServer
from tests.channels.telegram.conftest import Person, running
from tests.channels.telegram.helpers import CHOSEN, answer_all

STALE = "Esa pregunta ya no está activa"


class OneQuestion:
    """An engine with one open question at a time (a real `bot.contract.MessageHandler`): a
    press on the question asked last is acted on; a press on an older one is not."""

    def __init__(self) -> None:
        self.asked = 0
        self.read: list[IncomingMessage] = []

    async def handle(self, message: IncomingMessage) -> list[OutgoingMessage]:
        self.read.append(message)
        key = message.key
        if message.option is None:
            self.asked += 1
            options = (Option(f"yes:{self.asked}", "Sí"), Option(f"no:{self.asked}", "No"))
            return [OutgoingMessage(key, f"Pregunta {self.asked}: ¿Continuar?", options)]
        answer, _, number = message.option.partition(":")
        if int(number) != self.asked:
            return [OutgoingMessage(key, STALE, option_ignored=True)]
        return [OutgoingMessage(key, f"Guardado: {answer}")]


async def test_a_stale_press_is_answered_with_the_notice_and_left_as_it_was(
    server: BotApiServer, texts
) -> None:
    engine = OneQuestion()
    async with running(server, engine, texts):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.say("hola")
        first, keys_1 = ana.chat.last_keyboard()
        await ana.say("hola")
        second, keys_2 = ana.chat.last_keyboard()
        before = dict(ana.chat.chat.messages[first])

        # The older question's button: not acted on.
        start = len(server.calls)
        await ana._act(lambda: ana.chat.press(first, keys_1["Sí"]))
        assert ana.new == []  # nothing sent to the chat
        assert ana.chat.chat.messages[first] == before  # not edited, buttons kept
        made = [c.method for c in server.calls[start:] if c.method.lower() != "getupdates"]
        assert made == ["answerCallbackQuery"]
        [query] = [q for q in server.callbacks.values() if q["message_id"] == first]
        assert query["answered"] and query["text"] == STALE

        # The question asked last: acted on, marked as chosen, its buttons gone.
        await ana._act(lambda: ana.chat.press(second, keys_2["No"]))
        assert ana.text == "Guardado: no"
        question = ana.chat.chat.messages[second]
        assert f"{CHOSEN} No" in question["text"] and "reply_markup" not in question
        [query] = [q for q in server.callbacks.values() if q["message_id"] == second]
        assert query["answered"] and query["text"] is None
    assert server.unanswered_callbacks() == []
    assert [m.option for m in engine.read] == [None, None, "yes:1", "no:2"]


async def test_a_press_is_answered_at_once_while_replies_wait_their_turn(
    server: BotApiServer, engine, texts
) -> None:
    """After /resultados three messages leave one a second; a button pressed meanwhile is
    answered (its spinner stopped) well within that second, not after them."""
    async with running(server, engine, texts) as service:
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.register()
        await answer_all(ana, "buttons", limit=3)
        service.channel.pacer = ChatPacer(1.0)  # Telegram's pace per chat from here on
        start = len(server.calls)
        results = ana.chat.send("/resultados")
        for _ in range(200):  # until the first of the results is out
            if server.sent(1001, since=start):
                break
            await asyncio.sleep(0.02)
        message_id, keys = ana.chat.last_keyboard()
        pressed = ana.chat.press(message_id, next(iter(keys.values())))
        await server.processed(results)
        await server.processed(pressed)
    [query] = [q for q in server.callbacks.values() if q["message_id"] == message_id]
    waited = query["answered_at"] - query["at"]
    report = next(c for c in server.sent(1001, since=start) if c.method == "sendDocument")
    assert report.at > query["answered_at"]  # the chat's replies were still waiting
    assert waited < 0.5, waited  # well under the one-second pace
