"""Text normalisation shared by the classifier, the entity extractors and answer matching.

Folding, the one implementation for every package: `fold` (case and accents) and three keys
built on it, which differ on purpose in what they keep besides letters and digits:
`fold_name` (nothing: names), `fold_answer` (what a figure or an option may contain) and
`fold_phrase` (everything inside; only the punctuation around a short phrase goes).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

_WORD = re.compile(r"\w+", re.UNICODE)

# Chat shorthand officials actually type; expanded before classification so "q" and "que" share
# features. Keys are folded tokens.
SHORTHAND: dict[str, str] = {
    "q": "que",
    "k": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "x": "por",
    "xfa": "por favor",
    "xfavor": "por favor",
    "porfa": "por favor",
    "porfis": "por favor",
    "pls": "por favor",
    "plis": "por favor",
    "pa": "para",
    "pal": "para el",
    "tb": "tambien",
    "tmb": "tambien",
    "d": "de",
    "info": "informacion",
    "dx": "diagnostico",
    "msj": "mensaje",
    "grax": "gracias",
    "nse": "no se",
    "nose": "no se",
    "ud": "usted",
    "uds": "ustedes",
}


def fold(text: str) -> str:
    """Lower case without accents (á -> a, ñ -> n, ü -> u; compatibility forms such as 'ﬁ'
    or full-width digits to their plain letters); everything else as written."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_name(text: str) -> str:
    """The key of a name (a municipality, a department): letters and digits, anything else one
    space. 'Bogotá, D.C.' -> 'bogota d c'."""
    return re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()


@functools.lru_cache(maxsize=4096)  # option texts are folded again for every reply
def fold_answer(text: str) -> str:
    """The key of an answer or an option: keeps what a figure or a choice is written with
    (digits, '%', ',', '.', '-'), other symbols as spaces, spaces collapsed. '¡12,5 %!' ->
    '12,5 %'."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w%,.\s-]", " ", fold(text))).strip()


def fold_phrase(text: str) -> str:
    """The key of a short phrase or command: spaces collapsed and the punctuation around it
    dropped, inner punctuation kept. '¡  Menú principal!' -> 'menu principal'."""
    plain = re.sub(r"\s+", " ", fold(text)).strip()
    return plain.strip("¡!¿.,;: ") or plain


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as written
    norm: str  # folded
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Word tokens with offsets into the original text (punctuation dropped)."""
    return [Token(m.group(), fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def _squeeze(word: str) -> str:
    # "holaaa" -> "hola", "siii" -> "si": letters repeated three or more times are emphasis.
    return re.sub(r"(\w)\1{2,}", r"\1", word)


def normalize(text: str) -> str:
    """Folded text with shorthand expanded and emphasis squeezed, words joined by one space."""
    words: list[str] = []
    for token in _WORD.finditer(fold(text)):
        word = _squeeze(token.group())
        words.append(SHORTHAND.get(word, word))
    return " ".join(words)


def words(text: str) -> Iterator[str]:
    """The normalised words of a text."""
    yield from normalize(text).split()


def meaningful_words(text: str) -> Iterator[str]:
    """The normalised words of a text, without letters merely repeated ("qqq", "zzzz"): those
    squeeze to one letter that would pass for shorthand ("q" for "que")."""
    for token in _WORD.finditer(fold(text)):
        raw = token.group()
        word = _squeeze(raw)
        if len(word) == 1 and len(raw) > 1:
            continue
        yield from SHORTHAND.get(word, word).split()


# What opens a message without being the request: a salutation, courtesy, a self-introduction.
_SALUTATION = re.compile(
    r"^(?:(?:hola|holi|buenas|buenos|buen|dias|dia|tardes|noches|saludos|saludo|cordiales|cordial"
    r"|que tal|que mas|que hubo|quiubo|como estan|como esta|como le va"
    r"|espero que (?:este|esten) bien|de nuevo|doctora|doctor|ingeniero|ingeniera|senor|senora"
    r"|disculpe|la hora|la molestia"
    r"|con todo respeto|primero que todo|mucho gusto|desde \w+(?: \w+)?)\b ?)+"
)
_INTRODUCTION = re.compile(
    r"^(?:soy|le (?:habla|escribe|saluda)|les? escrib\w*|mi nombre es|aqui|somos|de parte de"
    r"|la misma|el mismo)\b"
)
# Where the request starts inside an introduction written without commas.
_REQUEST_CUE = re.compile(
    r"\b(?:queria|quiero|quisiera|queremos|quisieramos|necesito|necesitamos|me gustaria"
    r"|nos gustaria|solicito|solicitamos|pedimos|deseamos|requerimos|podrian|me puede|nos pueden"
    r"|vamos a|vengo a|como|cual|cuales|que|hasta|donde|hay|ya|todavia|no|mintic nos)\b"
)


# A clause that says what is not wanted, before one that says what is («no quiero empezar de
# cero, solo seguir donde iba»): the later one is the request when it can stand alone.
_NOT_WANTED = re.compile(
    r"^(?:no|ya no) (?:quiero|queremos|quisiera|necesito|necesitamos|es para|voy a|vamos a)\b"
)
_STANDS_ALONE = 3  # words


def request_part(text: str) -> str:
    """The part of a message that carries its request: salutation, courtesy and a
    self-introduction before it dropped ('buenas tardes, le habla la secretaria de planeación,
    quería saber el plazo' -> 'queria saber el plazo'); the whole text when nothing else is
    left. Linear: a few anchored regular expressions over normalised text."""
    clauses = [c.strip() for c in re.split(r"[,.;:!¡¿?]+", fold(text)) if c.strip()]
    kept: list[str] = []
    for index, clause in enumerate(clauses):
        words = normalize(clause)
        words = _SALUTATION.sub("", words).strip()
        if not kept and _INTRODUCTION.match(words):
            cue = _REQUEST_CUE.search(words, pos=len(words.split()[0]) + 1)
            if cue is None or index + 1 < len(clauses):
                continue  # the introduction is its own clause: the request follows
            words = words[cue.start() :]
        rest = clauses[index + 1 :]
        if _NOT_WANTED.match(words) and rest and len(" ".join(rest).split()) >= _STANDS_ALONE:
            continue
        if words or kept:
            kept.append(words)
    request = " ".join(w for w in kept if w)
    return request if len(request.split()) >= _STANDS_ALONE else normalize(text)
