"""The menu: where a registered contact is when nothing is pending, and what it shows
(progress, the dimensions one takes charge of)."""

from __future__ import annotations

from bot.conversation.registry import ANYWHERE, NOT_MINE, Flow, Next, goto
from bot.conversation.turn import Turn
from dialogues import navigation as nav
from dialogues.questionnaire import Question


async def show_menu(turn: Turn) -> None:
    turn.state.flow = "menu"
    if not await turn.may("answer"):  # waiting for approval, declined or revoked
        turn.say(
            "menu",
            options=turn.options(
                ("advice", "label.advice"),
                ("privacy", "label.privacy"),
                ("help", "label.help_menu"),
            ),
        )
        return
    turn.say(
        "menu",
        options=turn.options(
            ("continue", "label.continue"),
            ("results", "label.results"),
            ("review", "label.review"),
            ("privacy", "label.privacy"),
            ("help", "label.help_menu"),
        ),
    )


async def enter(turn: Turn) -> Next:
    await show_menu(turn)
    return None


async def handle(turn: Turn) -> Next:
    """Everything said at the menu is a command or an intent: the router's."""
    return NOT_MINE


async def set_scope(turn: Turn, dimensions: tuple[str, ...]) -> Next:
    assert turn.contact is not None
    turn.contact = await turn.tx.update_contact(turn.contact.id, dimensions=dimensions)
    names = [d.name for d in turn.q.dimensions if d.id in dimensions]
    turn.say("scope.set", names=names)
    return goto("question")


async def last_answered(turn: Turn) -> Question | None:
    """The question this contact answered most recently ("me equivoqué" outside a question)."""
    mine = turn.contact.id if turn.contact else None
    answers = [a for a in (await turn.answers()).values() if a.contact_id == mine]
    if not answers:
        return None
    latest = max(answers, key=lambda a: a.answered_at)
    entry = turn.q.question_index.get(latest.question_id)
    return entry[2] if entry else None


async def show_progress(turn: Turn) -> None:
    answers = await turn.answers()
    dont_know = {qid for qid, a in answers.items() if a.answer.kind == "dont_know"}
    rows = nav.progress(turn.q, turn.kind, answers, dont_know)
    by_contact: dict[int | None, int] = {}
    for a in answers.values():
        by_contact[a.contact_id] = by_contact.get(a.contact_id, 0) + 1
    people = []
    named = await turn.may("see_officials")
    for contact_id, count in sorted(by_contact.items(), key=lambda kv: -kv[1]):
        if not named and not (turn.contact is not None and contact_id == turn.contact.id):
            continue
        contact = await turn.tx.contact(contact_id) if contact_id else None
        people.append(
            {
                "name": contact.name if contact else None,
                "count": count,
                "me": turn.contact is not None and contact_id == turn.contact.id,
            }
        )
    turn.say(
        "progress",
        rows=[
            {
                "name": r.dimension.name,
                "percent": r.percent,
                "answered": r.answered,
                "total": r.total,
            }
            for r in rows
        ],
        people=people,
        unverified=not turn.contact or not turn.contact.is_member,
    )


FLOW = Flow(
    "menu",
    ("menu",),
    enter=enter,
    handle=handle,
    reprompt=enter,
    interruptions=ANYWHERE,
    resumable=True,
)
