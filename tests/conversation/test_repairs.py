"""Conversation repairs (issue 16 item 5), each first seen in `cti chat` as a new user would.

The engine runs with the default NLU; the console channel is the one without buttons, Telegram
the one with them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.scoring import Answer
from tests.conversation.chat import Chat, answers_of, mailed_code, state_of

FIRST = "PER-EDU-01"  # a) No existe un programa ... c) Está adoptado pero aún no se implementa
SECOND = "PER-EDU-02"  # a figure, in %
T = datetime(2026, 3, 2, tzinfo=UTC)
UNCLEAR = "creo que hay algo pero no se bien"  # the NLU hesitates: suggestions


async def _saved(store, chat: Chat) -> dict:
    record = await state_of(store, chat)
    return await answers_of(store, record.state["assessment_id"])


def _numbered_lists(chat: Chat) -> int:
    """How many replies of the last turn the console would show as a numbered list."""
    return sum(
        1 for r in chat.last if r.options and not r.options[0].value.startswith(("ans:", "dk:"))
    )


async def test_unclear_reply_shows_the_question_again_and_suggestions_as_words(engine, store):
    chat = Chat(engine, "repair-unclear")
    await chat.register()
    await chat.send(UNCLEAR)
    assert "No reconocí esa respuesta" in chat.text
    assert "Si quería otra cosa, puede escribir:" in chat.text  # words, not a list
    assert _numbered_lists(chat) == 0
    assert chat.last[-1].text.startswith("Pregunta 1 de")  # the question, shown again
    await chat.send("1")  # so «1» is option a), as the question's own list says
    assert "✓ Guardado: a) No existe un programa" in chat.text
    assert (await _saved(store, chat))[FIRST].answer.option is not None


async def test_on_telegram_the_suggestions_stay_buttons(engine):
    chat = Chat(engine, "7101", channel="telegram")
    await chat.register()
    await chat.send(UNCLEAR)
    hint = next(r for r in chat.last if "No reconocí" in r.text)
    assert hint.options and all(o.value.startswith("intent:") for o in hint.options)
    assert "Si quería otra cosa, elija aquí abajo" in hint.text
    assert chat.question_id() == FIRST


async def test_no_then_the_right_letter_saves_that_letter(engine, store):
    chat = Chat(engine, "repair-no-c")
    await chat.register()
    await chat.send("no")  # reads like «a) No existe un programa»: confirmed first
    assert "¿Es correcto?" in chat.text
    await chat.send("no, es la c")
    assert "✓ Guardado: c) Está adoptado" in chat.text
    assert (await _saved(store, chat))[FIRST].answer.option == "adoptado"
    assert chat.question_id() == SECOND


async def test_a_plain_no_still_rejects_the_reading(engine, store):
    chat = Chat(engine, "repair-plain-no")
    await chat.register()
    await chat.send("no")
    await chat.send("no")
    assert "no la guardé" in chat.text and chat.question_id() == FIRST
    assert await _saved(store, chat) == {}


async def test_pause_during_a_confirmation_pauses(engine, store):
    chat = Chat(engine, "repair-pause")
    await chat.register()
    await chat.send("no")
    assert "¿Es correcto?" in chat.text
    await chat.send("pausa")
    assert "hacemos una pausa" in chat.text
    assert "no la guardé" not in chat.text  # it is not a «no»
    record = await state_of(store, chat)
    assert record.state["flow"] == "menu" and record.state["pending"] is None
    assert await _saved(store, chat) == {}


async def test_a_side_question_keeps_the_pending_confirmation(engine, store):
    chat = Chat(engine, "repair-side")
    await chat.register()
    await chat.send("no")
    await chat.send("¿hasta cuándo hay plazo?")
    assert "1 de abril" in chat.text  # knowledge.info_plazos
    assert "Entendí: «a) No existe un programa». ¿Es correcto?" in chat.text
    await chat.send("sí")
    assert "✓ Guardado: a) No existe un programa" in chat.text
    assert (await _saved(store, chat))[FIRST].answer.option == "no_existe"


async def test_no_on_a_figure_never_asks_for_a_letter(engine):
    chat = Chat(engine, "repair-figure-no")
    await chat.register()
    await chat.send("b")
    assert chat.question_id() == SECOND
    await chat.send("no")
    assert "Elija la opción con su letra" not in chat.text
    assert "No reconocí una cifra" in chat.text and chat.question_id() == SECOND
    await chat.send("unos 40 o 50")
    assert "punto medio" in chat.text
    await chat.send("no")
    assert "Elija la opción con su letra" not in chat.text
    assert "Escriba la cifra exacta en %" in chat.text and chat.question_id() == SECOND


async def test_in_the_menu_suggestions_are_words_without_buttons(engine):
    chat = Chat(engine, "repair-menu-words")
    await chat.register()
    await chat.send("pausa")
    await chat.send("necesito saber del modelo y los plazos")
    assert "Si quería alguna de estas cosas, escríbala:" in chat.text
    assert "Qué es el Modelo de Madurez" in chat.text and _numbered_lists(chat) == 0
    await chat.send("Qué es el Modelo de Madurez")  # the words, typed, do what they say
    assert "seis dimensiones" in chat.text


async def test_a_question_is_found_by_its_words(engine):
    chat = Chat(engine, "repair-find")
    await chat.register()
    await chat.send("cambiar la de los homicidios")
    assert "tasa de homicidios" in chat.text and chat.question_id() == "CV-SEG-04"
    await chat.send("revisar")
    await chat.send("cambiar una respuesta")  # the button's words, typed
    assert "¿Qué pregunta desea cambiar?" in chat.text
    await chat.send("datos abiertos")  # a question here, not personal data
    assert "Encontré varias preguntas sobre eso" in chat.text
    assert "Pregunta 21: ¿La entidad publica conjuntos de datos abiertos" in chat.text
    await chat.send("21")
    assert chat.question_id() == "GOB-TDA-01"


async def test_submit_typed_without_accents_asks_to_confirm(engine):
    chat = Chat(engine, "repair-submit")
    await chat.register()
    await chat.send("a")
    await chat.send("revisar")
    await chat.send("enviar diagnostico")
    assert "¿Confirma el envío?" in chat.text
    await chat.send("no")
    await chat.send("pausa")
    await chat.send("Enviar diagnóstico")  # from the menu too
    assert "¿Confirma el envío?" in chat.text


async def test_one_registration_field_is_corrected_alone(engine, store):
    chat = Chat(engine, "7401", channel="telegram")
    await chat.send("hola")
    await chat.press("Acepto")
    for text in ("alcaldía", "Pasto", "sí", "Ana Pérez", "Jefe de Planeación"):
        await chat.send(text)
    await chat.send("ana@pasto.gob.co")  # mistyped
    await chat.send("sí")
    assert "le enviamos un código de 6 dígitos" in chat.text
    stale = await mailed_code(store, "ana@pasto.gob.co")
    await chat.press("Corregir")
    assert "¿Qué dato desea corregir? Los demás se conservan." in chat.text
    await chat.press("Correo")
    assert "¿Cuál es su correo electrónico" in chat.text
    await chat.send("ana@pasto.gov.co")
    # Back to the confirmation with everything else as it was.
    assert "• Nombre: Ana Pérez" in chat.text and "• Cargo: Jefe de Planeación" in chat.text
    assert "• Correo: ana@pasto.gov.co" in chat.text and "Alcaldía de Pasto" in chat.text
    await chat.send("el cargo")  # a field named in words
    await chat.send("Jefa de Planeación")
    assert "• Cargo: Jefa de Planeación" in chat.text and "• Nombre: Ana Pérez" in chat.text
    await chat.send("sí")
    assert "le enviamos un código de 6 dígitos" in chat.text and "ana@pasto.gov.co" in chat.text
    await chat.send(stale)  # the code mailed to the wrong address is void
    assert "no coincide" in chat.text
    await chat.send(await mailed_code(store, "ana@pasto.gov.co"))
    assert "Pregunta 1 de" in chat.text
    async with store.transaction() as tx:
        contact = await tx.contact((await tx.find_conversation(chat.key)).contact_id)
    assert (contact.name, contact.role, contact.email) == (
        "Ana Pérez",
        "Jefa de Planeación",
        "ana@pasto.gov.co",
    )


async def test_the_review_lists_question_answer_and_who_in_pages_under_telegrams_limit(
    engine, store, static
):
    chat = Chat(engine, "7501", channel="telegram")
    await chat.register()
    record = await state_of(store, chat)
    questions = static.questionnaire.questions_for("alcaldia")
    # Every question answered with its longest option (or its largest figure): the longest
    # review there can be.
    async with store.transaction() as tx:
        for question in questions:
            if question.options:
                longest = max(question.options, key=lambda o: len(o.text))
                given = Answer("option", option=longest.id)
            else:
                assert question.figure is not None
                given = Answer("figure", value=question.figure.max or 1_000_000)
            await tx.save_answer(
                record.state["assessment_id"], question.id, given, record.contact_id, T
            )
    await chat.send("revisar")
    await chat.press("Ver respuestas")
    seen: list[str] = []
    for _ in range(40):
        page = chat.last[-1]
        assert len(page.text) < 4096, page.text
        assert page.text.startswith("Respuestas · ")
        seen += re.findall(r"^(\d+)\. ", page.text, re.MULTILINE)
        assert "· Ana Pérez, " in page.text  # who answered, and when
        if not any(o.label == "Siguiente" for o in chat.options):
            break
        await chat.press("Siguiente")
    assert seen == [str(n) for n in range(1, len(questions) + 1)]
    assert "→ e) " in "\n".join(r.text for r in chat.replies)
    await chat.send("gobernanza")  # a dimension by its name
    assert chat.last[-1].text.startswith("Respuestas · Gobernanza")


async def test_no_then_the_exact_figure_saves_it_but_not_another_estimate(engine, store):
    chat = Chat(engine, "repair-no-figure")
    await chat.register()
    await chat.send("b")
    await chat.send("unos 40 o 50")
    assert "punto medio" in chat.text
    await chat.send("no, 42")
    assert "✓ Guardado: 42 %" in chat.text
    await chat.send("atrás")
    await chat.send("unos 40 o 50")
    await chat.send("no, unos 30")  # another estimate: confirmed, never saved as said
    assert "✓ Guardado" not in chat.text
    assert (await _saved(store, chat))[SECOND].answer.value == 42
