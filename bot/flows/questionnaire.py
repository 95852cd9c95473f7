"""Answering the questionnaire: ask, understand, confirm, save, move on.

Several contacts of one entity share one assessment. The next question is the first one in the
contact's scope that nobody has answered; changing an answer another person gave is confirmed
first, showing who gave it and when. A saved answer is acknowledged only in the reply returned
after the transaction commits.
"""

from __future__ import annotations

from bot.contract import Option
from bot.flows.reading import read_reply
from bot.flows.turn import NO, YES, Turn
from bot.scoring import Answer, InvalidAnswer, item_score
from dialogues import navigation as nav
from dialogues.commands import parse_command
from dialogues.parsing import letter
from dialogues.questionnaire import Question
from dialogues.state import Pending
from nlu.numbers import format_number

MAX_BUTTON_LABEL = 60


def describe(question: Question, answer: Answer) -> str:
    """How an answer reads back to the user: 'b) Está en formulación', '80 %', 'No sé'."""
    match answer.kind:
        case "option":
            for i, option in enumerate(question.options or ()):
                if option.id == answer.option:
                    return f"{letter(i)}) {option.text}"
            return str(answer.option)
        case "figure" if answer.value is not None:
            unit = question.figure.unit if question.figure else ""
            value = format_number(answer.value, 6, trim=True)
            return f"{value} {unit}".strip()
        case "dont_know":
            return "No sé"
        case _:
            return "Omitida"


def _label(text: str) -> str:
    return text if len(text) <= MAX_BUTTON_LABEL else text[: MAX_BUTTON_LABEL - 1] + "…"


async def start_questionnaire(turn: Turn) -> None:
    assessment = await turn.assessment()
    if assessment.status == "submitted":
        from bot.flows.review import say_frozen

        say_frozen(turn)
        return
    await ask_next(turn)


async def ask_next(turn: Turn) -> None:
    """Show the next unanswered question in scope (by email, the next block of them), or move
    to the review when none is left."""
    from bot.flows.blocks import show_block, uses_blocks

    if uses_blocks(turn) and await show_block(turn):
        return
    answers = await turn.answers()
    scope = turn.contact.dimensions if turn.contact else ()
    question = nav.next_question(turn.q, turn.kind, answers, turn.state.skipped, scope)
    if question is None and scope:
        rest = nav.next_question(turn.q, turn.kind, answers, turn.state.skipped)
        if rest is not None:
            turn.state.flow, turn.state.current = "menu", None
            turn.say(
                "q.scope_done",
                options=turn.options(
                    ("scope:all", "label.other_dimensions"), ("review", "label.review")
                ),
            )
            return
    if question is None:
        from bot.flows.review import show_review

        await show_review(turn)
        return
    await show_question(turn, question)


async def show_question(turn: Turn, question: Question, *, intro: str | None = None) -> None:
    state = turn.state
    if state.current != question.id:
        state.failures = 0
    state.flow, state.current, state.pending = "question", question.id, None
    answers = await turn.answers()
    pos = nav.position(turn.q, turn.kind, question.id, answers)
    current = answers.get(question.id)
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
        current=describe(question, current.answer) if current else None,
        answered_by=who,
    )


async def handle_question(turn: Turn) -> None:
    """Input while a question is shown: buttons, a strict answer, intents, then fuzzy words."""
    state = turn.state
    question = turn.q.question_index.get(state.current or "", (None, None, None))[2]
    if question is None:
        await ask_next(turn)
        return
    option = turn.option or ""
    kind, _, rest = option.partition(":")
    if kind in ("ans", "dk", "skip") and rest:
        target = turn.q.question_index.get(rest.rsplit(":", 1)[0] if kind == "ans" else rest)
        if target is None:
            turn.say("q.stale_button")
            await show_question(turn, question)
            return
        question = target[2]
        if kind == "ans":
            index = rest.rsplit(":", 1)[1]
            opts = question.options or ()
            if not index.isdigit() or int(index) >= len(opts):
                turn.say("q.stale_button")
                await show_question(turn, question)
                return
            await answer(turn, question, Answer("option", option=opts[int(index)].id))
        elif kind == "dk":
            await answer(turn, question, Answer("dont_know"))
        else:
            await skip(turn, question)
        return
    from bot.flows.general import handle_global

    if option or parse_command(turn.q, turn.text) is not None:
        await handle_global(turn)
        return
    reading = read_reply(question, turn.text, turn.parse)
    match reading.action:
        case "answer":
            assert reading.answer is not None
            await answer(turn, question, reading.answer)
        case "confirm":
            assert reading.answer is not None
            state.pending = Pending(question_id=question.id, answer=reading.answer.dump())
            state.flow = "confirm_answer"
            turn.say(
                "q.confirm_guess",
                options=turn.options((YES, "label.yes"), (NO, "label.no")),
                answer=describe(question, reading.answer),
            )
        case "intent":
            await _question_intent(turn, question, reading.intent or "")
        case _:
            await not_understood(turn, question)


async def _question_intent(turn: Turn, question: Question, intent: str) -> None:
    """An intent said while a question is shown; intents about the question act on it."""
    from bot.flows.general import handle_global

    if intent == "no_sabe":
        await answer(turn, question, Answer("dont_know"))
    elif intent == "omitir":
        await skip(turn, question)
    elif intent == "corregir":
        await go_back(turn, question)
    elif intent == "repetir":
        await show_question(turn, question)
    elif intent == "ayuda" and not turn.text.startswith("/"):
        # A plain "ayuda" asks about this question; "/ayuda" is the general help.
        turn.say("q.help", help=question.help)
        await show_question(turn, question)
    elif not await handle_global(turn, fallback=False, intent=intent):
        await not_understood(turn, question)


async def not_understood(turn: Turn, question: Question) -> None:
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
    from bot.flows.general import choice_options

    hint = "q.figure_hint" if question.figure else "q.option_hint"
    figure = question.figure
    choices = choice_options(turn)
    turn.say(
        hint,
        options=choices,
        maybe=bool(choices),
        count=len(question.options or ()),
        last=letter(len(question.options or ()) - 1),
        unit=figure.unit if figure else "",
        min=figure.min if figure else 0,
        max=figure.max if figure else None,
    )


async def answer(turn: Turn, question: Question, given: Answer) -> None:
    """Validate and save, unless it replaces another person's answer (then ask first)."""
    try:
        item_score(question, given)
    except InvalidAnswer:
        figure = question.figure
        turn.say(
            "q.out_of_range",
            unit=figure.unit if figure else "",
            min=figure.min if figure else 0,
            max=figure.max if figure else None,
        )
        return
    assessment = await turn.assessment()
    if assessment.status == "submitted":
        from bot.flows.review import say_frozen

        say_frozen(turn)
        return
    current = (await turn.answers()).get(question.id)
    mine = turn.contact.id if turn.contact else None
    if current is not None and current.answer != given and current.contact_id not in (None, mine):
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
            old=describe(question, current.answer),
            new=describe(question, given),
        )
        return
    await save_and_continue(turn, question, given)


async def save_and_continue(turn: Turn, question: Question, given: Answer) -> None:
    await turn.save_answer(question.id, given)
    if question.id in turn.state.skipped:
        turn.state.skipped.remove(question.id)
    turn.say("q.saved", answer=describe(question, given))
    await ask_next(turn)


async def skip(turn: Turn, question: Question) -> None:
    if question.id not in turn.state.skipped:
        turn.state.skipped.append(question.id)
    turn.say("q.skipped")
    await ask_next(turn)


async def go_back(turn: Turn, question: Question | None) -> None:
    scope = turn.contact.dimensions if turn.contact else ()
    previous = nav.previous_question(turn.q, turn.kind, question.id if question else None, scope)
    if previous is None:
        turn.say("q.no_previous")
        if question:
            await show_question(turn, question)
        return
    await show_question(turn, previous)


async def handle_pending(turn: Turn) -> None:
    """Yes/no to an overwrite or to an answer read from free words."""
    state = turn.state
    pending = state.pending
    entry = turn.q.question_index.get(pending.question_id) if pending else None
    if pending is None or entry is None:
        await ask_next(turn)
        return
    question = entry[2]
    if turn.said_yes():
        given = Answer.parse(pending.answer)
        state.pending = None
        if state.flow == "confirm_answer":
            await answer(turn, question, given)  # may still need an overwrite confirmation
        else:
            await save_and_continue(turn, question, given)
        return
    if turn.said_no() or turn.intent == "cancelar":
        state.pending = None
        turn.say("q.kept" if state.flow == "confirm_overwrite" else "q.guess_rejected")
        await show_question(turn, question) if state.flow == "confirm_answer" else await ask_next(
            turn
        )
        return
    if state.flow == "confirm_answer" and turn.option is None:
        # Neither yes nor no: read it afresh as a reply to the question (a new answer, "atrás"...).
        state.pending, state.flow = None, "question"
        await handle_question(turn)
        return
    turn.say("answer.yes_no", options=turn.options((YES, "label.yes"), (NO, "label.no")))
