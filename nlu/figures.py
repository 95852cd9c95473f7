"""A figure as officials say it, read from a whole message. Pure and linear in the tokens.

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

from nlu.number_words import ARTICLES, digits_value, number_at
from nlu.text import fold

# What the question asks for, from its unit: a percentage, a rate per N habitants, a score
# ("puntos"), or a count ("conjuntos de datos").
Asked = Literal["percent", "rate", "score", "count"]
Outcome = Literal["exact", "confirm", "ask", "none"]
# Why a figure must be asked again: a count for a rate, a count for a percentage, a bound.
Ask = Literal["rate", "percent", "exact"]

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+|[%/-]")
# Ticket numbers and addresses are no figures ("CTI-2026-00015", "tic2@pasto.gov.co").
# The look-behind starts a match only where a run starts, so a long run is scanned once.
_CODES = re.compile(r"cti-\d{4}-\d+|(?<![\w.+-])[\w.+-]+@[\w.-]+")
# Answers are short: a long message is read on its first 2.000 characters and 200 words.
_MAX_CHARS = 2000
_MAX_TOKENS = 200


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_MONTHS = _words(
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre "
    "diciembre"
)
_YEAR_CUE = _words("ano anos en del vigencia corte desde durante periodo censo")
_NAMING = _words(
    "resolucion ley decreto articulo acuerdo numeral conpes circular norma version pregunta "
    "opcion item radicado caso ticket solicitud codigo nit telefono celular cel whatsapp"
)
_ZERO = _words("ninguno ninguna ningun nadie")
_ALL = _words("todas todos toda todo")
# Words that make a figure a bound, not a value: "más del 50 %", "no llega al 40", "al menos 3".
_BOUND = _words(
    "mas menos encima debajo llega llegamos alcanza alcanzamos superior inferior mayor menor "
    "maximo minimo supera superamos pasa pasamos"
)
# Hedges that contain a bound word but are not a bound: "más o menos 40", "más bien 40".
_HEDGES = (("mas", "o", "menos"), ("mas", "bien"))
_EXCEPT = _words("menos excepto salvo pero sino casi no")
_FILLER = _words("el la las los lo son es fue seria de del un total hab habs")
_THERE_WERE = _words("hubo hay hubieron tenemos tuvimos registramos tenemos existen")
_ODD = _words("pico tantos tantas algo largos largas")
_COUNT_NOUNS = _words(
    "sedes colegios escuelas instituciones personas habitantes hogares familias estudiantes "
    "ninos alumnos casos homicidios muertes muertos asesinatos hurtos robos empresas tramites "
    "luminarias lamparas accesos conexiones usuarios afiliados desempleados ocupados "
    "trabajadores viviendas afectados afectadas damnificados predios hectareas toneladas"
)
_THIRDS = frozenset({"tercio", "tercios", "tercera", "terceras"})
_FOURTHS = frozenset({"cuarto", "cuartos", "cuarta", "cuartas"})


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


@dataclass(slots=True)
class _Figure:
    value: float
    start: int
    end: int  # token index after the figure and its markers
    percent: bool = False
    rate: bool = False
    count: bool = False
    share: bool = False  # a fraction word ("la mitad"): value is a share of 1
    exact_share: bool = True
    zero: bool = False
    every: bool = False


def _tokens(text: str) -> list[str]:
    folded = _CODES.sub(" ", fold(text[:_MAX_CHARS])).replace("%", " % ")
    tokens = [m.group() for m in _TOKEN.finditer(folded)][:_MAX_TOKENS]
    # A number that names something is no figure: "resolución 1117", "la pregunta 12".
    return [
        "#" if i > 0 and tokens[i - 1] in _NAMING and t[0].isdigit() else t
        for i, t in enumerate(tokens)
    ]


def _marker(tokens: list[str], j: int) -> tuple[str, int] | None:
    """A unit marker at tokens[j]: ("percent", after) for "%", "por ciento", "porciento";
    ("rate", after) for "por cada 1.000", "por mil", "x cada cien mil", "/1000"."""
    token = tokens[j]
    if token == "%" or token == "porciento":
        return "percent", j + 1
    if token in ("por", "x") and j + 1 < len(tokens):
        if tokens[j + 1] in ("ciento", "cien") and not (
            j + 2 < len(tokens) and tokens[j + 2] == "mil"
        ):
            return "percent", j + 2
        k = j + 2 if tokens[j + 1] == "cada" else j + 1
        if k < len(tokens):
            number = number_at(tokens, k)
            if number is not None and number[0] in (100, 1_000, 10_000, 100_000):
                return "rate", number[1]
    if token == "/" and j + 1 < len(tokens):
        number = number_at(tokens, j + 1)
        if number is not None and number[0] in (1_000, 10_000, 100_000):
            return "rate", number[1]
    return None


def _percent_follows(tokens: list[str], j: int) -> bool:
    marker = _marker(tokens, j) if j < len(tokens) else None
    return marker is not None and marker[0] == "percent"


def _fraction_word(tokens: list[str], j: int) -> tuple[float, int, bool] | None:
    """ "la mitad", "un tercio", "tres cuartos", "dos terceras partes" at tokens[j]:
    (share, after, exact as a whole percentage)."""
    if tokens[j] == "mitad":
        return 0.5, j + 1, True
    ahead = {"un": 1, "una": 1, "dos": 2, "tres": 3}.get(tokens[j])
    if ahead is None or j + 1 >= len(tokens):
        return None
    after = j + 2
    if after < len(tokens) and tokens[after] in ("parte", "partes"):
        after += 1
    if tokens[j + 1] in _THIRDS and ahead < 3:
        return ahead / 3, after, False
    if tokens[j + 1] in _FOURTHS:
        return ahead / 4, after, True
    return None


def _is_date(tokens: list[str], start: int, end: int, value: float) -> bool:
    """A day next to a month ("31 de diciembre") or a year after a cue ("en 2024")."""
    near = tokens[max(0, start - 2) : start] + tokens[end : end + 2]
    if any(t in _MONTHS for t in near) and value <= 31 and not _percent_follows(tokens, end):
        return True
    if value == int(value) and 1990 <= value <= 2040 and end == start + 1:
        before = [t for t in tokens[max(0, start - 2) : start] if t != "el"]
        return bool(before) and (before[-1] in _YEAR_CUE or before[-1] in _MONTHS)
    return False


def _scan(tokens: list[str], count_nouns: frozenset[str]) -> tuple[list[_Figure], set[int]]:
    """The figures in the message and the token indexes they and their markers cover."""
    figures: list[_Figure] = []
    covered: set[int] = set()
    j = 0
    while j < len(tokens):
        token = tokens[j]
        found: _Figure | None = None
        fraction = _fraction_word(tokens, j)
        if fraction is not None:
            found = _Figure(fraction[0], j, fraction[1], share=True, exact_share=fraction[2])
        elif token in _ZERO:
            found = _Figure(0.0, j, j + 1, zero=True)
        elif token == "ni" and j + 1 < len(tokens) and tokens[j + 1] in ("uno", *ARTICLES):
            found = _Figure(0.0, j, j + 2, zero=True)  # "ni una"
        elif token in _ALL and (
            token.endswith("s") or (j + 1 < len(tokens) and tokens[j + 1] in ("el", "la"))
        ):
            found = _Figure(1.0, j, j + 1, share=True, every=True)  # "todas", "toda la ..."
        elif token == "medio" and _percent_follows(tokens, j + 1):
            found = _Figure(0.5, j, j + 1)  # "medio por ciento"
        else:
            number = number_at(tokens, j)
            if number is not None:
                found = _Figure(number[0], j, number[1])
        if found is None:
            j += 1
            continue
        if not found.share and _is_date(tokens, found.start, found.end, found.value):
            covered.update(range(found.start, found.end))
            j = found.end
            continue
        end = found.end
        if found.start > 0 and tokens[found.start - 1] in count_nouns:
            found.count = True  # "homicidios: 3", "afectadas 1.500 personas"
        if end < len(tokens) and tokens[end] in count_nouns:
            found.count, end = True, end + 1
        marker = _marker(tokens, end) if end < len(tokens) else None
        if marker is not None:
            found.percent = marker[0] == "percent"
            found.rate = marker[0] == "rate"
            end = marker[1]
        found.end = end
        covered.update(range(found.start, end))
        figures.append(found)
        j = end
    return figures, covered


def _share(tokens: list[str], figures: list[_Figure]) -> tuple[float, float] | None:
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


def _range(tokens: list[str], figures: list[_Figure]) -> tuple[float, float] | None:
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
        i in covered or t in _FILLER or t in unit_words or t in _MONTHS
        for i, t in enumerate(tokens)
    ) and not any(t in _MONTHS for t in tokens)


def _a_count(figure: _Figure) -> bool:
    """A count of things with no unit saying it is a rate or a percentage."""
    return figure.count and not (figure.rate or figure.percent)


def _as_percent(share: float) -> float:
    return round(share * 100, 1)


def read_figure(text: str, unit: str) -> Said:
    """What `text` says as a figure for a question whose unit is `unit`."""
    tokens = _tokens(text)
    kind = asked(unit)
    unit_words = frozenset(_tokens(unit))
    count_nouns = _COUNT_NOUNS | {w for w in unit_words if len(w) > 3 and w not in ("cada",)}
    if kind == "percent":
        count_nouns = _COUNT_NOUNS
    figures, covered = _scan(tokens, count_nouns)
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


def _year(tokens: list[str], figure: _Figure) -> bool:
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


def _near(i: int, figures: list[_Figure]) -> bool:
    """A word close enough before a figure to bound it ("más del 50", "no llega al 40")."""
    return any(0 < f.start - i <= 3 for f in figures)


def _one(
    tokens: list[str], covered: set[int], figure: _Figure, kind: Asked, unit_words: frozenset[str]
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
    return Said("exact" if exact else "confirm", value, with_unit=_with_unit(tokens, figure, kind))


def _with_unit(tokens: list[str], figure: _Figure, kind: Asked) -> bool:
    if kind == "percent":
        return figure.percent
    if kind == "rate":
        return figure.rate
    return figure.count  # "puntos", "conjuntos": the unit's own noun after the number
