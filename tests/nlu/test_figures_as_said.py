"""Figures as hurried officials write them on WhatsApp, read as replies to the real
questionnaire's figure questions through `read_reply` and the default NLU (rules in front of the
trained classifier).

The table is held out: written from how people answer, not from the training data, and each row
says what must happen: saved as given, confirmed with the value proposed, asked again (a count
for a rate, a bound, a figure that cannot be read), or «No sé». Saved-wrong must be 0: nothing is
saved that the person did not give.
"""

from __future__ import annotations

from typing import Literal

import pytest

from bot.conversation.reading import Reading, read_reply
from nlu.rules import RulesFirst

Outcome = Literal["saved", "confirm", "ask", "dont_know", "intent"]

PCT_INTERNET = "PER-EDU-02"  # % of public schools with internet, 0..100
PCT_DROPOUT = "PER-EDU-04"  # school dropout rate, %
PER_1000 = "PER-HDI-03"  # people trained in digital skills per 1.000 habitants
HOMICIDES = "CV-SEG-04"  # homicides per 100.000 habitants
THEFTS = "CV-SEG-05"  # thefts per 100.000 habitants
DATASETS = "GOB-TDA-02"  # a count: open data sets updated
FURAG = "GOB-GTI-04"  # a score: FURAG points
UNEMPLOYMENT = "DE-EMP-04"  # %
ACCESSES = "DE-COT-05"  # fixed internet accesses per 100 habitants
LED = "MA-ENE-04"  # % of street lights that are LED
AFFECTED = "MA-RIE-04"  # people affected by emergencies per 100.000 habitants
ONLINE = "GOB-SDI-01"  # % of procedures fully online
INSURED = "CV-SAL-03"  # % of the population in the health system
NEW_FIRMS = "DE-EME-05"  # new firms per 1.000 habitants
HOUSING = "HAB-VIV-04"  # % of households with a housing deficit
CADASTRE = "HAB-ORD-04"  # % of the area with an updated cadastre
POVERTY = "PER-INC-04"  # % in multidimensional poverty

# (question, what the official wrote, what must happen, the value saved or proposed)
TABLE: list[tuple[str, str, Outcome, float | None]] = [
    # Plain figures, with the punctuation a sentence ends with.
    (PCT_INTERNET, "45%.", "saved", 45),
    (PCT_INTERNET, "45 %,", "saved", 45),
    (PCT_INTERNET, "el 62,5%", "saved", 62.5),
    (PCT_INTERNET, "100%", "saved", 100),
    (PCT_INTERNET, "0", "saved", 0),
    (PCT_INTERNET, "45 porciento", "saved", 45),
    (UNEMPLOYMENT, "9,8 %.", "saved", 9.8),
    (UNEMPLOYMENT, "11.5%", "saved", 11.5),
    (INSURED, "98,7%", "saved", 98.7),
    (PCT_DROPOUT, "3,2%", "saved", 3.2),
    (PCT_DROPOUT, "1,5", "saved", 1.5),
    (DATASETS, "5", "saved", 5),
    (DATASETS, "12 conjuntos de datos", "saved", 12),
    (FURAG, "67,4 puntos", "saved", 67.4),
    (FURAG, "72.5", "saved", 72.5),
    (PER_1000, "12,5", "saved", 12.5),
    (PER_1000, "12,5 por cada mil", "saved", 12.5),
    (HOMICIDES, "24,3 x 100 mil", "saved", 24.3),
    (THEFTS, "312,4 por cada 100.000 habitantes", "saved", 312.4),
    (ACCESSES, "15 accesos por cada 100 habitantes", "saved", 15),
    (NEW_FIRMS, "1,2 por mil habitantes", "saved", 1.2),
    (LED, "el 30%", "saved", 30),
    (AFFECTED, "1.500", "saved", 1500),
    (THEFTS, "2.500.000", "saved", 2_500_000),
    # Number words.
    (PCT_INTERNET, "cero", "saved", 0),
    (PCT_INTERNET, "ninguna", "saved", 0),
    (PCT_INTERNET, "la mitad", "saved", 50),
    (PCT_INTERNET, "todas", "saved", 100),
    (PCT_INTERNET, "un cuarto", "saved", 25),
    (PCT_INTERNET, "setenta por ciento", "saved", 70),
    (PCT_INTERNET, "setenta y cinco %", "saved", 75),
    (PCT_INTERNET, "cuarenta y cinco", "saved", 45),
    (PCT_INTERNET, "cien por ciento", "saved", 100),
    (PCT_DROPOUT, "medio por ciento", "saved", 0.5),
    (PCT_DROPOUT, "4 y medio", "saved", 4.5),
    (PCT_DROPOUT, "cuatro y medio por ciento", "saved", 4.5),
    (DATASETS, "cinco", "saved", 5),
    (DATASETS, "ninguno", "saved", 0),
    (DATASETS, "dos", "saved", 2),
    (DATASETS, "veintiuno", "saved", 21),
    (FURAG, "setenta y dos", "saved", 72),
    (PER_1000, "ninguna", "saved", 0),
    (HOMICIDES, "cero homicidios", "saved", 0),
    (THEFTS, "dos mil quinientos", "saved", 2500),
    # A figure inside other words, a hedge, or a «no sé» that only hedges it: confirmed.
    (PCT_INTERNET, "como el 80", "confirm", 80),
    (PCT_INTERNET, "como la mitad", "confirm", 50),
    (PCT_INTERNET, "todas tienen internet", "confirm", 100),
    (PCT_INTERNET, "ninguna sede tiene conexion", "confirm", 0),
    (PCT_INTERNET, "un tercio", "confirm", 33.3),
    (PCT_INTERNET, "Aprox 85%", "confirm", 85),
    (PCT_INTERNET, "ok 45", "confirm", 45),
    (PCT_INTERNET, "R/ 45%", "confirm", 45),
    (PCT_INTERNET, "no se cuantas exactamente pero yo diria que un 70%", "confirm", 70),
    (PCT_INTERNET, "nose bien, creo que 60%", "confirm", 60),
    (INSURED, "no tengo el dato exacto pero ronda el 90%", "confirm", 90),
    (INSURED, "casi el 99%", "confirm", 99),
    (INSURED, "alrededor del 95 por ciento", "confirm", 95),
    (INSURED, "toda la poblacion", "confirm", 100),
    (PCT_DROPOUT, "cero desercion el año pasado", "confirm", 0),
    (PCT_DROPOUT, "en 2024 fue del 2,8%", "confirm", 2.8),
    (PCT_DROPOUT, "la tasa fue de 5.1 %", "confirm", 5.1),
    (UNEMPLOYMENT, "segun el dane 11,2%", "confirm", 11.2),
    (HOUSING, "el deficit es del 23%", "confirm", 23),
    (CADASTRE, "un 40% mas o menos", "confirm", 40),
    (CADASTRE, "más o menos el 40%", "confirm", 40),
    (POVERTY, "según el censo 2018, 34,5%", "confirm", 34.5),
    (HOMICIDES, "tasa de 24,3", "confirm", 24.3),
    (HOMICIDES, "en el 2023 la tasa fue 18,7", "confirm", 18.7),
    (HOMICIDES, "ningun homicidio", "confirm", 0),
    (PER_1000, "como 8 por cada 1.000 habitantes", "confirm", 8),
    (PER_1000, "nadie termino", "confirm", 0),
    (DATASETS, "actualizamos 7 conjuntos", "confirm", 7),
    (FURAG, "sacamos 67,4 en el ultimo furag", "confirm", 67.4),
    (AFFECTED, "ninguna persona afectada", "confirm", 0),
    (ONLINE, "como el 25%, no estoy seguro", "confirm", 25),
    # Shares of a whole, on a percentage question: confirmed as the percentage.
    (PCT_INTERNET, "11 de 22 sedes", "confirm", 50),
    (PCT_INTERNET, "de 22 sedes tienen internet 11", "confirm", 50),
    (PCT_INTERNET, "3 de cada 10 sedes", "confirm", 30),
    (PCT_INTERNET, "de las 40 sedes, 30 tienen conectividad", "confirm", 75),
    (PCT_INTERNET, "30 sedes de 40", "confirm", 75),
    (LED, "2.500 de 10.000 luminarias", "confirm", 25),
    (LED, "de las 1.200 luminarias ya cambiamos 300 a led", "confirm", 25),
    (ONLINE, "de 40 tramites 10 estan en linea", "confirm", 25),
    (ONLINE, "10/40", "confirm", 25),
    # Ranges: never saved silently; the middle is proposed.
    (PCT_INTERNET, "entre 10 y 15", "confirm", 12.5),
    (PCT_INTERNET, "ps como un 60 o 70%", "confirm", 65),
    (UNEMPLOYMENT, "entre el 10 y el 12%", "confirm", 11),
    (PCT_DROPOUT, "unos 3 o 4", "confirm", 3.5),
    (DATASETS, "unos 3 o 4", "confirm", 3.5),
    (THEFTS, "entre 200 y 300", "confirm", 250),
    # Counts given for a rate or a percentage, and bounds: asked again, never stored.
    (PER_1000, "150 personas", "ask", None),
    (PER_1000, "terminaron 320 personas el curso", "ask", None),
    (HOMICIDES, "3 homicidios", "ask", None),
    (HOMICIDES, "el año pasado hubo 3 homicidios", "ask", None),
    (THEFTS, "como 250 hurtos", "ask", None),
    (ACCESSES, "hay 4.500 accesos", "ask", None),
    (AFFECTED, "afectadas 1.500 personas", "ask", None),
    (AFFECTED, "hubo 2 emergencias con 35 familias afectadas", "ask", None),
    (NEW_FIRMS, "se registraron 85 empresas", "ask", None),
    (PCT_INTERNET, "45 sedes", "ask", None),
    (PCT_DROPOUT, "fueron 12 estudiantes", "ask", None),
    (PCT_INTERNET, "casi todas", "ask", None),
    (PCT_INTERNET, "mas del 50%", "ask", None),
    (PCT_INTERNET, "todas menos dos", "ask", None),
    (LED, "no llegamos ni al 20%", "ask", None),
    # «No sé» on its own.
    (PCT_INTERNET, "no se", "dont_know", None),
    (DATASETS, "ni idea", "dont_know", None),
    # A second batch, written after the reader and run once before any change to it (41 of 48
    # right then; "tenemos 36 sedes y 18 con internet" is still asked again, below).
    (PCT_INTERNET, "Buenas tardes, el 55%", "confirm", 55),
    (PCT_INTERNET, "55 % aprox.", "confirm", 55),
    (PCT_INTERNET, "setenta", "saved", 70),
    (PCT_INTERNET, "sesenta y ocho por ciento.", "saved", 68),
    (PCT_INTERNET, "todas las sedes tienen", "confirm", 100),
    (PCT_INTERNET, "18 de 36", "confirm", 50),
    (PCT_INTERNET, "ninguna todavia", "confirm", 0),
    (PCT_INTERNET, "como unas 20 sedes", "ask", None),
    (PCT_INTERNET, "dos tercios", "confirm", 66.7),
    (PCT_INTERNET, "tres cuartas partes", "saved", 75),
    (PCT_DROPOUT, "2,3", "saved", 2.3),
    (PCT_DROPOUT, "2.3 %", "saved", 2.3),
    (PCT_DROPOUT, "la desercion fue del 3 por ciento", "confirm", 3),
    (PCT_DROPOUT, "menos del 1%", "ask", None),
    (PCT_DROPOUT, "0%", "saved", 0),
    (PCT_DROPOUT, "entre 2 y 3 por ciento", "confirm", 2.5),
    (PER_1000, "capacitamos 450 personas", "ask", None),
    (PER_1000, "450", "saved", 450),
    (PER_1000, "8,3 x cada mil", "saved", 8.3),
    (PER_1000, "la tasa da 8,3", "confirm", 8.3),
    (HOMICIDES, "cero", "saved", 0),
    (HOMICIDES, "tuvimos 5 homicidios en 2024", "ask", None),
    (HOMICIDES, "tasa 31,2 segun medicina legal", "confirm", 31.2),
    (HOMICIDES, "no hubo homicidios", "confirm", 0),
    (THEFTS, "180 x 100.000 hab", "saved", 180),
    (THEFTS, "fueron 1.245 hurtos denunciados", "ask", None),
    (DATASETS, "3", "saved", 3),
    (DATASETS, "tres conjuntos", "saved", 3),
    (DATASETS, "no hemos actualizado ninguno", "confirm", 0),
    (DATASETS, "como 10 o 12", "confirm", 11),
    (FURAG, "71,8", "saved", 71.8),
    (FURAG, "en el furag 2023 sacamos 71,8 puntos", "confirm", 71.8),
    (FURAG, "ochenta y uno", "saved", 81),
    (UNEMPLOYMENT, "10,5% segun el dane", "confirm", 10.5),
    (UNEMPLOYMENT, "diez y medio", "saved", 10.5),
    (UNEMPLOYMENT, "mas o menos 12", "confirm", 12),
    (LED, "400 de 1600", "confirm", 25),
    (LED, "ya todas son led", "confirm", 100),
    (LED, "el 100 por ciento", "saved", 100),
    (INSURED, "95,3%.", "saved", 95.3),
    (INSURED, "casi 97%", "confirm", 97),
    (AFFECTED, "como 300 familias damnificadas", "ask", None),
    (AFFECTED, "nadie", "saved", 0),
    (ACCESSES, "12 por cada 100", "saved", 12),
    (ACCESSES, "12 accesos x cada 100 hab", "saved", 12),
    (HOUSING, "un 30 y pico", "ask", None),
    (HOUSING, "38%", "saved", 38),
]
# Known misses: the dialogue asks instead of proposing the share (safe, not yet right).
MISSES: list[tuple[str, str, Outcome, float | None]] = [
    (PCT_INTERNET, "tenemos 36 sedes y 18 con internet", "confirm", 50),
]


def outcome(reading: Reading) -> tuple[Outcome, float | None]:
    """What the dialogue does with a reading, in the table's terms."""
    answer = reading.answer
    if reading.action == "answer" and answer is not None:
        if answer.kind == "dont_know":
            return "dont_know", None
        return "saved", answer.value
    if reading.action == "confirm" and answer is not None:
        return "confirm", answer.value
    if reading.action == "intent" and reading.intent == "no_sabe":
        return "dont_know", None
    if reading.action == "intent":
        return "intent", None
    return "ask", None  # "ask", and "unclear" (the dialogue asks for the figure again)


def same(value: float | None, expected: float | None) -> bool:
    if value is None or expected is None:
        return value is expected
    return abs(value - expected) < 0.05


@pytest.fixture(scope="module")
def layered(interpreter) -> RulesFirst:
    return RulesFirst(interpreter)


@pytest.mark.parametrize(
    ("question_id", "text", "expected", "value"),
    [
        *TABLE,
        *(
            pytest.param(
                *row,
                marks=pytest.mark.xfail(strict=True, reason="a whole then its part joined by «y»"),
            )
            for row in MISSES
        ),
    ],
)
async def test_a_figure_as_said(layered, questionnaire, question_id, text, expected, value):
    question = questionnaire.question_index[question_id][2]
    assert question.figure is not None
    got, got_value = outcome(read_reply(question, text, await layered.parse(text)))
    assert (got, same(got_value, value)) == (expected, True), (got, got_value)


async def test_nothing_is_saved_that_was_not_given(layered, questionnaire):
    """The table's summary: saved-wrong is 0 (a hedge, a range, a share or a count is never
    stored without the person's yes), and it is large enough to mean something."""
    rows = TABLE + MISSES
    assert len(rows) >= 60 and len({(q, t) for q, t, _, _ in rows}) == len(rows)
    saved_wrong = 0
    for question_id, text, expected, value in rows:
        question = questionnaire.question_index[question_id][2]
        got, got_value = outcome(read_reply(question, text, await layered.parse(text)))
        saved_wrong += got == "saved" and (expected != "saved" or not same(got_value, value))
    assert saved_wrong == 0
