"""Numbered answers to a block of questions, as people write them in an email."""

from __future__ import annotations

import pytest

from dialogues.blocks import numbered_items


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1) b\n2) no sé\n3) d", {1: "b", 2: "no sé", 3: "d"}),
        ("1) b  2) no sé  3) d", {1: "b", 2: "no sé", 3: "d"}),
        ("1. b\n2. 35,5 %\n3. la c", {1: "b", 2: "35,5 %", 3: "la c"}),
        (
            "1- no sé\n2: omitir\n3) Está en formulación",
            {1: "no sé", 2: "omitir", 3: "Está en formulación"},
        ),
        ("1b 2c 3a", {1: "b", 2: "c", 3: "a"}),
        ("1) b, 2) c; 3) a", {1: "b", 2: "c", 3: "a"}),
        ("Buenos días,\n1) b\n3) d\nGracias", {1: "b", 3: "d Gracias"}),
        ("1) b\n2) 3,5\n\nAna Pérez\nSecretaria TIC", {1: "b", 2: "3,5"}),
        ("1) 2.500 personas\n2) a", {1: "2.500 personas", 2: "a"}),
        ("1) 12\n2) 3", {1: "12", 2: "3"}),
        ("1) a\n1) c", {1: "a 1) c"}),  # a repeat is not increasing: part of the first answer
    ],
)
def test_numbered_items(text, expected):
    assert numbered_items(text, 3) == expected


@pytest.mark.parametrize("text", ["", "resultados", "quiero ayuda", "9) b", "hola 2024"])
def test_no_items(text):
    assert numbered_items(text, 3) is None
