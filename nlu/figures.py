"""A figure as officials say it, read from a whole message (the figures in it are found by
`nlu.figure_scan`). Pure, on a message bounded to 2.000 characters and 200 words.

What a message can say (`Said.outcome`):
- "exact": the message is only the figure ("45%.", "cero", "la mitad", "4 y medio",
  "dos mil quinientos", "ninguna" for a count or a percentage): it may be saved as given;
- "confirm": one figure inside other words, a hedge ("unos 70"), a figure derived from what was
  said ("11 de 22 sedes" -> 50 on a percentage question, with `basis`), or a range
  ("entre 10 y 15", "unos 3 o 4": its middle, with `basis`): ask before saving;
- "ask": something that must not be stored as the figure asked for: a count given for a rate
  ("150 personas" for a rate per 1.000 habitants), a count for a percentage ("45 sedes"), or a
  bound ("más del 50 %", "casi todas") instead of a figure;
- "none": no figure, or several that do not make one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from nlu.figure_scan import COUNT_NOUNS, MONTHS, Found, scan, tokenize, words
from nlu.number_words import ARTICLES, digits_value
from nlu.text import fold

# What the question asks for, from its unit: a percentage, a rate per N habitants, a score
# ("puntos"), or a count ("conjuntos de datos").
Asked = Literal["percent", "rate", "score", "count"]
Outcome = Literal["exact", "confirm", "ask", "none"]
# Why a figure must be asked again: a count for a rate, a count for a percentage, a bound.
Ask = Literal["rate", "percent", "exact"]

# Words that make a figure a bound, not a value: "más del 50 %", "no llega al 40", "al menos 3".
_BOUND = words(
    "mas menos encima debajo llega llegamos alcanza alcanzamos superior inferior mayor menor "
    "maximo minimo supera superamos pasa pasamos"
)
# Hedges that contain a bound word but are not a bound: "más o menos 40", "más bien 40".
_HEDGES = (("mas", "o", "menos"), ("mas", "bien"))
_EXCEPT = words("menos excepto salvo pero sino casi no")
_FILLER = words("el la las los lo son es fue seria de del un total hab habs")
_THERE_WERE = words("hubo hay hubieron tenemos tuvimos registramos existen")
_ODD = words("pico tantos tantas algo largos largas")


@dataclass(frozen=True, slots=True)
class Basis:
    """How a proposed figure was derived: a range's ends or a share's part and whole."""

    kind: Literal["range", "share"]
    first: float
    second: float


@dataclass(frozen=True, slots=True)
class Said:
    outcome: Outcome
    value: float | None = None
    basis: Basis | None = None
    ask: Ask | None = None
    # The figure came with the question's own unit ("71,8 puntos", "45 %", "12 por cada mil"):
    # strong evidence of an answer, whatever else the words resemble.
    with_unit: bool = False


NOTHING = Said("none")


def asked(unit: str) -> Asked:
    """What a figure question asks for, from its unit ("%", "personas por cada 1.000
    habitantes", "puntos", "conjuntos de datos")."""
    folded = fold(unit)
    if folded.startswith("%"):
        return "percent"
    if "por cada" in folded:
        return "rate"
    if folded.startswith("puntos"):
        return "score"
    return "count"


def rate_base(unit: str) -> float | None:
    """The N of a rate "per N habitants" ("personas por cada 1.000 habitantes" -> 1000)."""
    match = re.search(r"por cada (\d+(?:\.\d{3})*)", fold(unit))
    return digits_value(match.group(1)) if match else None


def _share(tokens: list[str], figures: list[Found]) -> tuple[float, float] | None:
    """A part of a whole: "11 de 22", "11 sedes de las 22", "3 de cada 10", "11/22", or the
    whole first: "de 22 sedes tienen internet 11", "de las 22, 11 tienen"."""
    if len(figures) != 2 or any(f.share or f.zero or f.percent for f in figures):
        return None
    first, second = figures
    between = [t for t in tokens[first.end : second.start] if t not in ("las", "los", "cada")]
    if first.value <= second.value and second.value > 0 and between in (["de"], ["/"]):
        return first.value, second.value
    opening = [t for t in tokens[max(0, first.start - 2) : first.start] if t not in ("las", "los")]
    if (
        opening[-1:] == ["de"]
        and second.value <= first.value
        and first.value > 0
        and second.start - first.end <= 6
        and "de" not in between
    ):
        return second.value, first.value
    return None


def _range(tokens: list[str], figures: list[Found]) -> tuple[float, float] | None:
    """ "entre 10 y 15", "de 10 a 15", "unos 3 o 4", "10-15", "10 a 15 %"."""
    if len(figures) != 2 or any(f.share or f.zero for f in figures):
        return None
    first, second = figures
    between = [t for t in tokens[first.end : second.start] if t not in ("el", "la", "los", "las")]
    if not first.value < second.value or len(between) != 1:
        return None
    joined = between[0] in ("o", "u", "a", "-", "al", "hasta")
    opening = [t for t in tokens[max(0, first.start - 2) : first.start] if t not in ("el", "la")]
    between_y = between[0] == "y" and opening[-1:] == ["entre"]
    return (first.value, second.value) if joined or between_y else None


def _plain(tokens: list[str], covered: set[int], unit_words: frozenset[str]) -> bool:
    """Nothing but the figure, its unit and small words ("el 45 %", "son 12 conjuntos")."""
    return all(
        i in covered or t in _FILLER or t in unit_words for i, t in enumerate(tokens)
    ) and not any(t in MONTHS for t in tokens)


def _a_count(figure: Found) -> bool:
    """A count of things with no unit saying it is a rate or a percentage."""
    return figure.count and not (figure.rate or figure.percent)


def _as_percent(share: float) -> float:
    return round(share * 100, 1)


def read_figure(text: str, unit: str) -> Said:
    """What `text` says as a figure for a question whose unit is `unit`."""
    tokens = tokenize(text)
    kind = asked(unit)
    unit_words = frozenset(tokenize(unit))
    count_nouns = COUNT_NOUNS | {w for w in unit_words if len(w) > 3 and w not in ("cada",)}
    if kind == "percent":
        count_nouns = COUNT_NOUNS
    figures, covered = scan(tokens, count_nouns)
    if len(figures) > 1:
        # "En 2024 fue el 45 %", "de todas las sedes, el 45 %": the year and the "all" are
        # context; the other figure is the answer.
        context = [f for f in figures if f.every or _year(tokens, f)]
        covered -= {i for f in context for i in range(f.start, f.end)}
        figures = [f for f in figures if f not in context] or figures
    if not figures:
        return _none_of(tokens, count_nouns, kind)
    hedges = _hedge_indexes(tokens)
    if any(
        t in _BOUND and i not in hedges and i not in covered and _near(i, figures)
        for i, t in enumerate(tokens)
    ):
        return Said("ask", ask="exact")
    share = _share(tokens, figures)
    if share is not None:
        part, whole = share
        if kind == "percent":
            return Said("confirm", _as_percent(part / whole), Basis("share", part, whole))
        if kind == "rate":
            return Said("ask", ask="rate")
        return Said("confirm", part, Basis("share", part, whole))
    ends = _range(tokens, figures)
    if ends is not None:
        if kind in ("rate", "percent") and any(_a_count(f) for f in figures):
            return Said("ask", ask=kind)
        low, high = ends
        return Said("confirm", (low + high) / 2, Basis("range", low, high))
    if len(figures) != 1:
        return NOTHING
    figure = figures[0]
    return _one(tokens, covered, figure, kind, unit_words)


def _none_of(tokens: list[str], count_nouns: frozenset[str], kind: Asked) -> Said:
    """ "no hubo homicidios", "no tenemos conjuntos actualizados": a zero to confirm."""
    for i in range(len(tokens) - 2):
        if (
            tokens[i] == "no"
            and tokens[i + 1] in _THERE_WERE
            and tokens[i + 2] in count_nouns
            and kind != "score"
        ):
            return Said("confirm", 0.0)
    return NOTHING


def _year(tokens: list[str], figure: Found) -> bool:
    token = tokens[figure.start]
    return (
        figure.end == figure.start + 1
        and len(token) == 4
        and token.isdigit()
        and 1990 <= int(token) <= 2040
    )


def _hedge_indexes(tokens: list[str]) -> set[int]:
    found: set[int] = set()
    for i in range(len(tokens)):
        for hedge in _HEDGES:
            if tuple(tokens[i : i + len(hedge)]) == hedge:
                found.update(range(i, i + len(hedge)))
    return found


def _near(i: int, figures: list[Found]) -> bool:
    """A word close enough before a figure to bound it ("más del 50", "no llega al 40")."""
    return any(0 < f.start - i <= 3 for f in figures)


def _one(
    tokens: list[str], covered: set[int], figure: Found, kind: Asked, unit_words: frozenset[str]
) -> Said:
    before = tokens[figure.start - 1] if figure.start > 0 else ""
    after = tokens[figure.end] if figure.end < len(tokens) else ""
    if after == "y" and figure.end + 1 < len(tokens) and tokens[figure.end + 1] in _ODD:
        return Said("ask", ask="exact")  # "30 y pico", "20 y tantos"
    if figure.every and (before in _EXCEPT or after in _EXCEPT):
        return Said("ask", ask="exact")  # "casi todas", "todas menos dos"
    if figure.share:
        if kind != "percent":
            return NOTHING
        value = _as_percent(figure.value)
        exact = figure.exact_share and _plain(tokens, covered, unit_words)
        return Said("exact" if exact else "confirm", value)
    if figure.zero and kind == "score":
        return NOTHING
    value = figure.value
    if figure.percent and kind != "percent":
        return NOTHING
    if value and _a_count(figure) and kind in ("rate", "percent"):
        return Said("ask", ask=kind)
    if figure.rate and kind != "rate":
        return NOTHING
    exact = _plain(tokens, covered, unit_words) and before not in ARTICLES
    return Said("exact" if exact else "confirm", value, with_unit=_with_unit(figure, kind))


def _with_unit(figure: Found, kind: Asked) -> bool:
    if kind == "percent":
        return figure.percent
    if kind == "rate":
        return figure.rate
    return figure.count  # "puntos", "conjuntos": the unit's own noun after the number
