"""Folding (nlu/text.py): one `fold`, and the three keys built on it that differ on purpose."""

from __future__ import annotations

import pytest

from nlu.text import fold, fold_answer, fold_name, fold_phrase

# text -> (fold, fold_name, fold_answer, fold_phrase)
CASES = [
    ("Bogotá, D.C.", ("bogota, d.c.", "bogota d c", "bogota, d.c.", "bogota, d.c")),
    ("NARIÑO", ("narino", "narino", "narino", "narino")),
    ("  Güicán   de la Sierra ", ("  guican   de la sierra ", "guican de la sierra",
                                  "guican de la sierra", "guican de la sierra")),
    ("¡12,5 %!", ("¡12,5 %!", "12 5", "12,5 %", "12,5 %")),
    ("-3.000.000", ("-3.000.000", "3 000 000", "-3.000.000", "-3.000.000")),
    ("¿Menú?", ("¿menu?", "menu", "menu", "menu?")),  # a "?" stays: it asks
    ("a) Sí, (b)", ("a) si, (b)", "a si b", "a si, b", "a) si, (b)")),
    ("ﬁn １２", ("fin 12", "fin 12", "fin 12", "fin 12")),  # compatibility forms
    ("Straße", ("strasse", "strasse", "strasse", "strasse")),  # casefold, not lower
    ("San Andrés\ny Providencia", ("san andres\ny providencia", "san andres y providencia",
                                   "san andres y providencia", "san andres y providencia")),
    ("!!!", ("!!!", "", "", "!!!")),  # nothing but punctuation stays itself as a phrase
    ("", ("", "", "", "")),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_fold_keeps_what_its_use_needs(text: str, expected: tuple[str, str, str, str]):
    assert (fold(text), fold_name(text), fold_answer(text), fold_phrase(text)) == expected


@pytest.mark.parametrize("text", [text for text, _ in CASES])
def test_folding_twice_changes_nothing(text: str):
    for key in (fold, fold_name, fold_answer, fold_phrase):
        assert key(key(text)) == key(text)
