"""Edited messages are not read again, and the person is told so plainly: once, not once per
edit, and again only after a while."""

from __future__ import annotations

from tests.channels.telegram.botapi_server import BotApiServer
from tests.channels.telegram.conftest import Person, running


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def own_last(person: Person) -> int:
    """The id of the person's latest message in the chat."""
    messages = person.chat.chat.messages
    return max(m for m, v in messages.items() if v["from"]["id"] == person.chat.user["id"])


async def test_edits_are_not_read_and_the_person_is_told_once_in_a_while(
    server: BotApiServer, engine, texts
) -> None:
    clock = Clock()
    options = {"clock": clock, "edit_notice_seconds": 600.0}
    notice = texts.render("telegram.edit_not_read")
    async with running(server, engine, texts, channel_options=options):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.register()
        await ana.say("a")
        answered = own_last(ana)
        assert "Pregunta 2 de 103" in ana.text

        # Ten corrections of the answer: one notice, and the answer is not read again.
        await ana._act(lambda: ana.chat.edit(answered, "b"))
        assert ana.text == notice
        for letter in "cdefghijk":
            await ana._act(lambda letter=letter: ana.chat.edit(answered, letter))
            assert ana.new == []
        # Another person's edit gets its own notice.
        luis = Person(server.private_chat(1002, "Luis"))
        await luis.say("hola")
        await luis._act(lambda: luis.chat.edit(own_last(luis), "buenas"))
        assert luis.text == notice

        # Ten minutes later, an edit is answered again.
        clock.now += 601
        await ana._act(lambda: ana.chat.edit(answered, "c"))
        assert ana.text == notice
        # A new message is read as usual.
        await ana.say("atrás")
        assert "Pregunta 1 de 103" in ana.text and "Respuesta actual" in ana.text
    assert "edited_message" in server.allowed_updates
