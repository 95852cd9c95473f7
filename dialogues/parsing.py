"""Turning what a person typed into an answer to the current question. Pure functions.

Accepted: the option's letter ("b", "B)", "la b", "opción b"), its number ("2", "opción 2"), its
exact words (accents and case ignored), or for a figure a number written the Colombian way
("80", "80 %", "12,5", "1.234", "45%.") or only the figure in words ("cero", "la mitad",
"dos mil quinientos", see `nlu.figures`). Anything else is not an answer here; the dialogue
then weighs intents against a reading of the words (`bot.conversation.reading`, `nlu.answers`).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from dialogues.questionnaire import Question
from nlu.figures import read_figure
from nlu.text import fold_answer as fold

LETTERS = string.ascii_lowercase


def letter(index: int) -> str:
    return LETTERS[index]


@dataclass(frozen=True, slots=True)
class Understood:
    """An option id (str) or a figure (float)."""

    value: str | float
    sure: bool = True


_CHOICE = re.compile(r"(?:(?:la|el)\s+)?(?:opcion\s+|respuesta\s+)?([a-z]|\d{1,2})\s*[).:-]?")


def parse_number(text: str) -> float | None:
    """'80', '80 %', '12,5', '1.234', '1.234,5' -> float; None if it is not just a number."""
    # Trailing punctuation is how a sentence ends, not part of the figure ("45%.", "12,5 ,");
    # spaces go only before the unit ("10 40" is two numbers, not 1040).
    folded = fold(text).rstrip(".,;:! ")
    for unit in ("%", "por ciento", "porciento"):
        folded = folded.removesuffix(unit).rstrip()
    if not re.fullmatch(r"-?[\d.,]+", folded) or not re.search(r"\d", folded):
        return None
    if "," in folded and "." in folded:
        folded = folded.replace(".", "").replace(",", ".")
    elif "," in folded:
        if folded.count(",") > 1:
            return None
        folded = folded.replace(",", ".")
    elif folded.count(".") > 1 or re.fullmatch(r"-?\d{1,3}\.\d{3}", folded):
        # Thousands separators ("1.234", "1.234.567"), as Colombians write them.
        folded = folded.replace(".", "")
    try:
        return float(folded)
    except ValueError:
        return None


def parse_answer(question: Question, text: str) -> Understood | None:
    """A strict reading: letter, number, exact option words or a figure. None if not one."""
    folded = fold(text)
    if not folded:
        return None
    if question.figure is not None:
        value = parse_number(text)
        if value is None:
            # Only the figure, said in words or with its unit: "cero", "la mitad", "4 y medio".
            said = read_figure(text, question.figure.unit)
            value = said.value if said.outcome == "exact" else None
        return Understood(value) if value is not None else None
    options = question.options or ()
    match = _CHOICE.fullmatch(folded)
    if match:
        token = match.group(1)
        index = int(token) - 1 if token.isdigit() else LETTERS.index(token)
        if 0 <= index < len(options):
            return Understood(options[index].id)
        return None
    for option in options:
        if fold(option.text) == folded:
            return Understood(option.id)
    return None


_GOTO = re.compile(
    r"(?:ir a|cambiar|pregunta|ver)\s+(?:la\s+)?(?:pregunta\s+)?(\d{1,3}|[a-z]+-[a-z]+-\d+)"
)


def parse_goto(text: str) -> str | None:
    """'ir a 12', 'cambiar la 7', 'pregunta PER-EDU-02' -> '12' or the id, for the review."""
    match = _GOTO.fullmatch(fold(text))
    return (
        match.group(1).upper()
        if match and not match.group(1).isdigit()
        else (match.group(1) if match else None)
    )
