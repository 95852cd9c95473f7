"""Review before submitting, submitting (freezes the assessment), reopening, and results."""

from __future__ import annotations

from bot.constancia.issue import issue as issue_constancia
from bot.conversation.flows.results import send_results
from bot.conversation.registry import ANYWHERE, Flow, Next, NotMine, goto
from bot.conversation.turn import NO, YES, Turn
from dialogues import navigation as nav


async def enter(
    turn: Turn, *, frozen: bool = False, reopen: bool = False, hint: bool = False
) -> Next:
    """The review; `frozen`: say the diagnosis is submitted; `reopen`: ask to reopen it;
    `hint`: the last message was neither a review command nor anything else understood."""
    if frozen:
        say_frozen(turn)
    elif reopen:
        await ask_reopen(turn)
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
        options=turn.options(
            ("submit", "label.submit"), ("jump", "label.change"), ("continue", "label.continue")
        ),
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


async def handle_review(turn: Turn) -> Next:
    command = turn.option or ""
    if command == "submit" or (not command and turn.text.strip().lower() == "enviar"):
        if await turn.refused("submit"):
            return None
        turn.state.flow = "confirm_submit"
        answers = await turn.answers()
        total = len(turn.q.questions_for(turn.kind))
        turn.say(
            "review.confirm_submit",
            options=turn.options((YES, "label.submit_now"), (NO, "label.not_yet")),
            answered=len(answers),
            total=total,
        )
        return None
    if command == "jump":
        turn.state.flow = "jump"
        turn.say("review.which")
        return None
    if command == "continue" or turn.intent in ("continuar_diagnostico", "iniciar_diagnostico"):
        turn.state.skipped = []  # skipped questions are asked again now
        return goto("question")
    token = turn.text.strip() if not command else ""
    target = (
        nav.by_number(turn.q, turn.kind, token) if token and turn.state.flow == "jump" else None
    )
    if target is not None:
        return goto("question", question=target.id)
    if turn.state.flow == "jump" and not command:
        turn.say("review.bad_number", total=len(turn.q.questions_for(turn.kind)))
        return None
    return NotMine(otherwise=goto("review", hint=True))


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
        await issue_constancia(turn, assessment.id)  # its files follow the report's
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
        "review",
        ("review", "jump"),
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
