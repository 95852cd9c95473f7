"""Free text -> one of the current question's graded options.

"ya lo adoptamos pero no se ha implementado" should pick "Está adoptado pero aún no se
implementa". Each text becomes a bag of crude stems, with words in the scope of a negation
marked ("no se implementa" -> `~implem`) and with the stage of maturity it describes
(formulating, adopted, running, measured, partial, complete, nothing) added as concept tokens,
so different verbs for one stage meet. Options are compared by a TF-IDF cosine computed over the
question's own options (words every option shares weigh little), blended with a character
trigram cosine that absorbs typos. The result says whether the best option is clearly ahead, so
the dialogue can confirm when it is not.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from nlu.text import SHORTHAND, fold

_WORD = re.compile(r"\w+")
_LETTERS = "abcdefghij"
_ORDINALS = ("primer", "segund", "tercer", "cuart", "quint", "sext", "septim", "octav")
_CHOICE = re.compile(
    r"^\s*(?:(?:es|seria|sería|creo que|marco|elijo|escojo)\s+)?(?:la|el)?\s*"
    r"(?:opci[oó]n|literal|respuesta|letra|n[uú]mero)?\s*(?P<choice>[a-j]|\d{1,2}|\w+)\s*[).:!]?\s*$",
    re.IGNORECASE,
)
_NEGATORS = frozenset({"no", "ni", "nunca", "sin", "tampoco", "jamas", "ningun", "ninguna",
                       "ninguno", "nadie", "nada"})  # fmt: skip
_NEGATION_ONLY = frozenset({"no", "nada", "ninguno", "ninguna", "ningun", "nunca", "jamas"})
_SCOPE_BREAKERS = frozenset({"pero", "y", "sino", "aunque", "mas", "ademas"})
_STOPWORDS = frozenset(
    {
        "a", "al", "como", "con", "de", "del", "el", "en", "es", "esta", "estan", "este", "esto",
        "ha", "han", "hay", "la", "las", "le", "lo", "los", "o", "para", "por", "que", "se",
        "si", "su", "sus", "un", "una", "unos", "unas", "ya", "somos", "tenemos", "tiene",
        "tienen", "hemos", "hace", "hacen", "hizo", "nosotros", "nuestro", "nuestra", "entidad",
        "municipio", "alcaldia", "gobernacion", "eso", "esa", "ese", "bueno", "pues", "creo",
        "verdad", "actualmente", "momento", "ahora", "mismo", "muy", "bien", "forma", "otra",
        "otras", "otros", "cada", "cual", "cuales", "solo", "tambien", "ahi", "alla", "aqui",
        "aun", "todavia",
    }
)  # fmt: skip
# Words before «planeación» that make it the office.
_OFFICE_CUES = frozenset({"de", "con", "secretaria", "oficina", "jefe", "jefa"})
_ASK_ELSEWHERE = frozenset(
    {
        "preguntar",
        "pregunta",
        "preguntarle",
        "consultar",
        "consulte",
        "averiguar",
        "sabe",
        "saben",
        "lleva",
        "llevan",
        "maneja",
        "manejan",
    }
)
# Stage of maturity a word points at; prefixes of folded words.
_CONCEPTS: dict[str, tuple[str, ...]] = {
    "@plan": ("formul", "elabor", "constru", "disen", "prepar", "planea", "proyect", "borrador",
              "redact", "estructur", "proceso", "estudi", "gestion", "actualizac"),
    "@adopt": ("adopt", "aprob", "expedi", "firm", "decret", "formaliz", "oficializ", "vigent"),
    "@run": ("implement", "ejecut", "funcion", "march", "opera", "aplic", "presta", "usa",
             "usan", "uso", "utiliz", "instal"),
    "@measure": ("evalu", "mide", "miden", "medim", "medir", "medic", "indicador", "seguim",
                 "monitor", "metric", "tablero", "verific", "public"),
    "@partial": ("algun", "parte", "parcial", "poc", "pilot", "prueba", "ocasion", "esporad",
                 "puntual", "ciert", "unas"),
    "@all": ("todo", "toda", "mayoria", "complet", "total", "permanent", "regular", "siempre",
             "habitual"),
}  # fmt: skip
# Everyday words for what options say in the questionnaire's words (folded; values are words).
_SYNONYMS: dict[str, str] = {
    "vereda": "rural", "veredas": "rural", "veredal": "rural", "veredales": "rural",
    "corregimiento": "rural", "corregimientos": "rural", "campo": "rural",
    "excel": "hojas calculo", "pse": "linea", "nequi": "linea digital",
    "daviplata": "linea digital", "internet": "linea", "virtual": "linea",
    "facebook": "redes sociales", "instagram": "redes sociales", "whatsapp": "mensaje",
    "mitad": "parte", "demas": "parte", "resto": "parte", "pueblo": "urbano",
}  # fmt: skip
# A clause that ends denying ("en las veredas no hay", "telesalud no hay", "campañas no
# hacemos") denies all of it: negation after the noun, as officials often write.
_CLAUSE = re.compile(r"[,;.]|\b(?:pero|aunque|sino|mientras)\b")
_TAIL_NEGATION = re.compile(
    r"\b(?:no|todavia no|aun no|tampoco)(?: (?:hay|hacemos|tenemos|existe|existen|se hace|se hacen"
    r"|hemos \w+|se \w+|lo \w+|\w+mos))?\s*$"
)
# "no se" is also the start of "no se ha implementado": only final or before what one may not know.
_DONT_KNOW = re.compile(
    r"\b(?:no se(?=\s*$|\s*[,.!?]|\s+(?:que|cual|si|bien|la respuesta|decir|responder))"
    r"|no lo se(?=\s*$|\s*[,.!?])|nose\b|no estoy (?:muy |tan )?segur[oa]|no tengo la menor idea"
    r"|no lo tengo claro|no sabemos|no sabria|ni idea|no tengo idea"
    r"|no tengo (?:ese |el )?dato|no estoy segur[oa]|no conozco|desconozco)\b"
)


_DONT_KNOW_OPENING = 16  # characters: «la verdad no sé», «pues sinceramente no sé»


@dataclass(frozen=True, slots=True)
class AnswerMatch:
    option_id: str | None  # None when nothing fits (or the user does not know)
    confidence: float  # 0..1, similarity of the best option
    sure: bool  # clearly ahead of the runner-up: no need to confirm
    scores: tuple[tuple[str, float], ...] = ()  # every option, best first
    by: str = "text"  # "choice" (letter, number, ordinal), "text", or "none"
    # Words or stages the text shares with the best option besides a bare negation: "no siga"
    # resembles every "No existe..." option through its "no" alone, which is no evidence.
    shared: int = 0


def _stem(word: str) -> str:
    word = word[:-1] if len(word) > 4 and word.endswith("s") else word
    return word[:6]


def _concept(word: str) -> str | None:
    for concept, prefixes in _CONCEPTS.items():
        if word.startswith(prefixes):
            return concept
    return None


def _words(clause: str) -> list[str]:
    out: list[str] = []
    for word in _WORD.findall(clause):
        out.extend(_SYNONYMS.get(word, SHORTHAND.get(word, word)).split())
    return out


def features(text: str) -> Counter[str]:
    """Stems and concepts of a text, `~` marking those under a negation."""
    bag: Counter[str] = Counter()
    words: list[str] = []
    denied: list[bool] = []  # the word's clause ends denying it
    for clause in _CLAUSE.split(fold(text)):
        clause_words = _words(clause)
        tail = _TAIL_NEGATION.search(clause.strip()) is not None and len(clause_words) > 1
        words.extend(clause_words)
        denied.extend([tail] * len(clause_words))
    scope = 0
    negated_any = any(denied)
    previous = before = ""
    for word, whole_clause in zip(words, denied, strict=True):
        # «la secretaría de planeación», «preguntar en planeación»: the planning office, not
        # the planning stage («está en planeación» stays the stage).
        office = word.startswith("planeac") and (
            previous in _OFFICE_CUES or (previous in ("en", "a") and before in _ASK_ELSEWHERE)
        )
        previous, before = word, previous
        if word in _NEGATORS:
            scope, negated_any = 3, True
            continue
        if word in _SCOPE_BREAKERS:
            scope = 0
            continue
        if word in _STOPWORDS:
            continue
        mark = "~" if scope > 0 or whole_clause else ""
        scope = max(0, scope - 1)
        bag[mark + _stem(word)] += 1
        concept = None if office else _concept(word)
        if concept:
            bag[mark + concept] += 2
    # "no", "todavía no", "nada", or an option that opens with a negation: nothing exists yet.
    if words and (
        words[0] in _NEGATORS or all(denied) or (negated_any and not any(k[0] != "~" for k in bag))
    ):
        bag["@none"] += 3
    return bag


def _trigrams(text: str) -> Counter[str]:
    padded = " " + " ".join(_WORD.findall(fold(text))) + " "
    return Counter(padded[i : i + 3] for i in range(len(padded) - 2))


def _unit(counts: Counter[str], weight: dict[str, float] | None = None) -> dict[str, float]:
    """Counts times weights, scaled to length 1; keys without weight drop out."""
    vector = {k: v * (weight.get(k, 0.0) if weight is not None else 1.0) for k, v in counts.items()}
    norm = math.sqrt(sum(x * x for x in vector.values()))
    return {k: x / norm for k, x in vector.items() if x} if norm else {}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(k, 0.0) for k, x in a.items())


def _explicit_choice(folded: str, options: Sequence[tuple[str, str]]) -> int | None:
    match = _CHOICE.match(folded)
    if match is None:
        return None
    choice = match.group("choice")
    if len(choice) == 1 and choice in _LETTERS:
        index = _LETTERS.index(choice)
    elif choice.isdigit():
        index = int(choice) - 1
    elif choice.startswith(_ORDINALS):
        index = next(i for i, p in enumerate(_ORDINALS) if choice.startswith(p))
    elif choice in {"ultima", "ultimo"}:
        index = len(options) - 1
    else:
        return None
    return index if 0 <= index < len(options) else None


@dataclass(frozen=True, slots=True)
class _OptionModel:
    bags: list[Counter[str]]
    idf: dict[str, float]
    lexical: list[dict[str, float]]  # unit idf-weighted bags
    spelling: list[dict[str, float]]  # unit trigram vectors


@functools.lru_cache(maxsize=512)
def _option_model(options: tuple[tuple[str, str], ...]) -> _OptionModel:
    """What is computed once per question (a questionnaire has a few hundred)."""
    bags = [features(option_text) for _, option_text in options]
    document_frequency = Counter(key for bag in bags for key in bag)
    count = len(options)
    idf = {k: math.log((count + 1) / (df + 1)) + 1.0 for k, df in document_frequency.items()}
    return _OptionModel(
        bags,
        idf,
        [_unit(bag, idf) for bag in bags],
        [_unit(_trigrams(option_text)) for _, option_text in options],
    )


@dataclass(frozen=True, slots=True)
class _Text:
    """What depends on the person's text only (the same text is read against many questions)."""

    folded: str
    dont_know: bool
    bag: Counter[str]  # read-only
    spelling: dict[str, float]


@functools.lru_cache(maxsize=256)
def _read(text: str) -> _Text:
    folded = fold(text)
    # Only where it opens the reply: «... pero no sabemos si se cumplen» describes an option.
    said = _DONT_KNOW.search(folded)
    dont_know = said is not None and said.start() <= _DONT_KNOW_OPENING
    return _Text(folded, dont_know, features(text), _unit(_trigrams(text)))


def says_dont_know(text: str) -> bool:
    """«no sé», «ni idea», «no sabemos»..., but not «no se ha implementado»."""
    return _read(text).dont_know


def interpret_answer(
    text: str,
    options: Sequence[tuple[str, str]],
    *,
    min_score: float = 0.2,
    margin: float = 0.08,
) -> AnswerMatch:
    """The option (id, text) that `text` describes, with how sure that is.

    `sure` needs a score of at least `min_score` and a lead of `margin` over the runner-up.
    """
    if not options or not text.strip():
        return AnswerMatch(None, 0.0, False, by="none")
    reading = _read(text)
    index = _explicit_choice(reading.folded, options)
    if index is not None:
        ranked = tuple((oid, 1.0 if i == index else 0.0) for i, (oid, _) in enumerate(options))
        ranked = tuple(sorted(ranked, key=lambda pair: -pair[1]))
        return AnswerMatch(options[index][0], 1.0, True, ranked, by="choice")
    if reading.dont_know:
        return AnswerMatch(None, 0.0, False, by="none")
    model = _option_model(tuple((oid, otext) for oid, otext in options))
    user = reading.bag
    user_lexical = _unit(user, model.idf)
    user_spelling = reading.spelling
    scored = []
    for (option_id, _), lexical, spelling in zip(
        options, model.lexical, model.spelling, strict=True
    ):
        similarity = 0.7 * _cosine(user_lexical, lexical) + 0.3 * _cosine(user_spelling, spelling)
        scored.append((option_id, round(similarity, 4)))
    ranked = tuple(sorted(scored, key=lambda pair: -pair[1]))
    best_id, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best <= 0.0:
        return AnswerMatch(None, 0.0, False, ranked, by="none")
    best_bag = model.bags[[oid for oid, _ in options].index(best_id)]
    shared = len((user.keys() & best_bag.keys()) - {"@none"})
    sure = best >= min_score and best - runner_up >= margin and shared > 0
    return AnswerMatch(best_id, best, sure, ranked, shared=shared)
