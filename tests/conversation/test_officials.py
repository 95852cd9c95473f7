"""Who may act for an entity (issue 15), through the engine: an address is verified before a
contact is stored; the roster and the institutional domains let an official join at once;
anyone else waits for a member's approval (one button), or, in an entity with no member yet,
answers «sin verificar» and cannot submit; a revocation counts from the next message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.contract import ConversationKey, Notice
from bot.conversation.flows.approvals import decision
from bot.conversation.joining import REGISTRATIONS_PER_CHAT, REQUESTS_PER_ENTITY
from bot.storage.api import RosterEntry
from tests.conversation.chat import Chat

PASTO, MEDELLIN, TUNJA = "52001", "05001", "15001"


async def contact_of(engine, chat: Chat):
    async with engine.store.transaction() as tx:
        record = await tx.find_conversation(chat.key)
        return await tx.contact(record.contact_id) if record and record.contact_id else None


async def notices_to(engine, address: str) -> list[Notice]:
    async with engine.store.transaction() as tx:
        return [i for i in await tx.outbox_for(address) if isinstance(i, Notice)]


async def test_an_official_at_the_alcaldias_domain_joins_at_once(engine):
    ana = Chat(engine, "ana")
    await ana.register(email="ana@pasto.gov.co")
    assert "Quedó registrado(a) por la Alcaldía de Pasto" in ana.text
    contact = await contact_of(engine, ana)
    assert contact.status == "member" and contact.email_verified_at is not None
    async with engine.store.transaction() as tx:
        [event] = await tx.membership_events(contact_id=contact.id)
    assert (event.kind, event.basis) == ("joined", "domain")


async def test_a_rostered_official_with_gmail_joins_at_once(engine):
    async with engine.store.transaction() as tx:
        await tx.load_roster(
            [RosterEntry(MEDELLIN, "Luis Mora", "luis.mora@gmail.com", "Secretario TIC")],
            datetime.now(UTC),
        )
    luis = Chat(engine, "luis")
    await luis.register(place="Medellín", name="Luis Mora", email="luis.mora@gmail.com")
    assert "Pregunta 1 de" in luis.text
    contact = await contact_of(engine, luis)
    assert contact.status == "member"
    async with engine.store.transaction() as tx:
        [event] = await tx.membership_events(contact_id=contact.id)
    assert event.basis == "roster"


async def test_nothing_is_stored_until_the_code_comes_back(engine):
    eve = Chat(engine, "eve", channel="telegram")
    await eve.send("hola")
    await eve.press("Acepto")
    for text in ("alcaldía", "Pasto", "sí", "Eva Impostora", "Alcaldesa", "alcalde@pasto.gov.co"):
        await eve.send(text)
    await eve.send("sí")
    assert "le enviamos un código de 6 dígitos" in eve.text
    await eve.send("123456")
    assert "no coincide" in eve.text
    assert await contact_of(engine, eve) is None
    async with engine.store.transaction() as tx:
        assert await tx.contacts_of_entity(PASTO) == []
        assert await tx.contact_by_email("alcalde@pasto.gov.co") is None


async def test_the_pre_registration_capture_fails(engine):
    """The impostor types the mayor's address on Telegram and never gets the code; the real
    mayor writing by email later registers on his own, and nothing joins the two."""
    eve = Chat(engine, "eve", channel="telegram")
    await eve.send("hola")
    await eve.press("Acepto")
    for text in ("alcaldía", "Pasto", "sí", "Eva Impostora", "Alcalde", "alcalde@pasto.gov.co"):
        await eve.send(text)
    await eve.send("sí")
    assert "código" in eve.text

    mayor = Chat(engine, "alcalde@pasto.gov.co", channel="email")
    await mayor.send("Buenos días")
    await mayor.press("Acepto")
    assert "ya está registrado" not in mayor.text and "código" not in mayor.text
    for text in ("alcaldía", "Pasto", "sí", "Germán Chamorro", "Alcalde"):
        await mayor.send(text)
    await mayor.send("sí")
    assert "Quedó registrado(a) por la Alcaldía de Pasto" in mayor.text
    mayor_contact = await contact_of(engine, mayor)
    assert mayor_contact.name == "Germán Chamorro" and mayor_contact.status == "member"
    assert await contact_of(engine, eve) is None  # her chat holds nothing of his


async def test_by_email_an_unproven_message_registers_nobody(engine):
    from bot.contract import IncomingMessage

    key = ConversationKey("email", "alcalde@pasto.gov.co")
    steps = [("hola", None), ("", "consent:yes"), ("alcaldía", None), ("Pasto", None)]
    steps += [("sí", None), ("Eva", None), ("Alcaldesa", None), ("sí", None)]
    for n, (text, option) in enumerate(steps):
        await engine.handle(IncomingMessage(key, f"forged{n}", text=text, option=option))
    async with engine.store.transaction() as tx:
        assert await tx.contact_by_email("alcalde@pasto.gov.co") is None


async def test_an_impostor_with_gmail_sees_no_name_no_answers_no_results_and_cannot_submit(
    engine,
):
    ana = Chat(engine, "ana")
    await ana.register(email="ana@pasto.gov.co")
    await ana.send("b")
    eve = Chat(engine, "eve", channel="telegram")
    await eve.register(name="Eva Ríos", email="eva.rios@gmail.com")
    assert "pendiente de aprobación" in eve.text
    for attempt in ("continuar", "resultados", "revisar", "enviar", "progreso", "excel", "ir a 1"):
        await eve.send(attempt)
        assert "pendiente de aprobación" in eve.text, (attempt, eve.text)
    everything = "\n".join(r.text for r in eve.replies)
    assert "Ana" not in everything and "dada por" not in everything
    assert all(not r.attachments for r in eve.replies)
    contact = await contact_of(engine, eve)
    assert contact.status == "pending"
    async with engine.store.transaction() as tx:
        conversation = await tx.find_conversation(ana.key)
        assessment = await tx.assessment(conversation.state["assessment_id"])
    assert assessment.status == "in_progress"


async def test_a_colleague_approves_with_one_button_and_a_second_press_changes_nothing(engine):
    ana = Chat(engine, "ana")
    await ana.register(email="ana@pasto.gov.co")
    eve = Chat(engine, "eve", channel="telegram")
    await eve.register(name="Eva Ríos", role="Contratista TIC", email="eva.rios@gmail.com")
    eva = await contact_of(engine, eve)
    # Ana's only conversation is the console: the request goes to her verified address.
    [request] = await notices_to(engine, "ana@pasto.gov.co")
    text = request.replies[0].text
    assert "Eva Ríos" in text and "Contratista TIC" in text and "eva.rios@gmail.com" in text
    assert request.replies[0].options == ()  # by email: «aprobar N», no numbered list
    approve_value = f"mbr:ok:{eva.id}"  # the button a Telegram member would press

    # Someone of another entity cannot act on it, nor can the applicant herself.
    luis = Chat(engine, "luis")
    await luis.register(place="Medellín", name="Luis Mora", email="luis@medellin.gov.co")
    await luis.send(option=approve_value)
    assert "No encontré una solicitud" in luis.text
    await eve.send(option=approve_value)
    assert "Solo un funcionario verificado" in eve.text
    assert (await contact_of(engine, eve)).status == "pending"

    await ana.send(option=approve_value)
    assert "Eva Ríos ya puede actuar por la Alcaldía de Pasto" in ana.text
    assert (await contact_of(engine, eve)).status == "member"
    await ana.send(option=approve_value)  # the same button again
    assert "ya fue atendida (aprobada); no cambió nada" in ana.text
    async with engine.store.transaction() as tx:
        events = await tx.membership_events(contact_id=eva.id)
    assert [(e.kind, e.basis, e.actor_contact_id) for e in events] == [
        ("requested", "", None),
        ("approved", "member", (await contact_of(engine, ana)).id),
    ]
    told = [n for n in await notices_to(engine, "eve") if "aprobó su registro" in n.replies[0].text]
    assert [n.key for n in told] == [ConversationKey("telegram", "eve")]
    await eve.send("continuar")
    assert "Pregunta" in eve.text


async def test_a_decline_by_email_reply(engine):
    ana = Chat(engine, "ana@pasto.gov.co", channel="email")
    await ana.register(email="ana@pasto.gov.co")
    eve = Chat(engine, "eve", channel="telegram")
    await eve.register(name="Eva Ríos", email="eva.rios@gmail.com")
    eva = await contact_of(engine, eve)
    [request] = [
        n
        for n in await notices_to(engine, "ana@pasto.gov.co")
        if "pidió registrarse" in n.replies[0].text
    ]
    assert f"«rechazar {eva.id}»" in request.replies[0].text
    await ana.send(f"Rechazar {eva.id}\n\nAna Pérez\nAlcaldía de Pasto")
    assert (await contact_of(engine, eve)).status == "declined"
    await eve.send("continuar")
    assert "no fue aprobada" in eve.text


async def test_the_first_official_of_an_entity_answers_unverified_and_cannot_submit(engine):
    marta = Chat(engine, "marta", channel="telegram")
    await marta.register(place="Tunja", name="Marta Gil", email="marta.gil@gmail.com")
    assert "«sin verificar»" in marta.text and "no se podrá enviar" in marta.text
    assert "Pregunta 1 de" in marta.text
    await marta.send("b")
    assert "✓ Guardado" in marta.text
    await marta.send("enviar")  # the command asks to submit at once (no review in between)
    assert "solo puede enviarlo un funcionario verificado" in marta.text
    await marta.send("revisar")
    await marta.press("Enviar diagnóstico")
    assert "solo puede enviarlo un funcionario verificado" in marta.text
    await marta.send("resultados")
    assert "Los resultados del diagnóstico se muestran a los funcionarios verificados" in marta.text
    await marta.send("progreso")
    assert "«sin verificar»" in marta.text


async def test_a_revoked_official_loses_access_from_the_next_message(engine):
    ana = Chat(engine, "ana", channel="telegram")
    await ana.register(email="ana@pasto.gov.co")
    await ana.send("b")
    assert "✓ Guardado" in ana.text
    contact = await contact_of(engine, ana)
    async with engine.store.transaction() as tx:
        await tx.record_membership(
            contact.id, "revoked", datetime.now(UTC), basis="staff", actor_staff="luisa"
        )
    await ana.send("b")
    assert "fue retirado" in ana.text and "✓ Guardado" not in ana.text
    await ana.send("resultados")
    assert "fue retirado" in ana.text


async def test_registrations_are_limited_per_chat_and_requests_per_entity(engine):
    chat = Chat(engine, "busy", channel="telegram")
    await chat.send("hola")
    await chat.press("Acepto")
    for n in range(REGISTRATIONS_PER_CHAT + 1):
        for text in ("alcaldía", "Pasto", "sí", "Ana Pérez", "Jefe", f"ana{n}@pasto.gov.co"):
            await chat.send(text)
        await chat.send("sí")
        if n < REGISTRATIONS_PER_CHAT:
            assert "le enviamos un código de 6 dígitos" in chat.text
            await chat.press("Corregir")  # another address, another code
            await chat.press("Empezar el registro de nuevo")
    assert "ya se iniciaron varios registros hoy" in chat.text

    ana = Chat(engine, "ana")
    await ana.register(email="ana@pasto.gov.co")
    for n in range(REQUESTS_PER_ENTITY):
        await Chat(engine, f"gmail{n}", channel="telegram").register(email=f"p{n}@gmail.com")
    late = Chat(engine, "late", channel="telegram")
    await late.register(email="late@gmail.com")
    assert "muchas solicitudes de registro pendientes" in late.text
    assert await contact_of(engine, late) is None


@pytest.mark.parametrize(
    ("option", "text", "expected"),
    [
        ("mbr:ok:12", "", (True, 12)),
        ("mbr:no:12", "", (False, 12)),
        ("mbr:ok:x", "", None),
        ("ans:GOB-01:1", "", None),
        (None, "aprobar 42", (True, 42)),
        (None, "Rechazar 42.\n\nAna Pérez\nAlcaldía de Pasto", (False, 42)),
        (None, "aprobar solicitud #42", (True, 42)),
        # An answer that merely starts like one is an answer, not a decision.
        (None, "aprobado por el concejo en 2023", None),
        (None, "rechazar 42 y 43", None),
        (None, "1", None),
        (None, "aprobar " + "9" * 5000, None),  # bounded: no number that long
    ],
)
def test_a_decision_is_a_button_or_the_whole_first_line(option, text, expected):
    assert decision(option, text) == expected
