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
