"""Buttons and commands through the engine: a press nothing acts on is answered with one notice
and changes nothing; a command is never read as registration data."""

from __future__ import annotations

import pytest

from bot.contract import OutgoingMessage
from tests.conversation.chat import Chat

NOTICE = "Esa opción ya no está activa."


async def stored_state(store, chat: Chat) -> dict | None:
    async with store.transaction() as tx:
        record = await tx.find_conversation(chat.key)
    return record.state if record else None


def ignored(replies: list[OutgoingMessage]) -> bool:
    """Exactly one reply, the notice, marked so the channel leaves the button's message alone."""
    return len(replies) == 1 and replies[0].option_ignored and replies[0].text == NOTICE


async def test_a_question_pressed_during_the_review_is_ignored(engine, store):
    ana = Chat(engine, "review-press")
    await ana.register()
    question_buttons = [o for o in ana.options if o.value.startswith("ans:")]
    await ana.send("revisar")
    assert "Enviar diagnóstico" in [o.label for o in ana.options]
    before = await stored_state(store, ana)
    replies = await ana.send(option=question_buttons[0].value)
    assert ignored(replies), replies
    assert await stored_state(store, ana) == before
    async with store.transaction() as tx:
        assert await tx.answers(before["assessment_id"]) == {}


@pytest.mark.parametrize(
    "stale",
    [
        "consent:yes",  # the consent notice's «Acepto», after registering
        "kind:alcaldia",  # a registration button
        "yes",  # a confirmation no longer asked
        "ans:NO-SUCH-QUESTION:0",  # a question the questionnaire no longer has
    ],
)
async def test_old_buttons_after_registration_are_ignored(engine, store, stale):
    ana = Chat(engine, f"old-{stale}")
    await ana.register()
    await ana.send("menú")
    menu = {o.label: o.value for o in ana.options}
    before = await stored_state(store, ana)
    assert ignored(await ana.send(option=stale))
    assert await stored_state(store, ana) == before
    await ana.send(option=menu["Continuar diagnóstico"])  # the menu still works as it was
    assert ana.question_id() is not None


async def test_a_button_that_acts_is_not_marked_ignored(engine):
    ana = Chat(engine, "acts")
    await ana.register()
    replies = await ana.send(
        option=next(o for o in ana.options if o.value.startswith("ans:")).value
    )
    assert replies and not any(r.option_ignored for r in replies)
    assert "Guardado" in ana.text or "Pregunta 2" in ana.text


async def register_until(chat: Chat, step: str) -> None:
    """Consent, then registration up to `step` (the prompt it waits at)."""
    await chat.send("hola")
    await chat.press("Acepto")
    if step == "kind":
        return
    await chat.send("alcaldía")
    await chat.send("Pasto")
    await chat.send("sí")
    if step == "name":
        return
    await chat.send("Ana Pérez")
    await chat.send("Jefe de Planeación")
    assert step == "email"


@pytest.mark.parametrize("step", ["kind", "name", "email"])
async def test_erasing_during_registration_erases(engine, store, step):
    ana = Chat(engine, f"erase-{step}")
    await register_until(ana, step)
    consent_id = (await stored_state(store, ana))["consent_id"]
    await ana.send("/borrar")
    await ana.press("Sí, borrar mis datos")
    assert "borrados" in ana.text.lower() or "eliminad" in ana.text.lower(), ana.text
    assert await stored_state(store, ana) is None
    async with store.transaction() as tx:
        consent = await tx.consent(consent_id)
    assert consent is not None and consent.revoked_at is not None


async def test_keeping_the_data_during_registration_goes_on_registering(engine, store):
    ana = Chat(engine, "keep-reg")
    await register_until(ana, "name")
    await ana.send("/borrar")
    await ana.press("No")
    assert "nombre" in ana.text.lower()
    await ana.send("Ana Pérez")
    assert (await stored_state(store, ana))["reg"]["name"] == "Ana Pérez"


@pytest.mark.parametrize("command", ["/resultados", "/asesoria", "/estado", "/diagnostico"])
@pytest.mark.parametrize("step", ["name", "email"])
async def test_a_command_during_registration_is_not_data(engine, store, command, step):
    ana = Chat(engine, f"cmd-{command}-{step}")
    await register_until(ana, step)
    await ana.send(command)
    reg = (await stored_state(store, ana))["reg"]
    assert reg["step"] == step and reg["name"] == (None if step == "name" else "Ana Pérez")
    assert reg["email"] is None
    assert "no parece" not in ana.text.lower()
    # Registration asks again for what it was waiting for.
    assert ("nombre" if step == "name" else "correo") in ana.last[-1].text.lower()


@pytest.mark.parametrize(
    ("command", "shown"),
    [("/resultados", "resultados"), ("/estado", "solicitudes")],
)
async def test_a_command_while_describing_a_request_is_not_its_description(
    engine, store, command, shown
):
    ana = Chat(engine, f"ticket-{command}")
    await ana.register()
    await ana.send("necesitamos acompañamiento para formular la estrategia")
    assert "Describa en pocas líneas" in ana.text
    await ana.send(command)
    assert shown in ana.text, ana.text
    assert "Describa en pocas líneas" in ana.last[-1].text  # the draft waits, asked again last
    await ana.send("Queremos apoyo para formular la estrategia y su hoja de ruta este año.")
    assert "Describa en pocas líneas" not in ana.text
    async with store.transaction() as tx:
        record = await tx.find_conversation(ana.key)
    assert record is not None and record.state["flow"] == "ticket"
