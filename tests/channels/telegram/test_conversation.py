"""Whole conversations through the Telegram channel: local Bot API server <-> python-telegram-bot
<-> engine, over real HTTP on loopback."""

from __future__ import annotations

import re

from bot.config import PROJECT_ROOT
from bot.contract import ConversationKey
from channels.telegram import COMMANDS
from nlu.rules import command_intent
from tests.channels.telegram.botapi_server import BotApiServer, buttons
from tests.channels.telegram.conftest import Person, running
from tests.channels.telegram.helpers import answer_all, stored_answers


async def test_whole_questionnaire_by_buttons(server: BotApiServer, any_engine, texts) -> None:
    async with running(server, any_engine, texts):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.register()
        assert "Pregunta 1 de 103" in ana.text
        assert await answer_all(ana, "buttons") == 103
        assert "Revisión del diagnóstico (103 de 103" in ana.text
        await ana.press("Enviar diagnóstico")
        await ana.press("Sí, enviar")
        assert "Diagnóstico enviado" in ana.text

    assert len(await stored_answers(any_engine, 1001)) == 103
    assert server.unanswered_callbacks() == []
    # (A long poll cut short by the stop ends in 409 when the final confirmation arrives.)
    assert [c for c in server.calls if not c.ok and c.method.lower() != "getupdates"] == []


async def test_whole_questionnaire_by_text(server: BotApiServer, engine, texts) -> None:
    async with running(server, engine, texts):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.say("hola")
        await ana.say("acepto")
        await ana.say("alcaldía")
        await ana.say("Pasto")
        await ana.say("sí")
        await ana.say("Ana Pérez")
        await ana.say("Jefe de Planeación")
        await ana.say("ana@pasto.gov.co")
        await ana.say("sí")
        assert "le enviamos un código de 6 dígitos" in ana.text
        await ana.say(f"mi código es {await server.read_code('ana@pasto.gov.co')}")
        assert await answer_all(ana, "text") == 103
        await ana.say("enviar")
        await ana.say("sí")
        assert "Diagnóstico enviado" in ana.text
    assert len(await stored_answers(engine, 1001)) == 103
    assert server.calls_of("answerCallbackQuery") == []


async def test_commands_menu_is_registered_in_spanish(server: BotApiServer, engine, texts) -> None:
    async with running(server, engine, texts):
        pass
    menu = server.commands["default/"]
    assert [c["command"] for c in menu] == list(COMMANDS)
    for command in menu:
        assert command_intent(f"/{command['command']}") is not None, command  # the engine knows it
        assert command["description"] == texts.render(f"telegram.command.{command['command']}")


async def test_descriptions_are_set_in_spanish(server: BotApiServer, engine, texts) -> None:
    async with running(server, engine, texts):
        pass
    description = texts.render("telegram.description").strip()
    short = texts.render("telegram.short_description").strip()
    assert server.descriptions == {"": description}
    assert server.short_descriptions == {"": short}
    assert "autodiagnóstico" in description.lower() and "MinTIC" in short


README_COMMAND = re.compile(r"^\s*\| `/([a-z_]+)` \| (.+?) \|\s*$")


def readme_commands() -> list[tuple[str, str]]:
    """The command table of the README's «Telegram» section, in its order."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Telegram\n", 1)[1].split("\n## ", 1)[0]
    found = [README_COMMAND.match(line) for line in section.splitlines()]
    return [(m.group(1), m.group(2)) for m in found if m is not None]


async def test_the_readme_lists_the_registered_commands(
    server: BotApiServer, engine, texts
) -> None:
    async with running(server, engine, texts):
        pass
    registered = [(c["command"], c["description"]) for c in server.commands["default/"]]
    assert len(registered) == 10
    assert readme_commands() == registered


async def test_commands_reach_the_engine(server: BotApiServer, engine, texts) -> None:
    async with running(server, engine, texts):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.say("/start")
        assert "Bienvenido" in ana.text
        await ana.register()
        await ana.say("/cancelar")
        assert "Pregunta" not in ana.text
        await ana.say("/continuar@cti_prueba_bot")
        assert "Pregunta 1 de 103" in ana.text
        await ana.say("/ayuda")
        assert "Esto es lo que puedo hacer por usted" in ana.text
        await ana.say("/privacidad")
        assert "Ver mis datos" in ana.buttons()


async def test_report_as_document_and_radar_as_photo(server: BotApiServer, engine, texts) -> None:
    async with running(server, engine, texts):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.register()
        await answer_all(ana, "buttons", limit=3)
        await ana.say("/resultados")
    photos = [m for m in ana.new if "photo" in m]
    documents = [m for m in ana.new if "document" in m]
    assert len(photos) == 1 and len(documents) == 1
    photo = server.uploads[photos[0]["photo"][0]["file_id"]]
    assert photo.data.startswith(b"\x89PNG")
    report = server.uploads[documents[0]["document"]["file_id"]]
    assert report.filename.endswith(".html")
    assert "Alcaldía de Pasto" in report.data.decode("utf-8")
    assert "Puntaje general" in ana.text


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


async def test_other_content_gets_a_hint_not_an_error(server: BotApiServer, engine, texts) -> None:
    async with running(server, engine, texts):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana._act(lambda: ana.chat.send_content(sticker=STICKER))
        assert ana.text == texts.render("telegram.text_only")
        # An update the library cannot read is skipped, and the next one is served.
        await ana._act(lambda: ana.chat.send_content(sticker={"file_id": "x"}))
        assert ana.new == []
        await ana.say("hola")
        assert "Bienvenido" in ana.text


async def test_a_group_is_told_once_and_left(server: BotApiServer, engine, texts) -> None:
    async with running(server, engine, texts):
        ana = server.private_chat(1001, "Ana")
        group = server.group_chat(-100200, "Equipo TIC Pasto", added_by=ana)
        assert group.joined is not None
        await server.processed(group.joined)
        notices = server.sent(group.id)
        assert len(notices) == 1
        assert "solo en chat privado" in notices[0].params["text"]
        assert "t.me/cti_prueba_bot" in notices[0].params["text"]
        assert [c.params["chat_id"] for c in server.calls_of("leaveChat")] == [str(group.id)]
        assert not group.chat.bot_is_member
        # A message that was already on its way from the group changes nothing.
        await server.processed(group.send("/start"))
        assert len(server.sent(group.id)) == 1
    # Nothing about the group reached the database: no conversation, no consent.
    async with engine.store.transaction() as tx:
        assert await tx.find_conversation(ConversationKey("telegram", str(group.id))) is None


def test_buttons_helper_reads_inline_keyboards() -> None:
    message = {"reply_markup": {"inline_keyboard": [[{"text": "Sí", "callback_data": "yes"}]]}}
    assert buttons(message) == {"Sí": "yes"}
    assert buttons({}) == {}
