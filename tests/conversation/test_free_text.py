"""Conversations in free Spanish through the engine and the default NLU (the trained classifier).

Officials do not always press buttons: they ask about deadlines in the middle of the
questionnaire, say they made a mistake, describe their situation instead of choosing a letter,
and name their municipality in a sentence.
"""

from __future__ import annotations

from tests.conversation.chat import Chat, answers_of, state_of

FIRST = "PER-EDU-01"  # a) No existe un programa ... c) Está adoptado pero aún no se implementa
SECOND = "PER-EDU-02"  # a figure, in %


async def test_a_deadline_question_mid_questionnaire_answers_and_returns(engine, store):
    chat = Chat(engine, "plazos")
    await chat.register()
    assert chat.question_id() == FIRST
    await chat.send("oiga, ¿hasta cuándo hay plazo?")
    assert "1 de abril" in chat.text  # knowledge.info_plazos
    assert chat.question_id() == FIRST and "Pregunta 1 de" in chat.text
    record = await state_of(store, chat)
    assert record.state["current"] == FIRST
    assert await answers_of(store, record.state["assessment_id"]) == {}
    await chat.send("b")
    assert "✓ Guardado: b) Está en formulación" in chat.text


async def test_other_questions_in_the_middle_also_come_back(engine):
    chat = Chat(engine, "asesoria")
    await chat.register()
    # Asking for advice starts a request (issue 7); leaving it returns to the question.
    await chat.send("necesitamos que nos asesoren con la estrategia")
    assert "acompañamiento técnico" in chat.text and "Tema: Formular la estrategia" in chat.text
    await chat.send("cancelar")
    assert "no envié la solicitud" in chat.text and chat.question_id() == FIRST
    await chat.send("q se puede cofinanciar?")
    assert "Fondo Único de TIC" in chat.text and chat.question_id() == FIRST


async def test_i_made_a_mistake_goes_back_to_the_previous_question(engine, store):
    chat = Chat(engine, "equivoque")
    await chat.register()
    await chat.send("a")
    assert chat.question_id() == SECOND
    await chat.send("me equivoqué en la anterior")
    assert chat.question_id() == FIRST
    assert "Respuesta actual: a) No existe un programa" in chat.text
    await chat.send("c")
    assert "✓ Guardado: c) Está adoptado" in chat.text
    assert chat.question_id() == SECOND  # and on to where the person was
    record = await state_of(store, chat)
    answers = await answers_of(store, record.state["assessment_id"])
    assert answers[FIRST].answer.option == "adoptado"


async def test_a_description_of_the_situation_is_saved_as_the_matching_option(engine, store):
    chat = Chat(engine, "describe")
    await chat.register()
    await chat.send("ya lo adoptamos pero no se ha implementado")
    assert "✓ Guardado: c) Está adoptado pero aún no se implementa" in chat.text
    record = await state_of(store, chat)
    answers = await answers_of(store, record.state["assessment_id"])
    assert answers[FIRST].answer.option == "adoptado"


async def test_an_unsure_reading_is_confirmed_before_saving(engine, store):
    chat = Chat(engine, "confirma")
    await chat.register()
    await chat.send("no")
    assert "Entendí: «a) No existe un programa». ¿Es correcto?" in chat.text
    record = await state_of(store, chat)
    assert await answers_of(store, record.state["assessment_id"]) == {}
    await chat.send("no")  # not what they meant: nothing saved, the question again
    assert "no la guardé" in chat.text and chat.question_id() == FIRST
    await chat.send("no")
    await chat.send("sí, correcto")
    assert "✓ Guardado: a) No existe un programa" in chat.text


async def test_a_new_answer_instead_of_yes_or_no_is_read_afresh(engine):
    chat = Chat(engine, "afresh")
    await chat.register()
    await chat.send("no")
    assert "¿Es correcto?" in chat.text
    await chat.send("estamos formulándolo")
    assert "✓ Guardado: b) Está en formulación" in chat.text


async def test_a_figure_in_a_sentence_is_confirmed(engine):
    chat = Chat(engine, "cifra")
    await chat.register()
    await chat.send("a")
    await chat.send("más o menos el 45 %")
    assert "Entendí: «45 %»" in chat.text
    await chat.press("Sí")
    assert "✓ Guardado: 45 %" in chat.text


async def test_low_confidence_offers_choices_instead_of_guessing(engine, store):
    # Suggestions are buttons on Telegram (as words elsewhere: tests/conversation/test_repairs.py);
    # the question is shown again below them.
    chat = Chat(engine, "7301", channel="telegram")
    await chat.register()
    await chat.send("fechas de la convocatoria")  # plazos? cofinanciación?
    hint = next(r for r in chat.last if "No reconocí" in r.text)
    labels = [o.label for o in hint.options]
    assert "Cofinanciación" in labels and "Plazos y fechas" in labels
    assert "Si quería otra cosa, elija aquí abajo" in hint.text
    assert chat.question_id() == FIRST
    record = await state_of(store, chat)
    assert record.state["current"] == FIRST
    assert await answers_of(store, record.state["assessment_id"]) == {}
    await chat.send(option=next(o.value for o in hint.options if o.label == "Plazos y fechas"))
    assert "1 de abril" in chat.text and chat.question_id() == FIRST


async def test_in_the_menu_an_unclear_message_gets_choices(engine):
    chat = Chat(engine, "7302", channel="telegram")  # buttons (words elsewhere)
    await chat.register()
    await chat.send("pausa")
    assert "hacemos una pausa" in chat.text
    await chat.send("necesito saber del modelo y los plazos")
    assert "¿Se refiere a alguna de estas opciones?" in chat.text
    labels = [o.label for o in chat.options]
    assert labels[:2] == ["Qué es el Modelo de Madurez", "Plazos y fechas"]
    await chat.press("Qué es el Modelo de Madurez")
    assert "seis dimensiones" in chat.text


async def test_in_the_menu_i_made_a_mistake_reopens_the_last_answer(engine):
    chat = Chat(engine, "menu-back")
    await chat.register()
    await chat.send("b")
    await chat.send("pausa")
    await chat.send("me equivoqué, quiero corregir")
    assert chat.question_id() == FIRST
    assert "Respuesta actual: b) Está en formulación" in chat.text


async def test_next_question_skips_and_the_menu_continues(engine):
    chat = Chat(engine, "siguiente")
    await chat.register()
    await chat.send("siguiente")
    assert "La dejamos para después" in chat.text and chat.question_id() == SECOND
    await chat.send("pausa")
    await chat.send("siguiente")
    assert chat.question_id() == SECOND


async def test_registration_from_one_sentence(engine):
    chat = Chat(engine, "frase")
    await chat.send("hola")
    await chat.press("Acepto")
    await chat.send("somos de la alcaldía de cartagena")
    assert "¿Su entidad es la Alcaldía de Cartagena de Indias (Bolívar)?" in chat.text


async def test_registration_sentence_with_an_ambiguous_name_asks_the_department(engine):
    chat = Chat(engine, "frase-ambigua")
    await chat.send("hola")
    await chat.press("Acepto")
    await chat.send("le escribo de la alcaldía de san pedro")
    assert "entidades con ese nombre" in chat.text
    labels = [o.label for o in chat.options]
    assert any("San Pedro (Sucre)" in label for label in labels)
    assert any("San Pedro (Valle del Cauca)" in label for label in labels)


async def test_registration_sentence_for_a_gobernacion(engine):
    chat = Chat(engine, "frase-gob")
    await chat.send("hola")
    await chat.press("Acepto")
    await chat.send("trabajo en la gobernación del huila")
    assert "¿Su entidad es la Gobernación de Huila?" in chat.text
