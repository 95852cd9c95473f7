"""Asking MinTIC for technical accompaniment: topic, description, contact means, confirmation,
then a ticket (see `bot.tickets`); and "¿en qué va mi solicitud?".

A request can start from any flow ("necesitamos acompañamiento para formular la estrategia",
/asesoria, the menu) and returns there once sent or cancelled. What the first message already
says (the topic, and by email the whole description) is not asked again. A weak subdimension in
the results offers a button that fills in a request about it, sent once confirmed.
"""

from __future__ import annotations

import re

from bot.contract import Option
from bot.conversation.registry import REPROMPT, Flow, Ignored, Next, NotMine, goto
from bot.conversation.state import TicketDraft
from bot.conversation.turn import NO, YES, Turn
from bot.report.render import renderer
from bot.scoring import score
from bot.storage.api import NewTicket, TicketRecord
from bot.tickets.desk import TicketDesk
from bot.tickets.mail import Diagnosis
from bot.tickets.text import TOPICS, find_number, guess_topic
from dialogues.parsing import fold
from nlu.rules import rule_intent

MIN_DESCRIPTION_WORDS = 3
# A first message this long says what is needed: it is the description, not just the wish.
SELF_DESCRIBING_WORDS = 12
MAX_DESCRIPTION = 2000
# Buttons this flow offers (topics, dimensions, contact means, send/cancel).
_OWN_OPTIONS = ("topic:", "dim:", "means:", YES, NO)
_PHONE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
STATUS_SHOWN = 5


def desk(turn: Turn) -> TicketDesk:
    assert turn.deps.desk is not None, "build_deps wires the ticket desk"
    return turn.deps.desk


def _dimensions(turn: Turn) -> list[tuple[str, str]]:
    return [(d.id, d.name) for d in turn.q.dimensions]


def _request_text(turn: Turn) -> str:
    return turn.body or turn.text


async def enter(
    turn: Turn, *, topic: str | None = None, back: str = "menu", quick: str | None = None
) -> Next:
    """Begin a request (`back`: the flow to return to afterwards); `quick`: a results button
    about that subdimension, which fills in the whole request and asks to confirm it."""
    if quick is not None:
        return _quick(turn, quick, back)
    await start(turn, topic, back)
    return None


async def reprompt(turn: Turn) -> Next:
    if turn.state.ticket is None:
        return goto("menu")
    ask(turn)
    return None


async def start(turn: Turn, topic: str | None = None, back: str = "menu") -> None:
    """Begin a request, skipping what the message that asked for it already says."""
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
    options = []
    if turn.traits.reachable_here:
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


async def handle(turn: Turn) -> Next:
    """Input while a request is being put together."""
    draft = turn.state.ticket
    if draft is None:
        return goto("menu")
    if turn.option is not None and not turn.option.startswith(_OWN_OPTIONS):
        return NotMine()  # another flow's button (results, privacy); a stale one is ignored
    typed_cancel = turn.option is None and rule_intent(turn.text) == "cancelar"
    if typed_cancel or (draft.step == "confirm" and turn.said_no()):
        turn.say("ticket.cancelled")
        return _finish(turn)
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
            return None
        else:
            draft.description, draft.step = text[:MAX_DESCRIPTION], "means"
    elif draft.step == "means":
        _read_means(turn, draft)
    elif draft.step == "phone":
        found = _PHONE.search(turn.text)
        if found is None:
            turn.say("ticket.bad_phone")
            return None
        else:
            draft.means = turn.deps.catalog.render("ticket.means.phone", phone=found.group(0))
            draft.step = "confirm"
    elif draft.step == "confirm":
        if turn.said_yes():
            return await _create(turn, draft)
        turn.say("ticket.confirm_how")
    ask(turn)
    return None


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
            chosen = "means:here" if turn.traits.reachable_here else None
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
    return Diagnosis(view, assessment.status, reports.html(view, reports.radar(view)))


async def _create(turn: Turn, draft: TicketDraft) -> Next:
    assert turn.contact is not None and draft.topic and draft.description
    await open_ticket(turn, draft.topic, draft.description, draft.means or "")
    return _finish(turn)


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


def _finish(turn: Turn) -> Next:
    draft = turn.state.ticket
    if draft is not None and draft.held is not None:
        turn.state.ticket = TicketDraft.model_validate(draft.held)
        return REPROMPT  # the request interrupted by a results button goes on
    back = draft.back if draft and draft.back else "menu"
    turn.state.ticket, turn.state.flow = None, back
    return REPROMPT if back != "menu" else None


# --- a request from the results --------------------------------------------------------------


def _quick(turn: Turn, sub_id: str, back: str) -> Next:
    """A results button: the whole request about that subdimension, to confirm before it is
    sent (a button pressed long after the results must not open a ticket by itself)."""
    found = next(
        ((d, s) for d in turn.q.dimensions for s in d.subdimensions if s.id == sub_id), None
    )
    if found is None or turn.contact is None:
        return Ignored()
    dimension, sub = found
    catalog = turn.deps.catalog
    description = catalog.render(
        "ticket.quick_description",
        name=sub.name,
        dimension=dimension.name,
        next_step=sub.recommendation.next_step,
        accompaniment=sub.recommendation.accompaniment,
    )
    means = (
        catalog.render("ticket.means.telegram")
        if turn.traits.reachable_here
        else catalog.render("ticket.means.email", email=turn.contact.email)
    )
    held = turn.state.ticket if turn.state.flow == "ticket" else None
    turn.state.ticket = TicketDraft(
        back=held.back if held else back,
        held=held.model_dump() if held else None,
        topic=f"subdimension:{sub.id}",
        description=description,
        means=means,
        step="confirm",
    )
    turn.state.flow = "ticket"
    ask(turn)
    return None


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


FLOW = Flow("ticket", ("ticket",), enter=enter, handle=handle, reprompt=reprompt)
