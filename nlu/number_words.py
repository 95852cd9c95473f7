"""Numbers written the way Colombians write and say them, for reading answers.

`digits_value`: "1.500" -> 1500, "2.500.000" -> 2500000, "1,5" -> 1.5, "12.5" -> 12.5.
`number_at`: a number that starts at a token, in digits or words ("dos mil quinientos",
"cuarenta y cinco", "4 y medio", "150 mil"), and the token after it. Both are pure and take
time linear in the tokens they read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_UNITS = {
    "cero": 0, "uno": 1, "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
    "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
}  # fmt: skip
_TEENS = {
    "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
    "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
    "veintiuno": 21, "veintiun": 21, "veintiuna": 21, "veintidos": 22, "veintitres": 23,
    "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27,
    "veintiocho": 28, "veintinueve": 29,
}  # fmt: skip
_TENS = {
    "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
    "ochenta": 80, "noventa": 90,
}  # fmt: skip
_HUNDREDS = {
    "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300,
    "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500,
    "quinientas": 500, "seiscientos": 600, "seiscientas": 600, "setecientos": 700,
    "setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900,
    "novecientas": 900,
}  # fmt: skip
WORDS: dict[str, int] = _UNITS | _TEENS | _TENS | _HUNDREDS
# "un" / "una" are articles far more often than numbers ("un 70 %", "una sede"): they are the
# number 1 only before a multiplier ("un millón") or as the whole message.
ARTICLES = frozenset({"un", "una"})
_MULTIPLIERS = {"mil": 1_000, "millon": 1_000_000, "millones": 1_000_000}
_HALF = frozenset({"medio", "media"})

_MAX_DIGITS = 24  # characters, separators included
_DOTTED = re.compile(r"\d{1,3}(?:\.\d{3})+")
_COMMA_GROUPED = re.compile(r"\d{1,3}(?:,\d{3}){2,}")


def digits_value(raw: str) -> float | None:
    """Digits with Colombian separators (dot for thousands, comma for decimals) to a float.

    A single dot before exactly three digits is a thousands separator ("1.500"); before other
    counts it is a decimal point ("12.5"), as people copy figures from English tools. More
    than 18 digits is no figure anyone reports."""
    if len(raw) > _MAX_DIGITS:
        return None
    if "," in raw and "." in raw:
        whole, _, decimals = raw.rpartition(",")
        if not _DOTTED.fullmatch(whole) or not decimals.isdigit():
            return None
        return float(whole.replace(".", "") + "." + decimals)
    if "," in raw:
        if _COMMA_GROUPED.fullmatch(raw):
            return float(raw.replace(",", ""))
        if raw.count(",") > 1:
            return None
        return float(raw.replace(",", "."))
    if raw.count(".") > 1 or re.fullmatch(r"\d{1,3}\.\d{3}", raw):
        return float(raw.replace(".", "")) if _DOTTED.fullmatch(raw) else None
    return float(raw)


def _place(value: int) -> int:
    """The lowest non-zero decimal place of `value` (240 -> 10, 200 -> 100, 0 -> 1000)."""
    if value == 0:
        return 1000
    place = 1
    while value % (place * 10) == 0:
        place *= 10
    return place


def _words_at(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """A number in words under a thousand from tokens[i]: (value, next index)."""
    value, j, last = 0, i, -1
    while j < len(tokens):
        word = tokens[j]
        if word == "y" and last in _TENS.values() and j + 1 < len(tokens):
            unit = _UNITS.get(tokens[j + 1], 0)
            if unit == 0:
                break
            value, j, last = value + unit, j + 2, unit
            continue
        if word not in WORDS or (word == "cero" and j > i):
            break
        number = WORDS[word]
        if j > i and not number < _place(value):
            break
        value, j, last = value + number, j + 1, number
        if word == "cero":
            break
    return (value, j) if j > i else None


def number_at(tokens: Sequence[str], i: int) -> tuple[float, int] | None:
    """The number that starts at tokens[i] (digits or words, with "mil" / "millones" and a
    trailing "y medio"), as (value, index after it); None if no number starts there."""
    token = tokens[i]
    if token[0].isdigit():
        digits = digits_value(token)
        if digits is None:
            return None
        value, j = digits, i + 1
        if j < len(tokens) and tokens[j] in _MULTIPLIERS:
            value, j = value * _MULTIPLIERS[tokens[j]], j + 1
    else:
        if token in ARTICLES and not (
            (i + 1 < len(tokens) and tokens[i + 1] in _MULTIPLIERS) or len(tokens) == 1
        ):
            return None
        total, j, seen = 0, i, False
        while j < len(tokens):
            # "mil" alone is a thousand; "dos mil quinientos", "un millón doscientos mil".
            small = _words_at(tokens, j) if tokens[j] not in _MULTIPLIERS else None
            part, after = small if small is not None else (0, j)
            if after < len(tokens) and tokens[after] in _MULTIPLIERS:
                multiplier = _MULTIPLIERS[tokens[after]]
                if total and multiplier >= _place(total):
                    break  # "mil mil" is not a number
                total, j, seen = total + (part or 1) * multiplier, after + 1, True
                continue
            if small is not None and (not total or part < _place(total)):
                total, j, seen = total + part, after, True
            break
        if not seen:
            return None
        value = float(total)
    if j + 1 < len(tokens) and tokens[j] == "y" and tokens[j + 1] in _HALF and value == int(value):
        value, j = value + 0.5, j + 2
    return value, j
