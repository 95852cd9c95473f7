"""Asking for accompaniment in a conversation (engine on SQLite, the default
NLU): the ticket, the email to the mailbox in the outbox, merging, results buttons, status."""

from __future__ import annotations

import re

import pytest

from bot.contract import OutboundEmail
from tests.conversation.chat import Chat


@pytest.fixture
def backend() -> str:
    """Conversation behaviour runs once, on SQLite; the storage it relies on is checked on both
    backends in tests/storage/test_tickets.py."""
    return "sqlite"


MAILBOX = "ciudadesyterritoriosinteligentes@mintic.gov.co"
NUMBER = re.compile(r"CTI-\d{4}-\d{5}")


async def mailbox(store) -> list[OutboundEmail]:
    async with store.transaction() as tx:
        items = await tx.outbox_for(MAILBOX)
    return [i for i in items if isinstance(i, OutboundEmail)]


def number_in(text: str) -> str:
    found = NUMBER.search(text)
    assert found, text
    return found.group(0)


async def test_a_request_in_free_words_becomes_a_ticket_routed_to_the_mailbox(engine, store):
    ana = Chat(engine, "ana")
    await ana.register()
    await ana.send("necesitamos acompañamiento para formular la estrategia")
    assert "Tema: Formular la estrategia de territorio inteligente" in ana.text
    await ana.send("Queremos apoyo para armar la hoja de ruta con las secretarías")
    assert [o.label for o in ana.options] == ["Por correo (ana@pasto.gov.co)", "Por teléfono"]
    await ana.send("por teléfono")
    await ana.send("300 123 4567")
    assert "• Contacto preferido: Teléfono: 300 123 4567" in ana.text
    assert await mailbox(store) == []  # nothing leaves before the confirmation
    await ana.press("Sí, enviarla")
    number = number_in(ana.text)
    assert f"registrada con el número {number}" in ana.text and MAILBOX in ana.text
    assert ana.question_id() == "PER-EDU-01"  # back where she was

    [email] = await mailbox(store)
    headers = dict(email.headers)
    assert email.subject == (f"[{number}] Solicitud de acompañamiento técnico — Pasto (Nariño)")
    assert headers["Reply-To"] == "asistente.cti@mintic.gov.co"
    assert headers["X-CTI-Ticket"] == number and "Cc" not in headers
    key = engine.deps.desk.keys.for_ticket(number)  # the proof a staff reply must bring back
    assert email.message_id == f"<{number.lower()}.routed.{key}@mintic.gov.co>"
    for part in (
        "Alcaldía de Pasto (Nariño)",
        "Código DANE: 52001",
        "Departamento: Nariño",
        "Tipo: Alcaldía (municipio)",
        "Nombre: Ana Pérez",
        "Cargo: Jefe de Planeación",
        "Correo: ana@pasto.gov.co",
        "Teléfono: 300 123 4567",
        "Formular la estrategia de territorio inteligente",
        "Queremos apoyo para armar la hoja de ruta con las secretarías",
        "aún no tiene respuestas",
    ):
        assert part in email.text, part
    assert email.html is not None and "Código DANE</td><td>52001" in email.html
    assert email.attachments == ()

    async with store.transaction() as tx:
        ticket = await tx.ticket(number)
        assert ticket is not None and ticket.routed_message_id == email.message_id
        assert (ticket.channel, ticket.address, ticket.topic) == ("console", "ana", "estrategia")
        kinds = [e.kind for e in await tx.ticket_events(ticket.id)]
    assert kinds == ["created", "routed"]


async def test_the_email_carries_the_latest_diagnosis_and_its_report(engine, store):
    ana = Chat(engine, "diag")
    await ana.register()
    for answer in ("b", "40", "no sé", "3,5", "a", "e"):
        await ana.send(answer)
    await ana.send("/asesoria")
    assert [o.label for o in ana.options][:3] == [
        "Formular la estrategia de territorio inteligente",
        "Interpretar el diagnóstico",
        "Cofinanciación de proyectos",
    ]
    await ana.send("4")  # a specific dimension
    await ana.press("Gobernanza")
    assert "Tema: Dimensión Gobernanza" in ana.text
    await ana.send("Necesitamos orientación para crear la política de datos abiertos")
    await ana.press("Por correo")
    await ana.send("sí")
    number = number_in(ana.text)
    [email] = await mailbox(store)
    assert "Dimensión Gobernanza" in email.text
    assert "Estado: en curso" in email.text and "Por dimensión (puntaje · cobertura):" in email.text
    assert "• Personas: " in email.text and "Subdimensiones más débiles:" in email.text
    [report] = email.attachments
    assert report.content_type == "text/html" and b"Alcald\xc3\xada de Pasto" in report.data
    assert number in email.subject


async def test_the_same_request_again_within_minutes_is_merged(engine, store):
    ana = Chat(engine, "twice")
    await ana.register()
    for _ in range(2):
        await ana.send("asesoría para interpretar el diagnóstico")
        await ana.send("No entendemos por qué salimos bajos en Hábitat")
        await ana.press("Por correo")
        await ana.press("Sí, enviarla")
    assert "ya está registrada" in ana.text and "no la dupliqué" in ana.text
    first = number_in("\n".join(r.text for r in ana.replies))
    assert number_in(ana.text) == first
    assert len(await mailbox(store)) == 1


async def test_cancelling_sends_nothing(engine, store):
    ana = Chat(engine, "cancel")
    await ana.register()
    await ana.send("/asesoria")
    await ana.press("Otro tema")
    await ana.send("cancelar")
    assert "no envié la solicitud" in ana.text
    await ana.send("/asesoria")
    await ana.press("Cofinanciación")
    await ana.send("Queremos saber qué proyectos podemos presentar")
    await ana.press("Por correo")
    await ana.press("No, dejarla")
    assert "no envié la solicitud" in ana.text
    assert await mailbox(store) == []


async def test_a_weak_subdimension_in_the_results_opens_a_ticket_once_confirmed(engine, store):
    ana = Chat(engine, "results")
    await ana.register()
    for answer in ("a", "10", "no sé", "1", "e", "a"):
        await ana.send(answer)
    await ana.send("resultados")
    offer = [r for r in ana.last if r.options and r.options[0].value.startswith("ticket:")]
    assert offer and "acompañamiento técnico" in offer[0].text
    first = offer[0].options[0]
    assert first.label.startswith("Acompañamiento: ")
    await ana.send(option=first.value)
    # The button fills in the request; nothing leaves until the person confirms it.
    assert "¿La envío?" in ana.text and "Solicitud hecha desde los resultados" in ana.text
    assert await mailbox(store) == []
    await ana.press("Sí, enviarla")
    number = number_in(ana.text)
    assert "registrada con el número" in ana.text
    [email] = await mailbox(store)
    name = first.label.removeprefix("Acompañamiento: ")
    assert f"TEMA\n  {name} (" in email.text
    assert "Solicitud hecha desde los resultados" in email.text
    assert email.attachments  # the diagnosis it came from
    await ana.send(option=first.value)  # pressed again: merged
    await ana.press("Sí, enviarla")
    assert "no la dupliqué" in ana.text and number in ana.text
    assert len(await mailbox(store)) == 1


async def test_the_contact_asks_how_the_request_is_going(engine, store):
    ana = Chat(engine, "status")
    await ana.register()
    await ana.send("¿en qué va mi solicitud?")
    assert "no tiene solicitudes" in ana.text
    await ana.send("necesitamos acompañamiento para formular la estrategia")
    await ana.send("Apoyo con el plan de transformación digital")
    await ana.press("Por correo")
    await ana.send("sí")
    number = number_in(ana.text)
    await ana.send("¿en qué va mi solicitud?")
    assert number in ana.text and "Recibida, en espera de respuesta" in ana.text
    assert "Aún no hay respuesta" in ana.text
    assert ana.question_id() == "PER-EDU-01"


async def test_by_email_the_whole_message_is_the_description(engine, store):
    ana = Chat(engine, "ana.email@pasto.gov.co", channel="email")
    await ana.register()
    await ana.send(
        "Buenos días. Necesitamos acompañamiento para formular la estrategia de territorio "
        "inteligente del municipio.\n\nEl concejo aprobó el plan de desarrollo y queremos "
        "alinear los proyectos de conectividad rural.\n\nAna Pérez"
    )
    assert "¿Por qué medio prefiere que le contacten?" in ana.text
    await ana.send("1")
    assert "• Contacto preferido: Correo electrónico: ana" in ana.text
    await ana.send("Sí")
    number_in(ana.text)
    [email] = await mailbox(store)
    assert (
        "conectividad rural" in email.text
        and "Solicitud hecha por: correo electrónico" in email.text
    )


async def test_a_results_button_in_the_middle_of_a_request_keeps_the_draft(engine, store):
    ana = Chat(engine, "draft")
    await ana.register()
    for answer in ("a", "10", "no sé", "1", "e", "a"):
        await ana.send(answer)
    await ana.send("resultados")
    button = next(r for r in ana.last if r.options and r.options[0].value.startswith("ticket:"))
    await ana.send("/asesoria")
    await ana.press("Cofinanciación")
    await ana.send(option=button.options[0].value)
    assert "¿La envío?" in ana.text
    await ana.press("Sí, enviarla")
    assert "registrada con el número" in ana.text
    assert "Describa en pocas líneas" in ana.text  # the draft asks again where it was
    await ana.send("Qué proyectos de conectividad podemos presentar")
    await ana.press("Por correo")
    await ana.press("Sí, enviarla")
    assert len(await mailbox(store)) == 2


async def test_by_email_the_results_say_how_to_ask_instead_of_numbered_buttons(engine, store):
    ana = Chat(engine, "ana.results@pasto.gov.co", channel="email")
    await ana.register()
    await ana.send("1) b\n2) 40\n3) no sé\n4) 3,5")
    await ana.send("1) a\n2) a\n3) a")
    await ana.send("resultados")
    [offer] = [r for r in ana.last if "«asesoría»" in r.text]
    assert offer.options == ()
    assert not any(o.value.startswith("ticket:") for r in ana.last for o in r.options)


async def test_a_pending_official_asks_for_accompaniment_and_staff_read_unverified(engine, store):
    ana = Chat(engine, "ana")
    await ana.register()
    eva = Chat(engine, "eva")
    await eva.register(name="Eva Ríos", email="eva.rios@gmail.com")
    assert "pendiente de aprobación" in eva.text
    await eva.send("necesitamos acompañamiento para formular la estrategia")
    await eva.send("Queremos apoyo para armar la hoja de ruta con las secretarías")
    await eva.send("por correo")
    await eva.press("Sí, enviarla")
    number_in(eva.text)
    [email] = await mailbox(store)
    assert "Nombre: Eva Ríos (contacto sin verificar)" in email.text
    ana_ticket = Chat(engine, "ana")
    await ana_ticket.send("necesitamos acompañamiento para formular la estrategia")
    await ana_ticket.send("Queremos apoyo para la hoja de ruta")
    await ana_ticket.send("por correo")
    await ana_ticket.press("Sí, enviarla")
    routed = await mailbox(store)
    assert len(routed) == 2 and "sin verificar" not in routed[1].text
