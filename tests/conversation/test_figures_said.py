"""Figures said in words through the engine: a confirmed figure out of range, a count given for a
rate, a hedged figure."""

from __future__ import annotations

from tests.conversation.chat import Chat, answers_of, state_of

SECOND = "PER-EDU-02"  # a figure, in %, from 0 to 100


async def test_a_confirmed_figure_out_of_range_keeps_the_question_and_the_next_message(
    engine, store
):
    chat = Chat(engine, "fuera-de-rango")
    await chat.register()
    await chat.send("a")
    assert chat.question_id() == SECOND
    await chat.send("yo creo que como 150 %")
    assert "Entendí: «150 %»" in chat.text
    await chat.press("Sí")
    assert "fuera del rango esperado" in chat.text
    record = await state_of(store, chat)
    assert record.state["current"] == SECOND
    assert SECOND not in await answers_of(store, record.state["assessment_id"])
    await chat.send("45")
    assert "✓ Guardado: 45 %" in chat.text
    assert "Pregunta 1 de" not in chat.text


async def test_a_count_given_for_a_rate_is_asked_as_a_rate(engine, store, static):
    chat = Chat(engine, "conteo")
    await chat.register()
    ids = [q.id for q in static.questionnaire.questions_for("alcaldia")]
    await chat.send(f"ir a {ids.index('PER-HDI-03') + 1}")
    assert chat.question_id() == "PER-HDI-03", chat.text
    await chat.send("150 personas")
    assert "no la guardé" in chat.text and "multiplique por 1.000" in chat.text
    record = await state_of(store, chat)
    assert record.state["current"] == "PER-HDI-03"
    assert "PER-HDI-03" not in await answers_of(store, record.state["assessment_id"])
    await chat.send("12,5")
    assert "✓ Guardado: 12,5 personas por cada 1.000 habitantes" in chat.text


async def test_a_share_and_a_range_are_confirmed_with_what_they_came_from(engine):
    chat = Chat(engine, "fraccion")
    await chat.register()
    await chat.send("a")
    await chat.send("de 22 sedes tienen internet 11")
    assert "Entendí 11 de 22, es decir «50 %». ¿Es correcto?" in chat.text
    await chat.press("No")
    assert "no la guardé. Escriba la cifra exacta en %" in chat.text
    assert "letra" not in chat.text
    await chat.send("entre 10 y 15")
    assert "entre 10 y 15" in chat.text and "«12,5 %»" in chat.text
    await chat.press("Sí")
    assert "✓ Guardado: 12,5 %" in chat.text


async def test_a_hedging_no_se_does_not_hide_the_figure(engine, store):
    chat = Chat(engine, "no-se-pero")
    await chat.register()
    await chat.send("a")
    await chat.send("no se cuantas exactamente pero yo diria que un 70%")
    assert "Entendí: «70 %»" in chat.text
    await chat.press("Sí")
    assert "✓ Guardado: 70 %" in chat.text
    record = await state_of(store, chat)
    saved = await answers_of(store, record.state["assessment_id"])
    assert saved[SECOND].answer.value == 70


async def test_a_bound_or_a_count_for_a_percentage_is_asked_again(engine, store):
    chat = Chat(engine, "cota")
    await chat.register()
    await chat.send("a")
    await chat.send("mas del 50%")
    assert "necesito el número exacto en %" in chat.text
    await chat.send("45 sedes")
    assert "esta pregunta pide un porcentaje" in chat.text and "«11 de 22»" in chat.text
    record = await state_of(store, chat)
    assert record.state["current"] == SECOND
    assert SECOND not in await answers_of(store, record.state["assessment_id"])
    await chat.send("la mitad")
    assert "✓ Guardado: 50 %" in chat.text
