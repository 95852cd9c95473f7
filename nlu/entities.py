"""Entities in Rasa's shape with offsets into the original text.

`email`, `number` (value with a decimal point: "3,5" -> "3.5", "1.200" -> "1200", "80 %" -> "80"),
`option` (a chosen letter or number: "b", "la c", "opción 3", "la segunda" -> "2"), `ticket`
("cti-2026-00042" -> "CTI-2026-00042") and, with a gazetteer, `municipio` / `departamento`
(DANE codes, see `nlu.places`). A lone small integer ("3") is both an option and a number; the
dialogue knows which one its question wants.
"""

from __future__ import annotations

import re

from nlu.base import Entity
from nlu.places import Gazetteer
from nlu.text import fold

EMAIL = "email"
NUMBER = "number"
OPTION = "option"
TICKET = "ticket"

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_TICKET = re.compile(r"(?<![\w-])cti-\d{4}-\d{3,6}(?![\w-])", re.IGNORECASE)
# Dotted thousands ("1.200.000,50") first, then plain digits with an optional decimal part.
_NUMBER = re.compile(
    r"(?<![\w@.,-])(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)(?:\s*(%))?(?![\w@-]|[.,]\d)"
)
_LETTERS = "abcdefgh"
_ORDINALS = {
    "primera": "1", "primero": "1", "segunda": "2", "segundo": "2", "tercera": "3",
    "tercero": "3", "cuarta": "4", "cuarto": "4", "quinta": "5", "quinto": "5",
    "sexta": "6", "sexto": "6",
}  # fmt: skip
_OPTION_WORD = r"(?:opci[oó]n|literal|alternativa|respuesta|letra|n[uú]mero)"
# Whole message: "b", "B)", "la c.", "opción 2", "literal d", "la segunda", "el 3".
_LONE_OPTION = re.compile(
    rf"^\s*(?:(?:la|el)\s+)?(?:{_OPTION_WORD}\s*)?"
    rf"(?P<choice>[{_LETTERS}]|\d{{1,2}}|{'|'.join(_ORDINALS)})\s*[).:!]?\s*$",
    re.IGNORECASE,
)
_OPTION_WORDED = re.compile(_OPTION_WORD, re.IGNORECASE)
# Inside a sentence an explicit word is needed: "creo que es la opción b", "marque el literal c".
_INLINE_OPTION = re.compile(
    rf"(?<!\w){_OPTION_WORD}\s+(?P<choice>[{_LETTERS}]|\d{{1,2}})(?!\w)", re.IGNORECASE
)
# ... or "la b" closing the sentence ("yo diría que la b").
_TRAILING_OPTION = re.compile(rf"(?<!\w)la\s+(?P<choice>[{_LETTERS}])\s*[.!)]?\s*$", re.IGNORECASE)


def _entity(kind: str, start: int, end: int, value: str, confidence: float = 1.0) -> Entity:
    return Entity(entity=kind, start=start, end=end, value=value, confidence=confidence)


def emails(text: str) -> list[Entity]:
    return [_entity(EMAIL, m.start(), m.end(), m.group().lower()) for m in _EMAIL.finditer(text)]


def tickets(text: str) -> list[Entity]:
    return [_entity(TICKET, m.start(), m.end(), m.group().upper()) for m in _TICKET.finditer(text)]


def number_value(raw: str) -> str:
    """Colombian notation to a plain decimal: "1.200,5" -> "1200.5", "3,5" -> "3.5"."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", raw):
        raw = raw.replace(".", "")
    raw = raw.replace(",", ".")
    integer, _, decimals = raw.partition(".")
    integer = integer.lstrip("0") or "0"
    decimals = decimals.rstrip("0")
    return f"{integer}.{decimals}" if decimals else integer


def numbers(text: str) -> list[Entity]:
    taken = [(e["start"], e["end"]) for e in emails(text) + tickets(text)]
    found = []
    for match in _NUMBER.finditer(text):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        found.append(_entity(NUMBER, match.start(), match.end(), number_value(match.group(1))))
    return found


def _choice_value(choice: str) -> str:
    folded = fold(choice)
    return _ORDINALS.get(folded, folded.lstrip("0") or "0")


def options(text: str) -> list[Entity]:
    for pattern in (_LONE_OPTION, _INLINE_OPTION, _TRAILING_OPTION):
        match = pattern.search(text)
        if match is not None:
            start, end = match.span()
            if pattern is _LONE_OPTION:
                start, end = len(text) - len(text.lstrip()), len(text.rstrip())
            elif pattern is _TRAILING_OPTION:
                end = match.end("choice")
            return [_entity(OPTION, start, end, _choice_value(match.group("choice")))]
    return []


class EntityExtractor:
    """Every extractor over one text; places only when a gazetteer is given."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer

    def extract(self, text: str, *, expect_place: bool = False) -> list[Entity]:
        """All entities sorted by position; `expect_place` when a place was just asked for."""
        chosen = options(text)
        # "opción 3" names an option, not a figure; a bare "3" stays both.
        worded = [
            (e["start"], e["end"])
            for e in chosen
            if _OPTION_WORDED.search(text, e["start"], e["end"])
        ]
        figures = [
            e
            for e in numbers(text)
            if not any(s <= e["start"] and e["end"] <= t for s, t in worded)
        ]
        found = emails(text) + tickets(text) + figures + chosen
        if self.gazetteer is not None:
            found += self.gazetteer.find(text, expect=expect_place)
        return sorted(found, key=lambda e: (e["start"], e["end"], e["entity"], e["value"]))
