"""Text normalisation shared by the classifier, the entity extractors and answer matching."""

from __future__ import annotations

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


def strip_accents(text: str) -> str:
    """Remove combining marks (á -> a, ñ -> n, ü -> u) keeping one character per character."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    )


def fold(text: str) -> str:
    """Lower-case and strip accents; the string keeps its word boundaries."""
    return strip_accents(text).casefold()


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
