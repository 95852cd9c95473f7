"""Finding the figures in a message: numbers in digits or words with their unit markers
("%", "por ciento", "por cada 1.000"), fraction words ("la mitad", "un tercio"), zero and all
words ("ninguna", "todas"), and the count nouns around them; dates, ticket numbers, addresses
and numbers that name something ("resolución 1117") are left out. What the figures say is
decided by `nlu.figures`.

Pure. A message is read on its first 2.000 characters and 200 words, each word a bounded
number of times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.number_words import ARTICLES, number_at
from nlu.text import fold

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+|[%/-]")
# Ticket numbers and addresses are no figures ("CTI-2026-00015", "tic2@pasto.gov.co").
# The look-behind starts a match only where a run starts, so a long run is scanned once.
_CODES = re.compile(r"cti-\d{4}-\d+|(?<![\w.+-])[\w.+-]+@[\w.-]+")
# Answers are short: a long message is read on its first 2.000 characters and 200 words.
_MAX_CHARS = 2000
_MAX_TOKENS = 200


def words(text: str) -> frozenset[str]:
    """A set of folded words written as one string."""
    return frozenset(text.split())


MONTHS = words(
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre "
    "diciembre"
)
_YEAR_CUE = words("ano anos en del vigencia corte desde durante periodo censo")
_NAMING = words(
    "resolucion ley decreto articulo acuerdo numeral conpes circular norma version pregunta "
    "opcion item radicado caso ticket solicitud codigo nit telefono celular cel whatsapp"
)
_ZERO = words("ninguno ninguna ningun nadie")
_ALL = words("todas todos toda todo")
# Nouns that make a number a count of things ("150 personas", "45 sedes"), not a rate or a share.
COUNT_NOUNS = words(
    "sedes colegios escuelas instituciones personas habitantes hogares familias estudiantes "
    "ninos alumnos casos homicidios muertes muertos asesinatos hurtos robos empresas tramites "
    "luminarias lamparas accesos conexiones usuarios afiliados desempleados ocupados "
    "trabajadores viviendas afectados afectadas damnificados predios hectareas toneladas"
)
_THIRDS = frozenset({"tercio", "tercios", "tercera", "terceras"})
_FOURTHS = frozenset({"cuarto", "cuartos", "cuarta", "cuartas"})


@dataclass(slots=True)
class Found:
    """A figure found in the tokens, with what surrounds it."""

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


def tokenize(text: str) -> list[str]:
    """Folded words, numbers as written ("1.500", "12,5") and "%", "/", "-"; a number after a
    naming word becomes "#"."""
    folded = _CODES.sub(" ", fold(text[:_MAX_CHARS])).replace("%", " % ")
    tokens = [m.group() for m in _TOKEN.finditer(folded)][:_MAX_TOKENS]
    # A number that names something is no figure: "resolución 1117", "la pregunta 12".
    return [
        "#" if i > 0 and tokens[i - 1] in _NAMING and t[0].isdigit() else t
        for i, t in enumerate(tokens)
    ]


def unit_marker(tokens: list[str], j: int) -> tuple[str, int] | None:
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


def percent_follows(tokens: list[str], j: int) -> bool:
    marker = unit_marker(tokens, j) if j < len(tokens) else None
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
    if any(t in MONTHS for t in near) and value <= 31 and not percent_follows(tokens, end):
        return True
    if value == int(value) and 1990 <= value <= 2040 and end == start + 1:
        before = [t for t in tokens[max(0, start - 2) : start] if t != "el"]
        return bool(before) and (before[-1] in _YEAR_CUE or before[-1] in MONTHS)
    return False


def scan(tokens: list[str], count_nouns: frozenset[str]) -> tuple[list[Found], set[int]]:
    """The figures in the message and the token indexes they and their markers cover."""
    figures: list[Found] = []
    covered: set[int] = set()
    j = 0
    while j < len(tokens):
        token = tokens[j]
        found: Found | None = None
        fraction = _fraction_word(tokens, j)
        if fraction is not None:
            found = Found(fraction[0], j, fraction[1], share=True, exact_share=fraction[2])
        elif token in _ZERO:
            found = Found(0.0, j, j + 1, zero=True)
        elif token == "ni" and j + 1 < len(tokens) and tokens[j + 1] in ("uno", *ARTICLES):
            found = Found(0.0, j, j + 2, zero=True)  # "ni una"
        elif token in _ALL and (
            token.endswith("s") or (j + 1 < len(tokens) and tokens[j + 1] in ("el", "la"))
        ):
            found = Found(1.0, j, j + 1, share=True, every=True)  # "todas", "toda la ..."
        elif token == "medio" and percent_follows(tokens, j + 1):
            found = Found(0.5, j, j + 1)  # "medio por ciento"
        else:
            number = number_at(tokens, j)
            if number is not None:
                found = Found(number[0], j, number[1])
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
        marker = unit_marker(tokens, end) if end < len(tokens) else None
        if marker is not None:
            found.percent = marker[0] == "percent"
            found.rate = marker[0] == "rate"
            end = marker[1]
        found.end = end
        covered.update(range(found.start, end))
        figures.append(found)
        j = end
    return figures, covered
