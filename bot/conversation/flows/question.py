"""Answering the questionnaire: ask, understand, confirm, save, move on.

Several contacts of one entity share one assessment. The next question is the first one in the
contact's scope that nobody has answered; changing an answer another person gave is confirmed
first, showing who gave it and when. A saved answer is acknowledged only in the reply returned
after the transaction commits.
"""

from __future__ import annotations

import re

from bot.contract import Option
from bot.conversation import answers
from bot.conversation.choices import choice_options
from bot.conversation.reading import read_reply
from bot.conversation.registry import ANYWHERE, Flow, Ignored, Next, NotMine, goto
from bot.conversation.state import Pending
from bot.conversation.turn import NO, YES, Turn
from bot.scoring import Answer, InvalidAnswer, item_score
from dialogues import navigation as nav
from dialogues.commands import parse_command
from dialogues.parsing import fold, letter, parse_answer
from dialogues.questionnaire import Question
from nlu.figures import rate_base
from nlu.rules import rule_intent

MAX_BUTTON_LABEL = 60
# Intents that may be asked in the middle of a confirmation without dropping it.
_SIDE = ANYWHERE - {"borrar_datos"}
# «no, es la c», «no. la b», «nop: 45» (folded text; what follows the «no» is read strictly).
_NO_BUT = re.compile(
    r"(?:no|nop|negativo)\b[\s,.;:!-]*(?:(?:es|era|seria|la|el|opcion)\s+)*(.{0,40})$"
)
_DIGITS = re.compile(r"[\d.,\s%]+")
# A figure derived from what was said is confirmed naming what it came from (nlu.figures).
_CONFIRM = {"range": "q.confirm_range", "share": "q.confirm_share"}
# A figure that must not be stored as said: what to ask for instead.
_ASK = {
    "rate": "q.figure_ask_rate",
    "percent": "q.figure_ask_percent",
    "exact": "q.figure_ask_exact",
}


def describe(turn: Turn, question: Question, answer: Answer) -> str:
    return answers.describe(turn.deps.catalog, question, answer)


def _label(text: str) -> str:
    return text if len(text) <= MAX_BUTTON_LABEL else text[: MAX_BUTTON_LABEL - 1] + "…"


async def enter(
    turn: Turn,
    *,
    question: str | None = None,
    fresh: bool = False,
    unclear: bool = False,
    blocks_done: bool = False,
) -> Next:
    """Start or go on with the questionnaire.

    `fresh`: the person asked to (a submitted diagnosis says so instead); `question`: show that
    one; `unclear`: the current question's reply was not understood by anyone;
    `blocks_done`: the block flow has nothing left to ask.
    """
    if question is not None:
        entry = turn.q.question_index.get(question)
        if entry is not None:
            await show_question(turn, entry[2])
            return None
    if unclear:
        current = _current(turn)
        if current is not None:
            await not_understood(turn, current)
            return None
    if fresh and (await turn.assessment()).status == "submitted":
        return goto("review", frozen=True)
    return await ask_next(turn, blocks_done=blocks_done)


async def ask_next(turn: Turn, *, blocks_done: bool = False) -> Next:
    """Show the next unanswered question in scope (by email, the next block of them), or move
    to the review when none is left."""
    if turn.traits.blocks and not blocks_done:
        return goto("block")
    answered = await turn.answers()
    scope = turn.contact.dimensions if turn.contact else ()
    question = nav.next_question(turn.q, turn.kind, answered, turn.state.skipped, scope)
    if question is None and scope:
        rest = nav.next_question(turn.q, turn.kind, answered, turn.state.skipped)
        if rest is not None:
            turn.state.flow, turn.state.current = "menu", None
            turn.say(
                "q.scope_done",
                options=turn.options(
                    ("scope:all", "label.other_dimensions"), ("review", "label.review")
                ),
            )
            return None
    if question is None:
        return goto("review")
    await show_question(turn, question)
    return None


def _current(turn: Turn) -> Question | None:
    entry = turn.q.question_index.get(turn.state.current or "")
    return entry[2] if entry else None


async def reprompt(turn: Turn) -> Next:
    question = _current(turn)
    if question is None:
        return goto("menu")
    await show_question(turn, question)
    return None


async def show_question(turn: Turn, question: Question, *, intro: str | None = None) -> None:
    state = turn.state
    if state.current != question.id:
        state.failures = 0
    state.flow, state.current, state.pending = "question", question.id, None
    answered = await turn.answers()
    pos = nav.position(turn.q, turn.kind, question.id, answered)
    current = answered.get(question.id)
    who = None
    if current is not None and current.contact_id not in (
        None,
        turn.contact.id if turn.contact else None,
    ):
        other = await turn.tx.contact(current.contact_id) if current.contact_id else None
        who = other.name if other else None
    options = [(letter(i), o.text) for i, o in enumerate(question.options or ())]
    buttons = tuple(
        Option(f"ans:{question.id}:{i}", _label(f"{letter(i)}) {o.text}"))
        for i, o in enumerate(question.options or ())
    ) + turn.options(
        (f"dk:{question.id}", "label.dont_know"), (f"skip:{question.id}", "label.skip")
    )
    if intro:
        turn.say(intro)
    turn.say(
        "q.question",
        options=buttons,
        number=pos.number,
        total=pos.total,
        dimension=pos.dimension.name,
        dimension_percent=pos.dimension_percent,
        subdimension=turn.q.question_index[question.id][1].name,
        text=question.text,
        choices=options,
        figure=question.figure,
        current=describe(turn, question, current.answer) if current else None,
        answered_by=who,
    )


def pressed(turn: Turn) -> tuple[Question, Answer | None] | None:
    """The question and answer of a pressed question button ("ans:Q:1", "dk:Q", "skip:Q"),
    None for another button or one that names no question of this questionnaire (the answer
    is None for "skip")."""
    kind, _, rest = (turn.option or "").partition(":")
    if kind not in ("ans", "dk", "skip") or not rest:
        return None
    entry = turn.q.question_index.get(rest.rsplit(":", 1)[0] if kind == "ans" else rest)
    if entry is None:
        return None
    question = entry[2]
    if kind == "dk":
        return question, Answer("dont_know")
    if kind == "skip":
        return question, None
    index = rest.rsplit(":", 1)[1]
    opts = question.options or ()
    if not index.isdigit() or int(index) >= len(opts):
        return None
    return question, Answer("option", option=opts[int(index)].id)


async def handle_question(turn: Turn) -> Next:
    """Input while a question is shown: buttons, a strict answer, intents, then fuzzy words."""
    state = turn.state
    question = _current(turn)
    if question is None:
        return await ask_next(turn)
    if turn.option is not None:
        button = pressed(turn)
        if button is None:
            # Another flow's button (results, advice) or a question that no longer exists.
            stale = turn.option.partition(":")[0] in ("ans", "dk", "skip")
            return Ignored() if stale else NotMine()
        target, given = button
        if given is None:
            return await skip(turn, target)
        return await answer(turn, target, given)
    if parse_command(turn.q, turn.text) is not None:
        return NotMine()
    reading = read_reply(question, turn.text, turn.parse)
    match reading.action:
        case "answer":
            assert reading.answer is not None
            return await answer(turn, question, reading.answer)
        case "confirm":
            assert reading.answer is not None
            state.pending = Pending(question_id=question.id, answer=reading.answer.dump())
            state.flow = "confirm_answer"
            basis = reading.basis
            turn.say(
                _CONFIRM[basis.kind] if basis else "q.confirm_guess",
                options=turn.options((YES, "label.yes"), (NO, "label.no")),
                answer=describe(turn, question, reading.answer),
                first=basis.first if basis else None,
                second=basis.second if basis else None,
            )
            return None
        case "ask":
            figure = question.figure
            assert reading.ask is not None
            unit = figure.unit if figure else ""
            turn.say(_ASK[reading.ask], unit=unit, per=rate_base(unit))
            return None
        case "intent":
            return await _question_intent(turn, question, reading.intent or "")
        case _:
            await not_understood(turn, question)
            return None


async def _question_intent(turn: Turn, question: Question, intent: str) -> Next:
    """An intent said while a question is shown; intents about the question act on it."""
    if intent == "no_sabe":
        return await answer(turn, question, Answer("dont_know"))
    if intent == "omitir":
        return await skip(turn, question)
    if intent == "corregir":
        return await go_back(turn, question)
    if intent == "repetir":
        await show_question(turn, question)
        return None
    if intent == "ayuda" and not turn.text.startswith("/"):
        # A plain "ayuda" asks about this question; "/ayuda" is the general help.
        turn.say("q.help", help=question.help)
        await show_question(turn, question)
        return None
    return NotMine(intent=intent, otherwise=goto("question", unclear=True))


async def not_understood(turn: Turn, question: Question) -> None:
    """Say how to answer, then show the question again so the person sees what is asked."""
    turn.state.failures += 1
    if turn.state.failures >= turn.deps.max_failed_tries:
        turn.say(
            "q.stuck",
            options=turn.options(
                (f"help:{question.id}", "label.help"),
                (f"dk:{question.id}", "label.dont_know"),
                (f"skip:{question.id}", "label.skip"),
                ("advice", "label.advice"),
            ),
            help=question.help,
        )
        return
    hint = "q.figure_hint" if question.figure else "q.option_hint"
    figure = question.figure
    choices = choice_options(turn)
    buttons = turn.traits.buttons
    turn.say(
        hint,
        options=choices if buttons else (),
        maybe=bool(choices) and buttons,
        count=len(question.options or ()),
        last=letter(len(question.options or ()) - 1),
        unit=figure.unit if figure else "",
        min=figure.min if figure else 0,
        max=figure.max if figure else None,
    )
    if choices and not buttons:
        # Without buttons a numbered list next to a question would read as its options («1»
        # would be a suggestion, not option a): the suggestions go as words to type.
        turn.say("suggest.words", labels=[o.label for o in choices])
    await show_question(turn, question)


async def answer(turn: Turn, question: Question, given: Answer, *, overwrite: bool = False) -> Next:
    """Validate and save, unless it replaces another person's answer (then ask first)."""
    try:
        item_score(question, given)
    except InvalidAnswer:
        # The question stays open for the corrected figure, also after a confirmation.
        turn.state.flow, turn.state.current, turn.state.pending = "question", question.id, None
        figure = question.figure
        turn.say(
            "q.out_of_range",
            unit=figure.unit if figure else "",
            min=figure.min if figure else 0,
            max=figure.max if figure else None,
        )
        return None
    saving = await answers.save(turn, question.id, given, overwrite=overwrite)
    if saving.verdict == "frozen":
        return goto("review", frozen=True)
    if saving.verdict == "taken":
        current = saving.current
        assert current is not None
        other = await turn.tx.contact(current.contact_id) if current.contact_id else None
        turn.state.pending = Pending(
            question_id=question.id, answer=given.dump(), then=turn.state.current
        )
        turn.state.flow = "confirm_overwrite"
        turn.say(
            "q.confirm_overwrite",
            options=turn.options((YES, "label.replace"), (NO, "label.keep")),
            who=other.name if other else None,
            when=current.answered_at.strftime("%d/%m/%Y"),
            old=describe(turn, question, current.answer),
            new=describe(turn, question, given),
        )
        return None
    turn.say("q.saved", answer=describe(turn, question, given))
    return await ask_next(turn)


async def skip(turn: Turn, question: Question) -> Next:
    if question.id not in turn.state.skipped:
        turn.state.skipped.append(question.id)
    turn.say("q.skipped")
    return await ask_next(turn)


async def go_back(turn: Turn, question: Question | None) -> Next:
    scope = turn.contact.dimensions if turn.contact else ()
    previous = nav.previous_question(turn.q, turn.kind, question.id if question else None, scope)
    if previous is None:
        turn.say("q.no_previous")
        if question:
            await show_question(turn, question)
        return None
    await show_question(turn, previous)
    return None


async def handle_pending(turn: Turn) -> Next:
    """Yes/no to an overwrite or to an answer read from free words."""
    state = turn.state
    pending = state.pending
    entry = turn.q.question_index.get(pending.question_id) if pending else None
    if pending is None or entry is None:
        return await ask_next(turn)
    question = entry[2]
    typed = turn.option is None
    if typed and _pausing(turn):
        return NotMine(intent="cancelar")  # «pausa» pauses here too; it is not a «no»
    correction = _corrected(question, turn.text) if typed else None
    if correction is not None:
        # «no, es la c»: the «no» rejects the reading and the rest is the answer meant.
        state.pending, state.flow = None, "question"
        return await answer(turn, question, correction)
    if turn.said_yes():
        given = Answer.parse(pending.answer)
        state.pending = None
        # A guess confirmed may still need an overwrite confirmation; an overwrite is confirmed.
        return await answer(turn, question, given, overwrite=state.flow == "confirm_overwrite")
    if turn.said_no():
        state.pending = None
        if state.flow == "confirm_overwrite":
            turn.say("q.kept")
        elif question.figure is not None:
            turn.say("q.figure_rejected", unit=question.figure.unit)
        else:
            turn.say("q.guess_rejected")
        if state.flow == "confirm_answer":
            await show_question(turn, question)
            return None
        return await ask_next(turn)
    if turn.option is not None:
        return NotMine()  # another flow's button; a stale one is ignored by the router
    if state.flow == "confirm_answer":
        reading = read_reply(question, turn.text, turn.parse)
        if reading.action == "intent" and reading.intent in _SIDE:
            # A side question is answered and the confirmation asked again (`reprompt_pending`).
            return NotMine(intent=reading.intent)
        # Neither yes nor no: read it afresh as a reply to the question (a new answer, "atrás"...).
        state.pending, state.flow = None, "question"
        return await handle_question(turn)
    turn.say("answer.yes_no", options=turn.options((YES, "label.yes"), (NO, "label.no")))
    return None


def _pausing(turn: Turn) -> bool:
    return rule_intent(turn.text) == "cancelar" or turn.intent == "cancelar"


def _corrected(question: Question, text: str) -> Answer | None:
    """The exact answer after a leading «no» («no, es la c», «no, la b»), else None."""
    found = _NO_BUT.match(fold(text))
    if found is None or not found.group(1):
        return None
    rest = found.group(1)
    if question.figure is not None and not _DIGITS.fullmatch(rest):
        return None  # «no, unos 40» is another estimate to confirm, not an exact figure
    strict = parse_answer(question, rest)
    if strict is None:
        return None
    value = strict.value
    if isinstance(value, float):
        return Answer("figure", value=value)
    return Answer("option", option=value)


async def reprompt_pending(turn: Turn) -> Next:
    """Ask again for the yes/no that is pending (after a side question), or show the question."""
    pending = turn.state.pending
    entry = turn.q.question_index.get(pending.question_id) if pending else None
    if pending is None or entry is None:
        return await reprompt(turn)
    question, given = entry[2], Answer.parse(pending.answer)
    if turn.state.flow == "confirm_overwrite":
        turn.state.pending = None
        return await answer(turn, question, given)  # says the overwrite confirmation again
    turn.say(
        "q.confirm_guess",
        options=turn.options((YES, "label.yes"), (NO, "label.no")),
        answer=describe(turn, question, given),
    )
    return None


FLOWS = (
    Flow(
        "question",
        ("question",),
        enter=enter,
        handle=handle_question,
        reprompt=reprompt,
        resumable=True,
        needs="answer",
    ),
    Flow(
        "confirm_answer",
        ("confirm_answer", "confirm_overwrite"),
        enter=enter,
        handle=handle_pending,
        reprompt=reprompt_pending,
        interruptions=ANYWHERE,
        needs="answer",
    ),
)
