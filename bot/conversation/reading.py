"""What a message sent while a question is shown means: an answer, one to confirm, or an intent.

A pure function over the question, the text and the NLU parse, so the policy is tested by tables
(tests/nlu/test_reading.py) rather than through whole conversations. In order:
1. a strict answer (letter, number, the option's exact words, a figure) is taken as given;
2. a whole-message rule ("atrás", "no sé", "pausa", "/ayuda") is the intent it names, except a
   bare yes/no, which can also describe an option ("no" ~ "No existe") and is then confirmed;
3. free words that clearly describe one option ("ya lo adoptamos pero no se ha implementado")
   are the answer when the match is at least as confident as the intent the classifier saw:
   "no se hace seguimiento" is option a, not "no sé";
4. otherwise a recognised intent is acted on (the question is shown again afterwards);
5. a plausible option, or one figure in a sentence, is confirmed with the user before saving;
6. anything else is unclear, and the dialogue offers choices instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.scoring import Answer
from dialogues.parsing import parse_answer, parse_number
from dialogues.questionnaire import Question
from nlu.answers import interpret_answer
from nlu.base import FALLBACK, Parse
from nlu.rules import rule_intent

# Free words are saved without asking only above this similarity (0..1) and clearly ahead of the
# runner-up; between CONFIRM_MIN and it, the dialogue asks "¿Entendí bien?".
SAVE_MIN = 0.45
CONFIRM_MIN = 0.2
# Intents that say nothing against reading the text as an answer.
_YES_NO = frozenset({"afirmar", "negar"})
_WEAK = _YES_NO | {"saludo", "agradecer", "despedida", "fuera_de_alcance"}

Action = Literal["answer", "confirm", "intent", "unclear"]


@dataclass(frozen=True, slots=True)
class Reading:
    action: Action
    answer: Answer | None = None  # for "answer" and "confirm"
    intent: str | None = None  # for "intent"


def _intent(parse: Parse | None) -> tuple[str | None, float]:
    if parse is None or parse["intent"]["name"] == FALLBACK:
        return None, 0.0
    return parse["intent"]["name"], float(parse["intent"]["confidence"])


def _one_figure(parse: Parse | None, text: str) -> float | None:
    """The single number in a sentence ("somos como 45 %" -> 45.0); None if none or several."""
    if parse is not None:
        found = {e["value"] for e in parse["entities"] if e["entity"] == "number"}
        if len(found) == 1:
            return float(found.pop())
        return None
    return parse_number(text)


def read_reply(question: Question, text: str, parse: Parse | None) -> Reading:
    """How to take `text` (already sanitised) as a reply to `question`."""
    strict = parse_answer(question, text)
    if strict is not None:
        value = strict.value
        if isinstance(value, float):
            return Reading("answer", Answer("figure", value=value))
        return Reading("answer", Answer("option", option=value))
    ruled = rule_intent(text)
    if ruled is not None and ruled not in _YES_NO:
        return Reading("intent", intent=ruled)
    intent, confidence = _intent(parse)
    if ruled is not None:
        intent, confidence = ruled, 1.0
    if question.options:
        options = [(o.id, o.text) for o in question.options]
        match = interpret_answer(text, options)
        if match.option_id is not None:
            chosen = Answer("option", option=match.option_id)
            if match.by == "choice":
                return Reading("answer", chosen)
            strong = match.sure and match.confidence >= SAVE_MIN
            if (
                strong
                and intent not in _YES_NO
                and (intent is None or intent in _WEAK or match.confidence >= confidence)
            ):
                return Reading("answer", chosen)
            if intent is not None and intent not in _WEAK:
                return Reading("intent", intent=intent)
            if match.confidence >= CONFIRM_MIN:
                return Reading("confirm", chosen)
    elif question.figure is not None and (intent is None or intent in _WEAK):
        figure = _one_figure(parse, text)
        if figure is not None:
            return Reading("confirm", Answer("figure", value=figure))
    if intent is not None:
        return Reading("intent", intent=intent)
    return Reading("unclear")
