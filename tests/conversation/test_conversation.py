"""Whole conversations through the real engine and a real database (SQLite: the storage contract
behind them runs on PostgreSQL too, in tests/storage/test_contract.py)."""

from __future__ import annotations

import pytest

from bot.contract import ConversationKey
from tests.conversation.chat import Chat, answers_of, state_of


async def answer_all(chat: Chat, pick=lambda i, opts: opts[min(1, len(opts) - 1)], limit=400):
    """Answer every question shown until the review appears; returns how many were answered."""
    for i in range(limit):
        if chat.question_id() is None:
            return i
        answers = [o for o in chat.options if o.value.startswith("ans:")]
        if answers:
            await chat.send(option=pick(i, answers).value)
        else:  # a figure
            await chat.send("50")
    raise AssertionError("the questionnaire did not end")


async def test_refusing_consent_stores_nothing(engine, store):
    chat = Chat(engine, "refuses")
    await chat.send("hola")
    assert "Ley 1581" in chat.text and "Acepto" in [o.label for o in chat.options]
    await chat.send("no acepto")
    assert "No guardamos ningún dato" in chat.text
    assert await state_of(store, chat) is None


async def test_a_bare_yes_is_not_consent(engine, store):
    chat = Chat(engine, "bare-yes")
    await chat.send("sí")
    assert "autorización expresa" in chat.text
    assert await state_of(store, chat) is None
    await chat.send("acepto")
    assert "alcaldía o a una gobernación" in chat.text
    assert await state_of(store, chat) is not None


async def test_whole_diagnosis_from_consent_to_report(engine, store, static):
    chat = Chat(engine, "whole")
    await chat.register()
    assert "Quedó registrado(a) por la Alcaldía de Pasto (Nariño)" in chat.text
    assert "Pregunta 1 de" in chat.text
    answered = await answer_all(chat)
    total = len(static.questionnaire.questions_for("alcaldia"))
    assert answered == total
    assert f"({total} de {total} preguntas respondidas)" in chat.text
    await chat.press("Enviar diagnóstico")
    await chat.press("Sí, enviar")
    assert "Diagnóstico enviado" in chat.text
    files = {a.filename: a for r in chat.last for a in r.attachments}
    assert files["radar-cti.png"].data.startswith(b"\x89PNG")
    assert b"Alcald\xc3\xada de Pasto" in files["informe-cti.html"].data
    record = await state_of(store, chat)
    answers = await answers_of(store, record.state["assessment_id"])
    assert len(answers) == total
    # Frozen: an answer attempt after submitting changes nothing.
    await chat.send("continuar")
    assert "ya fue enviado" in chat.text


async def test_registration_tolerates_typos_and_asks_department(engine):
    chat = Chat(engine, "ambiguous")
    await chat.send("hola")
    await chat.press("Acepto")
    await chat.send("alcaldia")
    await chat.send("villa nueva")  # Villanueva: four municipalities
    assert "entidades con ese nombre" in chat.text
    labels = [o.label for o in chat.options]
    assert "Alcaldía de Villanueva (Casanare)" in labels
    await chat.send("casanare")
    assert "¿Su entidad es la Alcaldía de Villanueva (Casanare)?" in chat.text
    await chat.send("no")
    await chat.send("bucaramnga")  # typo
    assert "Bucaramanga" in chat.text


async def test_registration_rejects_bad_email_and_non_registrable_place(engine):
    chat = Chat(engine, "bad-email")
    await chat.send("hola")
    await chat.press("Acepto")
    await chat.send("alcaldía")
    await chat.send("La Chorrera")  # área no municipalizada (Amazonas)
    assert "no tiene alcaldía propia" in chat.text
    await chat.send("Leticia")
    await chat.send("sí")
    await chat.send("Luis Gómez")
    await chat.send("Secretario TIC")
    await chat.send("luis@@leticia")
    assert "no parece un correo" in chat.text
    await chat.send("luis@leticia-amazonas.gov.co")
    assert "Por favor confirme sus datos" in chat.text


async def test_replayed_message_id_changes_nothing(engine, store):
    chat = Chat(engine, "replay")
    await chat.register()
    first = chat.question_id()
    await chat.send("a", message_id="dup-1")
    assert "✓ Guardado" in chat.text
    before = await state_of(store, chat)
    assert await chat.send("b", message_id="dup-1") == []
    after = await state_of(store, chat)
    assert after.state == before.state
    answers = await answers_of(store, after.state["assessment_id"])
    assert answers[first].answer.option is not None and len(answers) == 1


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "x" * 10_000,
        "🙂🙂🙂",
        "<b>hola</b><script>alert(1)</script>",
        "'; DROP TABLE answers; --",
        "\x00\x01\x1b[31m",
        "opción 99",
        "{{ 7*7 }}",
    ],
)
async def test_bad_input_in_a_question_gets_a_clear_reply_and_changes_nothing(engine, store, bad):
    chat = Chat(engine, f"bad-{abs(hash(bad))}")
    await chat.register()
    qid = chat.question_id()
    before = await state_of(store, chat)
    await chat.send(bad)
    assert chat.last, "every message gets a reply"
    assert all(0 < len(r.text) <= 4096 for r in chat.last)
    assert "49" not in chat.text or "{{" not in bad
    after = await state_of(store, chat)
    assert after.state["current"] == qid == before.state["current"]
    assert await answers_of(store, after.state["assessment_id"]) == {}


async def test_three_failures_offer_a_way_out(engine):
    chat = Chat(engine, "stuck")
    await chat.register()
    for _ in range(3):
        await chat.send("mmm el acueducto veredal")  # nothing the NLU or the options can place
    labels = [o.label for o in chat.options]
    assert "Ver ayuda" in labels and "Pedir apoyo a MinTIC" in labels and "No sé" in labels


async def test_two_contacts_share_one_assessment(engine, store, static):
    ana, beto = Chat(engine, "ana"), Chat(engine, "beto")
    await ana.register(name="Ana Pérez")
    first = ana.question_id()
    await ana.send("a")
    await beto.register(name="Beto Díaz", email="beto@pasto.gov.co")
    assert "En su entidad también participan: Ana Pérez" in beto.text
    assert beto.question_id() != first  # shared: Beto continues after Ana's answer
    await beto.send("ir a 1")
    assert "Respuesta actual" in beto.text and "Ana Pérez" in beto.text
    await beto.send("b")
    assert "ya fue respondida por Ana Pérez" in beto.text
    await beto.press("Sí, reemplazar")
    record = await state_of(store, beto)
    answers = await answers_of(store, record.state["assessment_id"])
    # Beto confirmed the replacement: his "b" (the second option) is the answer now.
    _, _, question = static.questionnaire.question_index[first]
    assert question.options is not None
    assert answers[first].answer.option == question.options[1].id
    async with store.transaction() as tx:
        history = await tx.answer_history(record.state["assessment_id"], first)
        contacts = {c.name: c.id for c in await tx.contacts_of_entity("52001")}
    assert [h.contact_id for h in history] == [contacts["Ana Pérez"], contacts["Beto Díaz"]]
    await ana.send("progreso")
    assert "Beto Díaz: 1" in ana.text and "Ana Pérez (usted)" not in ana.text
    await beto.send("progreso")
    assert "Beto Díaz (usted): 1" in beto.text


async def test_help_no_se_skip_back_repeat(engine, store):
    chat = Chat(engine, "nav")
    await chat.register()
    q1 = chat.question_id()
    await chat.send("ayuda")
    assert "Ayuda:" in chat.text and chat.question_id() == q1
    await chat.send("no sé")
    q2 = chat.question_id()
    assert q2 != q1 and "No sé" in chat.text
    await chat.send("omitir")
    q3 = chat.question_id()
    assert q3 not in (q1, q2)
    await chat.send("atrás")
    assert chat.question_id() == q2
    await chat.send("repetir")
    assert chat.question_id() == q2
    await chat.send("pausa")
    assert "avance quedó guardado" in chat.text
    await chat.send("continuar")
    assert chat.question_id() == q3  # q2 was skipped: it waits for the review


async def test_scope_limits_questions_to_chosen_dimensions(engine):
    chat = Chat(engine, "scope")
    await chat.register()
    await chat.send("respondo Hábitat")
    assert "solo las preguntas de Hábitat" in chat.text
    assert chat.question_id().startswith("HAB")


async def test_privacy_show_and_erase(engine, store):
    chat = Chat(engine, "privacy")
    await chat.register(name="Carla Ruiz", email="carla@pasto.gov.co")
    await chat.send("a")
    await chat.send("mis datos")
    await chat.press("Ver mis datos")
    assert "Carla Ruiz" in chat.text and "carla@pasto.gov.co" in chat.text and "hd-" in chat.text
    await chat.send("borrar mis datos")
    await chat.press("Sí, borrar mis datos")
    assert "fueron borrados" in chat.text
    assert await state_of(store, chat) is None
    async with store.transaction() as tx:
        assert [c for c in await tx.contacts_of_entity("52001") if c.name == "Carla Ruiz"] == []
    # Starting again asks for consent again.
    await chat.send("hola")
    assert "Ley 1581" in chat.text


async def test_review_jump_submit_reopen(engine, store):
    chat = Chat(engine, "review")
    await chat.register()
    await chat.send("a")
    await chat.send("revisar")
    assert "Revisión del diagnóstico (1 de" in chat.text
    await chat.press("Cambiar una respuesta")
    await chat.send("1")
    assert "Pregunta 1 de" in chat.text and "Respuesta actual" in chat.text
    await chat.send("revisar")
    await chat.press("Enviar diagnóstico")
    await chat.press("Sí, enviar")
    assert "Diagnóstico enviado" in chat.text
    await chat.send("reabrir")
    await chat.press("Reabrir diagnóstico")
    assert "quedó reabierto" in chat.text
    record = await state_of(store, chat)
    async with store.transaction() as tx:
        events = await tx.assessment_events(record.state["assessment_id"])
    assert [e.kind for e in events][-2:] == ["submitted", "reopened"]


async def test_info_intent_mid_question_returns_to_the_question(engine):
    chat = Chat(engine, "info")
    await chat.register()
    qid = chat.question_id()
    await chat.send("/ayuda")
    assert "Esto es lo que puedo hacer" in chat.text and chat.question_id() == qid


def test_conversation_key_is_frozen():
    key = ConversationKey("console", "x")
    with pytest.raises(AttributeError):
        key.address = "y"  # type: ignore[misc]
