"""Reading what a person typed as an answer: table tests over the factory questionnaire."""

import pytest

from dialogues.parsing import Understood, parse_answer, parse_goto, parse_number
from tests.factories import build

Q = build()
MOV = Q.question_index["HAB-MOV-01"][2]  # options a(0) b(30) c(70) d(100): ids a, b, c, d
SER = Q.question_index["GOB-SER-01"][2]  # options no, parcial, si
PCT = Q.question_index["GOB-SER-03"][2]  # figure in %


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", "no"),
        ("A", "no"),
        ("b)", "parcial"),
        ("la c", "si"),
        ("opción 2", "parcial"),
        ("Opcion B", "parcial"),
        ("3", "si"),
        (" 1. ", "no"),
        ("Opción si", "si"),  # the option's exact words, accents ignored
        ("OPCIÓN PARCIAL", "parcial"),
    ],
)
def test_strict_option_answers(text, expected):
    assert parse_answer(SER, text) == Understood(expected)


@pytest.mark.parametrize(
    "text", ["", "   ", "z", "4", "0", "opción 9", "tal vez", "<script>", "🙂"]
)
def test_not_an_answer(text):
    assert parse_answer(SER, text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("80", 80.0),
        ("80 %", 80.0),
        ("80%", 80.0),
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("1.234", 1234.0),
        ("1.234,5", 1234.5),
        ("1.234.567", 1234567.0),
        ("0", 0.0),
        ("-3", -3.0),
    ],
)
def test_numbers_colombian_style(text, value):
    assert parse_number(text) == value
    assert parse_answer(PCT, text) == Understood(value)


@pytest.mark.parametrize("text", ["ochenta", "80 y algo", "1,2,3", "a", "", "%", "10 40"])
def test_not_a_number(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("45%.", 45.0),
        ("45 %,", 45.0),
        ("80 por ciento", 80.0),
        ("ochenta", 80.0),
        ("cero", 0.0),
        ("la mitad", 50.0),
        ("medio por ciento", 0.5),
        ("4 y medio", 4.5),
    ],
)
def test_a_figure_said_plainly_is_a_strict_answer(text, value):
    """By email nothing is guessed: only a message that is the figure and nothing else."""
    assert parse_answer(PCT, text) == Understood(value)


@pytest.mark.parametrize("text", ["como el 80", "11 de 22", "entre 10 y 15", "45 sedes"])
def test_a_figure_to_confirm_is_no_strict_answer(text):
    assert parse_answer(PCT, text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ir a 12", "12"),
        ("cambiar la 7", "7"),
        ("pregunta GOB-SER-01", "GOB-SER-01"),
        ("hola", None),
    ],
)
def test_goto(text, expected):
    assert parse_goto(text) == expected
