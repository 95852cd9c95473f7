"""Long messages through the engine: the request wins over the salutation, see / download /
correct / erase my data are four things, and a follow-up on a request shows its status."""

from __future__ import annotations

from tests.conversation.chat import Chat


async def test_see_download_correct_my_data_in_long_messages(engine) -> None:
    chat = Chat(engine, "whole-data")
    await chat.register(name="Ana Pérez", email="ana@pasto.gov.co")
    await chat.send("buenos dias, no quiero borrar mis datos, solo verlos")
    assert "Nombre: Ana Pérez" in chat.text
    assert "¿Confirma" not in chat.text  # no erasure confirmation
    await chat.send("buenas tardes, necesito una copia en un archivo de mis datos personales")
    assert any(reply.attachments for reply in chat.last)
    await chat.send("hola, escribi mal mi nombre al registrarme y quiero corregirlo")
    assert "¿Qué dato desea corregir?" in chat.text


async def test_a_follow_up_on_advice_shows_the_status_instead_of_a_new_request(engine) -> None:
    chat = Chat(engine, "whole-status")
    await chat.register(name="Ana Pérez", email="ana@pasto.gov.co")
    await chat.send("todavia no nos llama nadie de mintic por lo de la asesoria")
    assert "no tiene solicitudes de acompañamiento registradas" in chat.text


async def test_a_salutation_and_introduction_do_not_hide_the_deadline_question(engine) -> None:
    chat = Chat(engine, "whole-deadline")
    await chat.register(name="Ana Pérez", email="ana@pasto.gov.co")
    await chat.send(
        "buenas tardes le habla la secretaria de planeacion de pasto queria saber hasta "
        "cuando tenemos plaso para el diagnostico"
    )
    assert "¡Hola!" not in chat.text and "Resolución 01117" in chat.text
    assert chat.question_id is not None  # back to the open question afterwards
