"""What a reply to a question means (bot.conversation.reading), with the real default
interpreter."""

from __future__ import annotations

import pytest

from bot.conversation.reading import read_reply
from bot.scoring import Answer
from nlu.rules import RulesFirst
from nlu.text import request_part
from tests.nlu.helpers import held_out

# Intents people use in the middle of the questionnaire; none of them may be taken as an answer.
NOT_ANSWERS = {
    "no_sabe", "omitir", "corregir", "repetir", "ayuda", "cancelar", "info_modelo",
    "info_plazos", "info_cofinanciacion", "solicitar_asesoria", "hablar_humano",
    "privacidad", "borrar_datos", "ver_resultados", "estado_ticket",
    "continuar_diagnostico", "iniciar_diagnostico",
}  # fmt: skip


@pytest.fixture(scope="module")
def layered(interpreter) -> RulesFirst:
    return RulesFirst(interpreter)


async def read(layered, questionnaire, question_id: str, text: str):
    question = questionnaire.question_index[question_id][2]
    return read_reply(question, text, await layered.parse(text)), question


def option(question, index: int) -> Answer:
    return Answer("option", option=question.options[index].id)


@pytest.mark.parametrize(
    ("question_id", "text", "action", "index"),
    [
        ("PER-EDU-01", "c", "answer", 2),
        ("PER-EDU-01", "Está en formulación", "answer", 1),
        ("PER-EDU-01", "ya lo adoptamos pero no se ha implementado", "answer", 2),
        ("PER-EDU-03", "no se hace seguimiento", "answer", 0),  # not "no sé"
        ("GOB-GTI-01", "está aprobado pero no se ejecuta todavía", "answer", 2),
        ("PER-EDU-01", "no", "confirm", 0),
        ("GOB-TDA-03", "todo en secop 2", "confirm", 3),
        # Answer first: a statement is an answer, whatever its words resemble.
        ("MA-AAG-01", "revisamos cada mes los datos del ideam", "confirm", 2),
        ("MA-RIE-06", "no se incluyen medidas de cambio climatico", "answer", 0),  # not «no sé»
        ("MA-RES-01", "conocemos rutas y horarios pero no sabemos si se cumplen", "answer", 1),
        ("CV-SAL-01", "telesalud no hay", "confirm", 0),  # negation after the noun
        # Contrast («lo demás») is a part; close options are confirmed, never saved on a hunch.
        ("GOB-SDI-03", "el predial por PSE, lo demas en el banco", "answer", 2),
        ("GOB-SDI-03", "el recibo se baja de la pagina pero se paga en el banco", "confirm", 0),
    ],
)
async def test_answers(layered, questionnaire, question_id, text, action, index):
    reading, question = await read(layered, questionnaire, question_id, text)
    assert (reading.action, reading.answer) == (action, option(question, index))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("no sé", "no_sabe"),
        ("ni idea, eso lo maneja planeación", "no_sabe"),
        ("atrás", "corregir"),
        ("me equivoqué en la anterior", "corregir"),
        ("hasta cuándo hay plazo", "info_plazos"),
        ("necesitamos que nos asesoren con la estrategia", "solicitar_asesoria"),
        ("pausa", "cancelar"),
        ("saltar", "omitir"),
        ("repita la pregunta", "repetir"),
        ("ayuda", "ayuda"),
    ],
)
async def test_intents(layered, questionnaire, text, intent):
    reading, _ = await read(layered, questionnaire, "PER-EDU-01", text)
    assert (reading.action, reading.intent) == ("intent", intent)


async def test_a_figure_in_a_sentence_is_confirmed(layered, questionnaire):
    reading, _ = await read(layered, questionnaire, "PER-EDU-02", "más o menos el 45 %")
    assert reading == type(reading)("confirm", Answer("figure", value=45.0))
    exact, _ = await read(layered, questionnaire, "PER-EDU-02", "45,5")
    assert exact.action == "answer" and exact.answer == Answer("figure", value=45.5)


async def test_gibberish_is_unclear(layered, questionnaire):
    reading, _ = await read(layered, questionnaire, "PER-EDU-01", "el acueducto veredal")
    assert reading.action == "unclear"


async def test_requests_are_not_taken_for_answers_on_any_question(layered, questionnaire):
    """Every held-out request, against every question: read as an answer at most 0.1 % of the
    time (measured: 3 answers and 5 confirmations out of 28,928 readings)."""
    questions = {q.id: q for q in questionnaire.questions_for("alcaldia")}
    questions |= {q.id: q for q in questionnaire.questions_for("gobernacion")}
    readings = taken = asked = 0
    for example in held_out().examples:
        if example.intent not in NOT_ANSWERS:
            continue
        parse = await layered.parse(example.text)
        for question in questions.values():
            action = read_reply(question, example.text, parse).action
            readings += 1
            taken += action == "answer"
            asked += action == "confirm"
    assert readings > 25_000
    assert taken / readings <= 0.001
    assert asked / readings <= 0.001


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        (
            "buenas tardes le habla la secretaria de planeacion de puerto asis queria saber "
            "hasta cuando tenemos plaso",
            "queria saber hasta cuando tenemos plaso",
        ),
        ("buenos dias, soy nuevo en la secretaria, que es el modelo", "que es el modelo"),
        ("Hola, buenos días", "hola buenos dias"),  # nothing else: the salutation is the message
    ],
)
def test_the_request_part_of_a_message(text: str, wanted: str) -> None:
    assert request_part(text) == wanted


async def test_a_salutation_before_a_request_does_not_outweigh_it(layered) -> None:
    text = (
        "buenas tardes le habla la secretaria de planeacion de puerto asis queria saber "
        "hasta cuando tenemos plaso para el diagnostico"
    )
    assert (await layered.parse(text))["intent"]["name"] == "info_plazos"
