"""Habeas Data through the engine: correcting one's data and getting a copy of it as a file."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.conversation.engine import Engine
from bot.conversation.flows.privacy import EXPORT_FILENAME, EXPORT_MIME
from tests.conversation.chat import Chat
from tests.storage.helpers import dump_tables


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
    await chat.send("correo")
    await chat.send("cancelar")
    assert "quedan como estaban" in chat.text
    async with store.transaction() as tx:
        contacts = await tx.contacts_of_entity("52001")
    assert [(c.role, c.email) for c in contacts] == [("Secretario de las TIC", "ana@pasto.gov.co")]


async def test_rectify_email_refuses_another_persons_address_and_invalid_ones(engine, store):
    engine = Engine(store, replace(engine.deps, mail_enabled=True), engine.interpreter)
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
    assert [c.email for c in await contact_named(store, "Ana Pérez")] == ["ana.perez@pasto.gov.co"]
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
