"""Habeas Data through the engine: correcting one's data and getting a copy of it as a file."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.contract import IncomingMessage, OutboundEmail
from bot.conversation.codes import CODES_PER_HOUR
from bot.conversation.engine import Engine
from bot.conversation.flows.privacy import EXPORT_FILENAME, EXPORT_MIME
from tests.conversation.chat import Chat
from tests.storage.helpers import dump_tables

NEW = "ana.perez@pasto.gov.co"


@pytest.fixture
def mailing(engine, store) -> Engine:
    """The engine with the email channel on: codes can travel."""
    return Engine(store, replace(engine.deps, mail_enabled=True), engine.interpreter)


async def code_mails(store, address: str) -> list[OutboundEmail]:
    async with store.transaction() as tx:
        items = await tx.outbox_for(address)
    return [i for i in items if isinstance(i, OutboundEmail) and i.kind == "email-code"]


async def mailed_code(store, address: str = NEW) -> str:
    mails = await code_mails(store, address)
    assert mails, f"no code was mailed to {address}"
    found = re.search(r"^\s*(\d{6})\s*$", mails[-1].text, re.MULTILINE)
    assert found is not None
    return found.group(1)


async def ask_for_new_email(chat: Chat) -> None:
    await chat.register(name="Ana Pérez", email="ana@pasto.gov.co")
    await chat.send("cambiar mi correo")
    await chat.send(NEW)
    assert f"¿Guardamos {NEW} como su correo?" in chat.text
    await chat.press("Sí, guardar")
    assert "le enviamos a esa dirección un código de 6 dígitos" in chat.text


async def emails(store) -> list[str]:
    return [c.email for c in await contact_named(store, "Ana Pérez")]


async def contact_named(store, name: str):
    async with store.transaction() as tx:
        return [c for c in await tx.contacts_of_entity("52001") if c.name == name]


async def test_rectify_name_validates_confirms_and_forgets_the_old_value(engine, store):
    chat = Chat(engine, "fix-name")
    await chat.register(name="Carla Ruis", email="carla@pasto.gov.co")
    await chat.send("corregir mis datos")
    assert "¿Qué dato desea corregir?" in chat.text and "Carla Ruis" in chat.text
    await chat.press("Nombre")
    assert "«Carla Ruis»" in chat.text
    await chat.send("C4rla 123")
    assert "no parece válido" in chat.text
    await chat.send("  Carla   Ruiz ")
    assert "¿Guardamos «Carla Ruiz» como su nombre?" in chat.text
    await chat.press("Sí, guardar")
    assert "quedó corregido: Carla Ruiz" in chat.text
    assert [c.email for c in await contact_named(store, "Carla Ruiz")] == ["carla@pasto.gov.co"]
    assert "Carla Ruis" not in str(await dump_tables(store))
    await chat.send("mis datos")
    await chat.press("Ver mis datos")
    assert "Nombre: Carla Ruiz" in chat.text


async def test_rectify_by_words_retype_and_cancel(engine, store):
    chat = Chat(engine, "fix-role")
    await chat.register(role="Jefe de Planeación")
    await chat.send("quiero cambiar mi cargo")
    assert "Su cargo registrado es «Jefe de Planeación»" in chat.text
    await chat.send("Secretario TIC")
    await chat.press("No, escribirlo de nuevo")
    assert "Su cargo registrado es" in chat.text
    await chat.send("Secretario de las TIC")
    await chat.send("sí")
    assert "quedó corregido: Secretario de las TIC" in chat.text
    await chat.send("corregir mis datos")
    await chat.send("correo")  # no mail can travel here: the code could not reach the address
    assert "no es posible cambiar su correo" in chat.text
    async with store.transaction() as tx:
        contacts = await tx.contacts_of_entity("52001")
    assert [(c.role, c.email) for c in contacts] == [("Secretario de las TIC", "ana@pasto.gov.co")]


async def test_rectify_email_refuses_another_persons_address_and_invalid_ones(mailing, store):
    engine = mailing
    other = Chat(engine, "fix-other")
    await other.register(name="Luis Mora", email="luis@pasto.gov.co")
    chat = Chat(engine, "fix-mail")
    await chat.register(name="Ana Pérez", email="ana@pasto.gov.co")
    await chat.send("cambiar mi correo")
    await chat.send("ana arroba pasto")
    assert "no parece un correo electrónico válido" in chat.text
    await chat.send("LUIS@pasto.gov.co")
    assert "ya está registrado por otra persona" in chat.text
    await chat.send("ana.perez@Pasto.gov.co")
    assert "¿Guardamos ana.perez@pasto.gov.co como su correo?" in chat.text
    await chat.press("Sí, guardar")
    assert await emails(store) == ["ana@pasto.gov.co"]  # not before the code comes back
    await chat.send(f"el código es {await mailed_code(store)}")
    assert "quedó corregido: ana.perez@pasto.gov.co" in chat.text
    assert await emails(store) == ["ana.perez@pasto.gov.co"]
    # The old mailbox is told (without the new address), in case it was not her.
    [row] = [r for r in (await dump_tables(store))["outbox"] if r["kind"] == "email_changed"]
    assert row["recipient"] == "ana@pasto.gov.co" and "cambió" in row["subject"]
    assert "Ana Pérez" in row["body_text"] and "ana.perez@" not in row["body_text"]
    # Erasing her takes the notice too (still queued: no mail worker runs here).
    await chat.send("borrar mis datos")
    await chat.press("Sí, borrar mis datos")
    assert "ana@pasto.gov.co" not in str(await dump_tables(store))


async def test_the_entity_is_changed_by_registering_again(engine):
    chat = Chat(engine, "fix-entity")
    await chat.register()
    await chat.send("mis datos")
    await chat.press("Corregir mis datos")
    await chat.press("Entidad")
    assert "borrar mis datos" in chat.text and "Alcaldía de Pasto" in chat.text


async def test_a_bare_corregir_still_changes_the_last_answer(engine):
    chat = Chat(engine, "fix-answer")
    await chat.register()
    first = chat.question_id()
    await chat.send("a")
    await chat.send("corregir")
    assert chat.question_id() == first and "¿Qué dato desea corregir?" not in chat.text


async def test_mid_question_the_words_open_the_correction_and_it_returns_to_the_menu(engine):
    chat = Chat(engine, "fix-mid")
    await chat.register()
    assert chat.question_id() is not None
    await chat.send("corregir mi nombre")
    assert "Escriba su nombre completo correcto" in chat.text
    await chat.send("Ana María Pérez")
    await chat.send("sí")
    assert "quedó corregido" in chat.text
    await chat.press("Continuar")
    assert chat.question_id() is not None


async def test_export_is_a_json_file_with_everything_stored_about_the_person(engine, store):
    other = Chat(engine, "exp-other")
    await other.register(name="Luis Mora", email="luis@pasto.gov.co")
    await other.send("b")  # answered by someone else: not in Ana's copy
    chat = Chat(engine, "exp-ana")
    await chat.register(name="Ana Pérez", email="ana@pasto.gov.co")
    await chat.send("45")  # question 2 (Luis answered the first)
    await chat.send("atrás")
    await chat.send("50")  # changed: both values are hers, the second one current
    await chat.send("descargar mis datos")
    [reply] = [r for r in chat.last if r.attachments]
    [file] = reply.attachments
    assert (file.filename, file.content_type) == (EXPORT_FILENAME, EXPORT_MIME)
    assert "todos los datos personales" in reply.text
    data = json.loads(file.data)
    registro = data["registro"]
    assert (registro["nombre"], registro["correo"], registro["cargo"]) == (
        "Ana Pérez",
        "ana@pasto.gov.co",
        "Jefe de Planeación",
    )
    assert (
        registro["entidad"] == "Alcaldía de Pasto (Nariño)" and registro["codigo_dane"] == "52001"
    )
    assert data["autorizacion"]["revocada"] is None
    assert data["canales"] == [
        {
            "canal": "console",
            "direccion": "exp-ana",
            "inicio": data["canales"][0]["inicio"],
            "ultimo_mensaje": data["canales"][0]["ultimo_mensaje"],
        }
    ]
    answers = data["respuestas"]
    assert [(a["pregunta"], a["cifra"], a["vigente"]) for a in answers] == [
        ("PER-EDU-02", 45.0, False),
        ("PER-EDU-02", 50.0, True),
    ]
    assert "conexión a internet" in answers[0]["texto_de_la_pregunta"]
    assert "Luis Mora" not in file.data.decode() and "luis@" not in file.data.decode()
    assert "MinTIC" in data["responsable"]


async def test_the_code_goes_to_the_new_address_only_and_wrong_codes_count_down(mailing, store):
    chat = Chat(mailing, "code-wrong")
    await ask_for_new_email(chat)
    assert len(await code_mails(store, NEW)) == 1
    assert await code_mails(store, "ana@pasto.gov.co") == []
    [mail] = await code_mails(store, NEW)
    assert "Ana Pérez" in mail.text and "confirmar su nuevo correo" in mail.subject
    right = await mailed_code(store)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    await chat.send("no me llegó nada")
    assert f"Escriba el código de 6 dígitos que le enviamos a {NEW}" in chat.text
    await chat.send(wrong)
    assert "no coincide" in chat.text and "le quedan 4 intento(s)" in chat.text
    assert await emails(store) == ["ana@pasto.gov.co"]
    await chat.send(right)
    assert "quedó corregido" in chat.text and await emails(store) == [NEW]
    notices = [r for r in (await dump_tables(store))["outbox"] if r["kind"] == "email_changed"]
    assert [n["recipient"] for n in notices] == ["ana@pasto.gov.co"]


async def test_five_wrong_codes_void_it_and_keep_the_old_address(mailing, store):
    chat = Chat(mailing, "code-locked")
    await ask_for_new_email(chat)
    right = await mailed_code(store)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        await chat.send(wrong)
    assert "lo anulamos por seguridad" in chat.text
    await chat.send(right)  # too late: the code is void
    assert "quedó corregido" not in chat.text and await emails(store) == ["ana@pasto.gov.co"]
    assert not [r for r in (await dump_tables(store))["outbox"] if r["kind"] == "email_changed"]


async def test_an_expired_code_keeps_the_old_address(mailing, store):
    chat = Chat(mailing, "code-late")
    await ask_for_new_email(chat)
    late = datetime.now(UTC) + timedelta(minutes=16)
    message = IncomingMessage(
        chat.key, "late-1", text=await mailed_code(store), received_at=late, proven=True
    )
    replies = await mailing.handle(message)
    assert "El código venció" in "\n".join(r.text for r in replies)
    assert await emails(store) == ["ana@pasto.gov.co"]


async def test_cancelling_while_the_code_travels_keeps_the_old_address(mailing, store):
    chat = Chat(mailing, "code-cancel")
    await ask_for_new_email(chat)
    code = await mailed_code(store)
    await chat.send("cancelar")
    assert "quedan como estaban" in chat.text
    await chat.send(code)
    assert "quedó corregido" not in chat.text and await emails(store) == ["ana@pasto.gov.co"]


async def test_the_code_is_not_kept_in_clear_once_sent(mailing, store):
    chat = Chat(mailing, "code-sent")
    await ask_for_new_email(chat)
    code = await mailed_code(store)
    assert code in str((await dump_tables(store))["outbox"])  # queued: the mail needs it
    now = datetime.now(UTC)
    async with store.transaction() as tx:
        for item in await tx.claim_outbox(now, 10, timedelta(minutes=5), "email"):
            await tx.outbox_sent(item.id, now)
    rows = (await dump_tables(store))["outbox"]
    [sent] = [r for r in rows if r["kind"] == "email-code"]
    assert sent["status"] == "sent" and sent["recipient"] == NEW
    assert code not in str(rows)
    await chat.send(code)  # the hash in the conversation still checks it
    assert "quedó corregido" in chat.text and await emails(store) == [NEW]


async def test_with_mail_off_the_email_cannot_change(engine, store):
    chat = Chat(engine, "code-off")
    await chat.register(name="Ana Pérez", email="ana@pasto.gov.co")
    await chat.send("cambiar mi correo")
    assert "no es posible cambiar su correo" in chat.text
    assert "envío de correos está desactivado" in chat.text
    await chat.send(NEW)  # back at the menu: not taken as a new address
    assert await emails(store) == ["ana@pasto.gov.co"]
    assert "email-code" not in str(await dump_tables(store))


async def test_codes_to_one_new_address_are_rate_limited(mailing, store):
    chat = Chat(mailing, "code-limit")
    await ask_for_new_email(chat)  # the first code
    for _ in range(CODES_PER_HOUR - 1):
        await chat.send("cancelar")
        await chat.send("cambiar mi correo")
        await chat.send(NEW)
        await chat.press("Sí, guardar")
        assert "le enviamos a esa dirección un código" in chat.text
    await chat.send("cancelar")
    await chat.send("cambiar mi correo")
    await chat.send(NEW)
    await chat.press("Sí, guardar")
    assert "espere un rato antes de pedir otro" in chat.text
    assert len(await code_mails(store, NEW)) == CODES_PER_HOUR
    assert await emails(store) == ["ana@pasto.gov.co"]
