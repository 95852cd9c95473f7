"""Review before submitting, submitting (freezes the assessment), reopening, and results."""

from __future__ import annotations

import re

from bot.conversation.flows.results import send_results
from bot.conversation.registry import ANYWHERE, Flow, Next, NotMine, goto
from bot.conversation.turn import NO, YES, Turn
from dialogues import navigation as nav
from dialogues.commands import parse_command
from dialogues.question_lookup import find_questions
from nlu.text import fold_phrase


async def enter(
    turn: Turn,
    *,
    frozen: bool = False,
    reopen: bool = False,
    hint: bool = False,
    submit: bool = False,
    find: str | None = None,
) -> Next:
    """The review; `frozen`: say the diagnosis is submitted; `reopen`: ask to reopen it;
    `hint`: the last message was neither a review command nor anything else understood;
    `submit`: the person asked to send it («enviar diagnóstico»): the confirmation at once;
    `find`: the words of the question to change («cambiar la de los homicidios»)."""
    if find is not None:
        return await find_question(turn, find)
    if frozen:
        say_frozen(turn)
    elif reopen:
        await ask_reopen(turn)
    elif submit and (await turn.assessment()).status == "submitted":
        say_frozen(turn)
    elif submit:
        await ask_submit(turn)
    else:
        if hint:
            turn.say("review.hint")
        await show_review(turn)
    return None


async def reprompt(turn: Turn) -> Next:
    await show_review(turn)
    return None


async def show_review(turn: Turn) -> None:
    answers = await turn.answers()
    dont_know = {qid for qid, a in answers.items() if a.answer.kind == "dont_know"}
    rows = nav.progress(turn.q, turn.kind, answers, dont_know)
    missing = sum(len(r.missing) for r in rows)
    turn.state.flow, turn.state.current = "review", None
    turn.say(
        "review.summary",
        options=turn.options(*_BUTTONS),
        rows=[
            {
                "name": r.dimension.name,
                "answered": r.answered,
                "total": r.total,
                "dont_know": r.dont_know,
                "missing": ", ".join(str(n) for n in r.missing[:15])
                + (" …" if len(r.missing) > 15 else ""),
            }
            for r in rows
        ],
        missing=missing,
        total=sum(r.total for r in rows),
        unverified=turn.contact is not None and not turn.contact.is_member,
    )


_BUTTONS = (("submit", "label.submit"), ("jump", "label.change"), ("continue", "label.continue"))


def typed_button(turn: Turn) -> str:
    """The review button a typed text names: its label or the command, accents optional
    («enviar diagnostico», «cambiar una respuesta»); "" for anything else."""
    if turn.option is not None:
        return turn.option
    folded = fold_phrase(turn.text)
    for value, label in _BUTTONS:
        if folded == fold_phrase(turn.deps.catalog.render(label)):
            return value
    command = parse_command(turn.q, turn.text)
    return "submit" if command is not None and command.name == "submit" else ""


async def ask_submit(turn: Turn) -> None:
    if await turn.refused("submit"):
        return
    turn.state.flow = "confirm_submit"
    answers = await turn.answers()
    total = len(turn.q.questions_for(turn.kind))
    turn.say(
        "review.confirm_submit",
        options=turn.options((YES, "label.submit_now"), (NO, "label.not_yet")),
        answered=len(answers),
        total=total,
    )


async def handle_review(turn: Turn) -> Next:
    command = typed_button(turn)
    if command == "submit":
        await ask_submit(turn)
        return None
    if command == "jump":
        turn.state.flow = "jump"
        turn.say("review.which")
        return None
    if command == "continue" or turn.intent in ("continuar_diagnostico", "iniciar_diagnostico"):
        turn.state.skipped = []  # skipped questions are asked again now
        return goto("question")
    return NotMine(otherwise=goto("review", hint=True))


async def handle_jump(turn: Turn) -> Next:
    """After «¿Qué pregunta desea cambiar?»: a number, or words of the question. The reply is
    read as that first («datos abiertos» is a question here, not personal data); what names no
    question goes to the global router."""
    if turn.option is not None:
        return await handle_review(turn)
    token = turn.text.strip()
    target = nav.by_number(turn.q, turn.kind, token)
    if target is not None:
        return goto("question", question=target.id)
    if re.fullmatch(r"\d+", token):
        turn.say("review.bad_number", total=len(turn.q.questions_for(turn.kind)))
        return None
    if typed_button(turn) or parse_command(turn.q, token) is not None:
        return await handle_review(turn)
    if find_questions(turn.q, turn.kind, token):
        return await find_question(turn, token)
    return NotMine(otherwise=goto("review", find=token))


MAX_FOUND = 8  # more matches than this: ask for more words instead of a long list


async def find_question(turn: Turn, words: str) -> Next:
    """Go to the question `words` describe; several: list them and ask for the number."""
    found = find_questions(turn.q, turn.kind, words)
    if len(found) == 1:
        return goto("question", question=found[0].id)
    turn.state.flow, turn.state.current = "jump", None
    if not found or len(found) > MAX_FOUND:
        turn.say("review.found_none" if not found else "review.found_many", words=words[:80])
        return None
    answered = await turn.answers()
    turn.say(
        "review.found_several",
        questions=[
            {
                "number": nav.position(turn.q, turn.kind, q.id, answered).number,
                "text": q.text,
            }
            for q in found
        ],
    )
    return None


async def handle_confirm_submit(turn: Turn) -> Next:
    if turn.said_yes():
        if turn.refused_unproven() or await turn.refused("submit"):
            return None
        assessment = await turn.assessment()
        contact_id = turn.contact.id if turn.contact else None
        await turn.tx.set_assessment_status(assessment.id, "submitted", contact_id, turn.now)
        turn.forget_assessment()
        turn.state.flow = "menu"
        turn.say("review.submitted", title=turn.entity.title)
        await send_results(turn)
        return None
    if turn.option not in (None, NO):
        return NotMine()  # another flow's button; a stale one is ignored by the router
    await show_review(turn)
    return None


def say_frozen(turn: Turn) -> None:
    turn.state.flow, turn.state.current = "menu", None
    turn.say(
        "review.frozen",
        options=turn.options(("results", "label.results"), ("reopen", "label.reopen")),
    )


async def ask_reopen(turn: Turn) -> None:
    if await turn.refused("reopen"):
        return
    assessment = await turn.assessment()
    if assessment.status != "submitted":
        turn.say("review.not_submitted")
        return
    turn.state.flow = "confirm_reopen"
    turn.say(
        "review.confirm_reopen",
        options=turn.options((YES, "label.reopen"), (NO, "label.keep_submitted")),
    )


async def handle_confirm_reopen(turn: Turn) -> Next:
    if turn.said_yes():
        assessment = await turn.assessment()
        contact_id = turn.contact.id if turn.contact else None
        await turn.tx.set_assessment_status(
            assessment.id,
            "in_progress",
            contact_id,
            turn.now,
            turn.deps.catalog.render("review.reopened_note"),
        )
        turn.forget_assessment()
        turn.state.flow = "menu"
        turn.say("review.reopened")
        return None
    if turn.option not in (None, NO):
        return NotMine()
    turn.state.flow = "menu"
    turn.say("review.kept_submitted")
    return None


async def _menu(turn: Turn) -> Next:
    return goto("menu")


FLOWS = (
    Flow(
        "jump",
        ("jump",),
        enter=enter,
        handle=handle_jump,
        reprompt=reprompt,
        resumable=True,
        needs="answer",
    ),
    Flow(
        "review",
        ("review",),
        enter=enter,
        handle=handle_review,
        reprompt=reprompt,
        interruptions=ANYWHERE,
        resumable=True,
        needs="answer",
    ),
    Flow(
        "confirm_submit",
        ("confirm_submit",),
        enter=enter,
        handle=handle_confirm_submit,
        reprompt=reprompt,
        interruptions=ANYWHERE,
        needs="submit",
    ),
    Flow(
        "confirm_reopen",
        ("confirm_reopen",),
        enter=enter,
        handle=handle_confirm_reopen,
        reprompt=_menu,
        interruptions=ANYWHERE,
        needs="reopen",
    ),
)
