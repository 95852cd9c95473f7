"""A salutation on its own paragraph is not the request.

    skip_salutation(text) -> str

People open a mail with «Buenos días,» or «Cordial saludo.» and a blank line, then write what
they want. The conversation reads the first paragraph of a mail (the rest is a farewell, a
signature or a quote), so 36 of 256 real replies were greeted back and their request dropped.
Leading paragraphs and lines that hold only a salutation, with at most a name or the addressee,
are left out; a mail that is nothing but a salutation stays as it is.
"""

from __future__ import annotations

import re

_OPENING = re.compile(
    r"^(hola|holas|buen(?:os|as)?\s+(?:d[ií]as?|tardes?|noches?)|buen\s+d[ií]a"
    r"|cordial(?:es)?\s+saludos?|un\s+cordial\s+saludo|saludos?(?:\s+cordiales)?|reciba\s+un"
    r"(?:\s+cordial)?\s+saludo|estimad[oa]s?|apreciad[oa]s?|respetad[oa]s?|se[ñn]or(?:es|as?)?"
    r"|doctor[a]?|dr[a]?\.|ingenier[oa]|ing\.|querid[oa]s?|hello|hi|dear|good\s+(?:morning|"
    r"afternoon|evening)|greetings)\b",
    re.IGNORECASE,
)
# Words that may follow the opening: the addressee, and words that join salutations.
_WORDS = """
asistente cti mintic ministerio tic equipo programa ciudades territorios inteligentes
señor señora señores señoras senor senora senores senoras doctor doctora dr dra ing ingeniero
ingeniera estimado estimada estimados estimadas apreciado apreciada apreciados respetado
respetada respetados cordial cordiales saludo saludos un una muy buenos buenas buen días dias
día dia tardes noches tarde noche hola de del la el los las y a todos todas team all sir madam
dear hello hi good morning afternoon evening mesa ayuda soporte apoyo
"""
_ADDRESSEE = frozenset(_WORDS.split())
_NAME = re.compile(r"^[A-ZÁÉÍÓÚÑ][a-záéíóúñü]{1,20}\.?$")
_MAX_WORDS = 8


def is_salutation(paragraph: str) -> bool:
    """Only a salutation: an opening, then at most the addressee's words or a name."""
    text = " ".join(paragraph.split())
    if not text or len(text) > 80 or "?" in text or not _OPENING.match(text):
        return False
    words = re.findall(r"[^\s,;:.!¡¿]+\.?", text)
    if len(words) > _MAX_WORDS:
        return False
    names = 0
    for word in words:
        bare = word.rstrip(".").lower()
        if bare in _ADDRESSEE or _OPENING.match(word):
            continue
        if _NAME.match(word) and names < 3:
            names += 1  # «Buenos días Marcela», «Hola Ana María»
            continue
        return False
    return True


def skip_salutation(text: str) -> str:
    """The text from the first paragraph, then the first line, that is more than a salutation.
    Lines count too: Outlook writes each paragraph as one line, with no blank line between."""
    paragraphs = re.split(r"\n[ \t]*\n", text, maxsplit=_MAX_WORDS)
    start = 0
    while start < len(paragraphs) - 1 and is_salutation(paragraphs[start]):
        start += 1
    rest = "\n\n".join(paragraphs[start:]).strip()
    if not rest:
        return text
    lines = rest.split("\n", _MAX_WORDS)
    first = 0
    while first < len(lines) - 1 and is_salutation(lines[first]):
        first += 1
    kept = "\n".join(lines[first:]).strip()
    return kept or rest
