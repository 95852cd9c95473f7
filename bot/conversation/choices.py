"""Offering the readings the NLU hesitated between, as buttons (used by the router and the
question flow alike)."""

from __future__ import annotations

from bot.contract import Option
from bot.conversation.turn import INTENT_PREFIX, Turn
from nlu.base import candidates

# When the NLU is unsure, up to this many of its candidates are offered as buttons, if each has
# at least this probability. Small talk is never offered: "¿Quiso saludar?" helps nobody.
MAX_CHOICES = 3
CHOICE_FLOOR = 0.1
_NOT_OFFERED = frozenset(
    {"afirmar", "negar", "saludo", "agradecer", "despedida", "fuera_de_alcance"}
)
_QUESTION_ONLY = frozenset({"no_sabe", "omitir", "repetir"})


def choice_options(turn: Turn) -> tuple[Option, ...]:
    """Buttons for the intents the NLU hesitated between (empty if it was sure or clueless)."""
    parse = turn.parse
    if turn.option is not None or parse is None or turn.intent is not None:
        return ()
    at_question = turn.state.flow == "question"
    names = [
        c["name"]
        for c in candidates(parse, floor=CHOICE_FLOOR)
        if c["name"] not in _NOT_OFFERED and (at_question or c["name"] not in _QUESTION_ONLY)
    ][:MAX_CHOICES]
    return turn.options(*((f"{INTENT_PREFIX}{n}", f"label.intent.{n}") for n in names))
