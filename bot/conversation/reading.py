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
5. a plausible option, or one figure in a sentence (also after a hedging «no sé», or derived
   from a range or a share: `nlu.figures`), is confirmed with the user before saving;
6. a figure that must not be stored as said (a count for a rate or a percentage, a bound such
   as «más del 50 %») is asked for again ("ask");
7. anything else is unclear, and the dialogue offers choices instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.scoring import Answer
from dialogues.parsing import parse_answer
from dialogues.questionnaire import Question
from nlu.answers import interpret_answer, says_dont_know
from nlu.base import FALLBACK, Parse
from nlu.figures import Ask, Basis, read_figure
from nlu.rules import rule_intent
from nlu.text import normalize

# Free words are saved without asking only above this similarity (0..1) and clearly ahead of the
# runner-up; between CONFIRM_MIN and it, the dialogue asks "¿Entendí bien?".
SAVE_MIN = 0.45
# ... and ahead of the runner-up by this much: two options a few points apart («el recibo se baja
# de la página pero se paga en el banco») are confirmed, never saved on a hunch.
SAVE_LEAD = 0.2
CONFIRM_MIN = 0.2
# Intents that say nothing against reading the text as an answer.
_YES_NO = frozenset({"afirmar", "negar"})
_WEAK = _YES_NO | {"saludo", "agradecer", "despedida", "fuera_de_alcance"}

# On a figure question, a figure said is confirmed unless the classifier is at least this sure
# of another request, or the message asks something.
FIGURE_OVER_INTENT = 0.8
_FIGURE_OVER = _WEAK | {"no_sabe"}
_QUESTION_MARK = re.compile(r"[?¿]")
# Clear evidence of another request while a question is open: a question (mark, or an opening
# interrogative) or a verb of asking. Without it, what the classifier saw in an answer's words
# («publicamos los datos» ~ privacy, «a la fecha no hay plan» ~ deadlines) is no request.
_ASKING = re.compile(
    r"^(?:(?:y|pero|oiga|disculpe|una pregunta),? )?(?:que|como|cuando|cual|cuales|donde|quien"
    r"|cuanto|cuanta|cuantos|cuantas|hasta (?:cuando|que)|para que|por que"
    r"|hay (?:plazo|plata|dinero|recursos)"
    r"|existe (?:alguna?|algun))\b"
    r"|\b(?:quiero|quisiera|queremos|quisieramos|necesito|necesitamos|solicito|solicitamos|pido"
    r"|pedimos|me (?:puede|podria|pueden|podrian)|nos (?:puede|podria|pueden|podrian)|muestreme"
    r"|muestrenos|comuniqueme|paseme|expliqueme|digame|cuentenme|cuenteme|mandeme|envieme"
    r"|requerimos|requiero|nos gustaria|me gustaria|pueden|podrian|repita|repitame)\b"
    # An explicit command opens the message: «iniciar la medición», «pare todo», «borren ...».
    r"|^(?:por favor )?(?:iniciar|inicie|iniciemos|empezar|empiece|empecemos|empezemos|comenzar"
    r"|comencemos|seguir|sigamos|seguimos con|continuar|continuemos|retomar|retomemos|ver|mostrar"
    r"|consultar|cancelar|cancele|pare|parar|detenga|detener|borrar|borren|eliminar|eliminen"
    r"|suprimir|supriman|borrenme|omita|otra vez|desde cuando|no siga|pa que|asesoria"
    r"|acompanamiento"
    r"|seguimiento (?:de|a) (?:mi|la|nuestra) solicitud)\b"
)
# Above this confidence the classifier's intent needs no further evidence in the words.
INTENT_ALONE = 0.9

Action = Literal["answer", "confirm", "ask", "intent", "unclear"]


@dataclass(frozen=True, slots=True)
class Reading:
    action: Action
    answer: Answer | None = None  # for "answer" and "confirm"
    intent: str | None = None  # for "intent"
    basis: Basis | None = None  # for "confirm": the range or share a figure was derived from
    ask: Ask | None = None  # for "ask": what to ask for instead of saving the figure said


def _intent(parse: Parse | None) -> tuple[str | None, float]:
    if parse is None or parse["intent"]["name"] == FALLBACK:
        return None, 0.0
    return parse["intent"]["name"], float(parse["intent"]["confidence"])


def _figure(unit: str, text: str, intent: str | None, confidence: float) -> Reading | None:
    """A figure said in other words: confirmed or asked again, never saved from here.

    It outweighs a «no sé» that only hedges it ("no sé exactamente, unos 70"), a guess the
    classifier is not sure of ("en 2023 la tasa fue 18,7" is no request for results), and any
    guess when it comes with the question's own unit ("sacamos 71,8 puntos"); not a question.
    """
    if _QUESTION_MARK.search(text):
        return None
    said = read_figure(text, unit)
    if not (intent in _FIGURE_OVER or confidence < FIGURE_OVER_INTENT or said.with_unit):
        return None
    if said.outcome == "ask":
        return Reading("ask", ask=said.ask)
    if said.value is not None:
        return Reading("confirm", Answer("figure", value=said.value), basis=said.basis)
    return None


def asks_something(text: str) -> bool:
    """Whether `text` is a question or a request rather than a statement (an answer)."""
    return _QUESTION_MARK.search(text) is not None or _ASKING.search(normalize(text)) is not None


def _evidenced(text: str, intent: str | None, confidence: float) -> tuple[str | None, float]:
    """The classifier's intent, kept only where the text itself backs it up.

    «no se incluyen medidas» is an answer, not «no sé»; a statement is an answer first."""
    if intent is None or intent in _WEAK:
        return intent, confidence
    if intent == "no_sabe":
        return (intent, confidence) if says_dont_know(text) else (None, 0.0)
    if asks_something(text) or confidence >= INTENT_ALONE:
        return intent, confidence
    return None, 0.0


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
    guessed, guessed_confidence = _intent(parse)
    intent, confidence = _evidenced(text, guessed, guessed_confidence)
    if ruled is not None:
        intent, confidence = ruled, 1.0
    if question.options:
        options = [(o.id, o.text) for o in question.options]
        match = interpret_answer(text, options)
        if match.option_id is not None:
            chosen = Answer("option", option=match.option_id)
            if match.by == "choice":
                return Reading("answer", chosen)
            lead = match.confidence - (match.scores[1][1] if len(match.scores) > 1 else 0.0)
            strong = match.sure and match.confidence >= SAVE_MIN and lead >= SAVE_LEAD
            asked = intent not in (None, *_WEAK) and ruled is None and asks_something(text)
            if (
                strong
                and not asked
                and intent not in _YES_NO
                and (intent is None or intent in _WEAK or match.confidence >= confidence)
            ):
                return Reading("answer", chosen)
            if intent is not None and intent not in _WEAK:
                return Reading("intent", intent=intent)
            if match.confidence >= CONFIRM_MIN:
                return Reading("confirm", chosen)
    elif question.figure is not None:
        figure = _figure(question.figure.unit, text, intent, confidence)
        if figure is not None:
            return figure
    if intent is not None:
        return Reading("intent", intent=intent)
    return Reading("unclear")
