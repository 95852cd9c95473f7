"""Numbers in digits and words (nlu.number_words) and a figure read from a message
(nlu.figures), as tables; and both stay linear on hostile input."""

from __future__ import annotations

import time

import pytest

from nlu.figures import Basis, Said, asked, rate_base, read_figure
from nlu.number_words import digits_value, number_at

PCT = "%"
PER_1000 = "personas por cada 1.000 habitantes"
PER_100K = "homicidios por cada 100.000 habitantes"
COUNT = "conjuntos de datos"
SCORE = "puntos"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("45", 45),
        ("1.500", 1500),
        ("2.500.000", 2_500_000),
        ("1,5", 1.5),
        ("12.5", 12.5),  # copied from an English tool
        ("1.234,5", 1234.5),
        ("1,500,000", 1_500_000),
        ("1.2.3", None),
        ("1,2,3", None),
        ("12.34,5", None),
    ],
)
def test_digits_the_colombian_way(raw, value):
    assert digits_value(raw) == value


@pytest.mark.parametrize(
    ("words", "value", "used"),
    [
        ("cero", 0, 1),
        ("uno", 1, 1),
        ("veinte", 20, 1),
        ("veintidos", 22, 1),
        ("cuarenta y cinco", 45, 3),
        ("cien", 100, 1),
        ("ciento treinta y dos", 132, 4),
        ("mil", 1000, 1),
        ("dos mil quinientos", 2500, 3),
        ("mil quinientos", 1500, 2),
        ("un millon doscientos mil", 1_200_000, 4),
        ("4 y medio", 4.5, 3),
        ("cuatro y media", 4.5, 3),
        ("150 mil", 150_000, 2),
        ("2,5 millones", 2_500_000, 2),
        # A run stops where the words stop making one number.
        ("cinco cinco", 5, 1),
        ("veinte treinta", 20, 1),
        ("diez y quince", 10, 1),
        ("cero cinco", 0, 1),
        ("mil mil", 1000, 1),
        ("doscientos cien", 200, 1),
    ],
)
def test_numbers_in_words(words, value, used):
    assert number_at(words.split(), 0) == (value, used)


@pytest.mark.parametrize("words", ["un 70", "una sede", "y cinco", "medio", "hola"])
def test_articles_and_other_words_are_no_number(words):
    assert number_at(words.split(), 0) is None


def test_un_alone_is_one():
    assert number_at(["una"], 0) == (1, 1)


@pytest.mark.parametrize(
    ("unit", "kind", "base"),
    [
        (PCT, "percent", None),
        ("% de la inversión", "percent", None),
        (PER_1000, "rate", 1000),
        (PER_100K, "rate", 100_000),
        ("accesos por cada 100 habitantes", "rate", 100),
        (SCORE, "score", None),
        ("puntos del IRCA", "score", None),
        (COUNT, "count", None),
    ],
)
def test_what_a_unit_asks(unit, kind, base):
    assert (asked(unit), rate_base(unit)) == (kind, base)


@pytest.mark.parametrize(
    ("unit", "text", "said"),
    [
        (PCT, "45%.", Said("exact", 45, with_unit=True)),
        (PCT, "la mitad", Said("exact", 50)),
        (PCT, "todas", Said("exact", 100)),
        (PCT, "ninguna", Said("exact", 0)),
        (PCT, "tres cuartos", Said("exact", 75)),
        (PCT, "dos terceras partes", Said("confirm", 66.7)),
        (PCT, "11 de 22 sedes", Said("confirm", 50, Basis("share", 11, 22))),
        (PCT, "11/22", Said("confirm", 50, Basis("share", 11, 22))),
        (COUNT, "3 de 10 conjuntos", Said("confirm", 3, Basis("share", 3, 10))),
        (PER_1000, "3 de 10", Said("ask", ask="rate")),
        (PCT, "entre 10 y 15", Said("confirm", 12.5, Basis("range", 10, 15))),
        (COUNT, "10-12", Said("confirm", 11, Basis("range", 10, 12))),
        (COUNT, "de 10 a 12", Said("confirm", 11, Basis("range", 10, 12))),
        (PER_1000, "entre 100 y 200 personas", Said("ask", ask="rate")),
        (PER_1000, "150 personas", Said("ask", ask="rate")),
        (PER_1000, "12 personas por cada mil habitantes", Said("exact", 12, with_unit=True)),
        (PER_100K, "cero homicidios", Said("exact", 0)),
        (PER_100K, "no hubo homicidios", Said("confirm", 0)),
        (PCT, "45 sedes", Said("ask", ask="percent")),
        (PCT, "sedes con internet: 45%", Said("confirm", 45, with_unit=True)),
        (PCT, "mas del 50 %", Said("ask", ask="exact")),
        (PCT, "casi todas", Said("ask", ask="exact")),
        (PCT, "unos 30 y pico", Said("ask", ask="exact")),
        (PCT, "mas o menos el 40%", Said("confirm", 40, with_unit=True)),
        (COUNT, "la mitad", Said("none")),  # a share is no count
        (SCORE, "ninguno", Said("none")),  # nor is «none» a score
        (COUNT, "45%", Said("none")),
        (PCT, "12 por cada mil", Said("none")),
        (PCT, "resolucion 1117", Said("none")),
        (PCT, "mi caso CTI-2026-00015", Said("none")),
        (PCT, "pare todo", Said("none")),
        (PCT, "cancele eso de una", Said("none")),
        (PCT, "a 31 de diciembre el 62,5%", Said("confirm", 62.5, with_unit=True)),
        (PCT, "en 2024 fue el 45%", Said("confirm", 45, with_unit=True)),
        (COUNT, "10 40", Said("none")),
    ],
)
def test_a_figure_in_a_message(unit, text, said):
    assert read_figure(text, unit) == said


@pytest.mark.parametrize(
    "hostile",
    [
        "1." * 50_000,
        "1,1" * 30_000,
        "y medio " * 20_000,
        "mil " * 30_000,
        "veinte y " * 20_000,
        "de 1 " * 30_000,
        "9" * 100_000,
    ],
)
def test_hostile_input_is_read_in_linear_time(hostile):
    started = time.perf_counter()
    for unit in (PCT, PER_1000, COUNT):
        read_figure(hostile, unit)
    assert time.perf_counter() - started < 1.0
