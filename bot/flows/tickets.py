"""Asking MinTIC for technical accompaniment: topic, description, contact means, confirmation,
then a ticket (see `bot.tickets`); and "¿en qué va mi solicitud?".

A request can start from any flow ("necesitamos acompañamiento para formular la estrategia",
/asesoria, the menu) and returns there once sent or cancelled. What the first message already
says (the topic, and by email the whole description) is not asked again. A weak subdimension in
the results offers a button that opens a ticket about it in one step.
"""

from __future__ import annotations

import re

from bot.contract import Option
from bot.flows.turn import NO, YES, Turn
from bot.report.render import radar_for, renderer
from bot.scoring import score
from bot.storage.api import NewTicket, TicketRecord
from bot.tickets.desk import TicketDesk
from bot.tickets.mail import Diagnosis
from bot.tickets.text import TOPICS, find_number, guess_topic
from dialogues.parsing import fold
from dialogues.state import TicketDraft
from nlu.rules import rule_intent

QUICK_PREFIX = "ticket:"  # a results button: "ticket:PER-EDU" (a subdimension id)
MIN_DESCRIPTION_WORDS = 3
# A first message this long says what is needed: it is the description, not just the wish.
SELF_DESCRIBING_WORDS = 12
MAX_DESCRIPTION = 2000
_RETURNS_TO = ("menu", "question", "review", "block")
_PHONE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
STATUS_SHOWN = 5


def desk(turn: Turn) -> TicketDesk:
    assert turn.deps.desk is not None, "build_deps wires the ticket desk"
    return turn.deps.desk


def _dimensions(turn: Turn) -> list[tuple[str, str]]:
    return [(d.id, d.name) for d in turn.q.dimensions]


def _request_text(turn: Turn) -> str:
    return turn.body or turn.text


async def start(turn: Turn, topic: str | None = None) -> None:
    """Begin a request, skipping what the message that asked for it already says."""
    flow = "question" if turn.state.flow == "stuck" else turn.state.flow
    back = flow if flow in _RETURNS_TO else "menu"
    draft = TicketDraft(back=back)
    said = _request_text(turn)
    slash = said.strip().startswith("/")
    draft.topic = topic or (None if slash else guess_topic(said, _dimensions(turn)))
    draft.step = "description" if draft.topic else "topic"
    if draft.topic and not slash and len(said.split()) >= SELF_DESCRIBING_WORDS:
        draft.description = said[:MAX_DESCRIPTION]
        draft.step = "means"
    turn.state.ticket, turn.state.flow = draft, "ticket"
    turn.say("ticket.intro")
    ask(turn)


def ask(turn: Turn) -> None:
    draft = turn.state.ticket
    assert draft is not None
    d = desk(turn)
    if draft.step == "topic":
        turn.say(
            "ticket.ask_topic",
            options=tuple(Option(f"topic:{t}", d.topic_label(t)) for t in TOPICS),
        )
    elif draft.step == "dimension":
        turn.say(
            "ticket.ask_dimension",
            options=tuple(Option(f"dim:{i}", name) for i, name in _dimensions(turn)),
        )
    elif draft.step == "description":
        turn.say("ticket.ask_description", topic=d.topic_label(draft.topic or "otro"))
    elif draft.step == "means":
        turn.say("ticket.ask_means", options=_means_options(turn))
    elif draft.step == "phone":
        turn.say("ticket.ask_phone")
    else:
        assert turn.contact is not None
        turn.say(
            "ticket.confirm",
            options=turn.options((YES, "label.ticket_send"), (NO, "label.ticket_cancel")),
            title=turn.entity.title,
            topic=d.topic_label(draft.topic or "otro"),
            description=draft.description,
            means=draft.means,
            mailbox=d.settings.mailbox,
        )


def _means_options(turn: Turn) -> tuple[Option, ...]:
    assert turn.contact is not None
    catalog = turn.deps.catalog
    channel = turn.msg.key.channel
    options = []
    if channel == "telegram":
        options.append(Option("means:here", catalog.render("label.means_telegram")))
    options.append(
        Option("means:email", catalog.render("label.means_email", email=turn.contact.email))
    )
    options.append(Option("means:phone", catalog.render("label.means_phone")))
    return tuple(options)


def pick(turn: Turn, options: tuple[Option, ...]) -> str | None:
    """The chosen option: a button, its number, or words of its label."""
    if turn.option is not None:
        return turn.option if any(o.value == turn.option for o in options) else None
    text = fold(turn.text)
    number = re.fullmatch(r"(\d{1,2})[.)]?", text)
    if number and 1 <= int(number.group(1)) <= len(options):
        return options[int(number.group(1)) - 1].value
    if len(text) >= 4:
        for option in options:
            if text in fold(option.label):
                return option.value
    return None


async def handle(turn: Turn) -> None:
    """Input while a request is being put together."""
    draft = turn.state.ticket
    if draft is None:
        turn.state.flow = "menu"
        from bot.flows.general import show_menu

        show_menu(turn)
        return
    typed_cancel = turn.option is None and rule_intent(turn.text) == "cancelar"
    if typed_cancel or (draft.step == "confirm" and turn.said_no()):
        turn.say("ticket.cancelled")
        await _finish(turn)
        return
    d = desk(turn)
    if draft.step == "topic":
        chosen = pick(turn, tuple(Option(f"topic:{t}", d.topic_label(t)) for t in TOPICS))
        topic = chosen.split(":", 1)[1] if chosen else guess_topic(turn.text, _dimensions(turn))
        if topic is None:
            turn.say("ticket.not_understood")
        else:
            draft.topic = topic
            draft.step = "dimension" if topic == "dimension" else "description"
    elif draft.step == "dimension":
        options = tuple(Option(f"dim:{i}", name) for i, name in _dimensions(turn))
        chosen = pick(turn, options)
        guessed = guess_topic(turn.text, _dimensions(turn))
        if chosen:
            draft.topic, draft.step = f"dimension:{chosen.split(':', 1)[1]}", "description"
        elif guessed and guessed.startswith("dimension:"):
            draft.topic, draft.step = guessed, "description"
        else:
            turn.say("ticket.not_understood")
    elif draft.step == "description":
        text = _request_text(turn) if turn.option is None else ""
        if len(text.split()) < MIN_DESCRIPTION_WORDS:
            turn.say("ticket.description_short")
            return
        else:
            draft.description, draft.step = text[:MAX_DESCRIPTION], "means"
    elif draft.step == "means":
        _read_means(turn, draft)
    elif draft.step == "phone":
        found = _PHONE.search(turn.text)
        if found is None:
            turn.say("ticket.bad_phone")
            return
        else:
            draft.means = turn.deps.catalog.render("ticket.means.phone", phone=found.group(0))
            draft.step = "confirm"
    elif draft.step == "confirm":
        if turn.said_yes():
            await _create(turn, draft)
            return
        turn.say("ticket.confirm_how")
    ask(turn)


def _read_means(turn: Turn, draft: TicketDraft) -> None:
    assert turn.contact is not None
    catalog = turn.deps.catalog
    chosen = pick(turn, _means_options(turn))
    phone = _PHONE.search(turn.text) if turn.option is None else None
    folded = fold(turn.text)
    if chosen is None and phone is None:
        if "correo" in folded or "email" in folded or "e-mail" in folded:
            chosen = "means:email"
        elif "telegram" in folded or "este chat" in folded:
            chosen = "means:here" if turn.msg.key.channel == "telegram" else None
        elif "telefon" in folded or "llam" in folded or "celular" in folded:
            chosen = "means:phone"
    if phone is not None and chosen in (None, "means:phone"):
        draft.means = catalog.render("ticket.means.phone", phone=phone.group(0))
        draft.step = "confirm"
    elif chosen == "means:here":
        draft.means = catalog.render("ticket.means.telegram")
        draft.step = "confirm"
    elif chosen == "means:email":
        draft.means = catalog.render("ticket.means.email", email=turn.contact.email)
        draft.step = "confirm"
    elif chosen == "means:phone":
        draft.step = "phone"
    else:
        turn.say("ticket.not_understood")


async def _diagnosis(turn: Turn) -> Diagnosis | None:
    """The contact's entity's diagnosis, if this conversation has one with answers (asking
    for help must not start a diagnosis)."""
    if turn.state.assessment_id is None:
        return None
    answers = await turn.answers()
    if not any(a.answer.counts for a in answers.values()):
        return None
    entity = turn.entity
    scores = score(turn.q, entity.kind, {qid: a.answer for qid, a in answers.items()})
    reports = renderer(turn.deps.templates_dir, turn.deps.mailbox)
    view = reports.view(turn.q, scores, entity, turn.now)
    assessment = await turn.assessment()
    return Diagnosis(view, assessment.status, reports.html(view, radar_for(view)))


async def _create(turn: Turn, draft: TicketDraft) -> None:
    assert turn.contact is not None and draft.topic and draft.description
    await open_ticket(turn, draft.topic, draft.description, draft.means or "")
    await _finish(turn)


async def open_ticket(turn: Turn, topic: str, description: str, means: str) -> TicketRecord:
    assert turn.contact is not None
    new = NewTicket(
        entity_code=turn.contact.entity_code,
        contact_id=turn.contact.id,
        topic=topic,
        description=description,
        contact_means=means,
        channel=turn.msg.key.channel,
        address=turn.msg.key.address,
    )
    d = desk(turn)
    ticket, created = await d.open(turn.tx, new, turn.contact, turn.now, await _diagnosis(turn))
    turn.say(
        "ticket.created" if created else "ticket.merged",
        number=ticket.number,
        topic=d.topic_label(ticket.topic),
        mailbox=d.destination(ticket, turn.entity).to,
        channel=turn.msg.key.channel,
    )
    return ticket


async def _finish(turn: Turn) -> None:
    from bot.flows.general import reprompt

    draft = turn.state.ticket
    back = draft.back if draft and draft.back in _RETURNS_TO else "menu"
    turn.state.ticket, turn.state.flow = None, back  # type: ignore[assignment]
    if back != "menu":
        await reprompt(turn)


# --- one step from the results ---------------------------------------------------------------


def quick_options(turn: Turn, subdimensions: list[tuple[str, str]]) -> tuple[Option, ...]:
    """'Solicitar acompañamiento sobre esto' for each weak subdimension: (id, name)."""
    return tuple(
        Option(f"{QUICK_PREFIX}{sub_id}", turn.deps.catalog.render("label.ticket_about", name=name))
        for sub_id, name in subdimensions
    )


async def quick(turn: Turn) -> None:
    """A results button: a ticket about that subdimension, at once, answered on this channel."""
    sub_id = (turn.option or "").removeprefix(QUICK_PREFIX)
    found = next(
        ((d, s) for d in turn.q.dimensions for s in d.subdimensions if s.id == sub_id), None
    )
    if found is None or turn.contact is None:
        turn.say("q.stale_button")
        return
    dimension, sub = found
    catalog = turn.deps.catalog
    description = catalog.render(
        "ticket.quick_description",
        name=sub.name,
        dimension=dimension.name,
        next_step=sub.recommendation.next_step,
        accompaniment=sub.recommendation.accompaniment,
    )
    channel = turn.msg.key.channel
    means = (
        catalog.render("ticket.means.telegram")
        if channel == "telegram"
        else catalog.render("ticket.means.email", email=turn.contact.email)
    )
    await open_ticket(turn, f"subdimension:{sub.id}", description, means)


# --- "¿en qué va mi solicitud?" ----------------------------------------------------------------


async def show_status(turn: Turn) -> None:
    if turn.contact is None:
        turn.say("tickets.none")
        return
    mine = await turn.tx.tickets(contact_id=turn.contact.id)
    asked = find_number(turn.text)
    if asked:
        mine = [t for t in mine if t.number == asked] or mine
    if not mine:
        turn.say("tickets.none")
        return
    d = desk(turn)
    rows = []
    for ticket in mine[:STATUS_SHOWN]:
        events = await turn.tx.ticket_events(ticket.id)
        replies = [e for e in events if e.kind == "staff_reply" and e.body]
        rows.append(
            {
                "number": ticket.number,
                "topic": d.topic_label(ticket.topic),
                "status": d.status_label(ticket.status),
                "created": ticket.created_at.astimezone(d.zone).strftime("%d/%m/%Y"),
                "updated": ticket.updated_at.astimezone(d.zone).strftime("%d/%m/%Y %H:%M"),
                "reply": replies[-1].body[:400] if replies else None,
            }
        )
    turn.say("tickets.status", tickets=rows, more=max(0, len(mine) - STATUS_SHOWN))
