"""Advisory requests: the queue (filtered by status, topic, department and advisor), a
request's thread, replying, changing its status and assigning an advisor.

A reply written here goes through `TicketDesk.staff_reply`, the code that handles a staff email
reply: it carries the ticket's reply key as an email reply does, from the signed-in staff
member's address (an account exists only at `routing.staff_domains`), so it is stored, relayed to
the official on their channel through the outbox and audited exactly the same way.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.storage.api import TICKET_STATUSES, TicketRecord
from bot.tickets.desk import StaffReply, read_reply
from bot.tickets.mail import routed_id
from bot.web.accounts import staff_tx
from bot.web.context import Web
from bot.web.security import page
from channels.email.compose import new_message_id

MAX_REPLY_CHARS = 20_000


TOPICS = ("estrategia", "diagnostico", "cofinanciacion", "dimension", "subdimension", "otro")
# The advisor filter: everybody's, the signed-in member's own, nobody's yet.
MINE, UNASSIGNED = "mias", "sin"


def matches(ticket: TicketRecord, status: str, topic: str, department: str) -> bool:
    if status and ticket.status != status:
        return False
    if topic and ticket.topic.partition(":")[0] != topic:
        return False
    return not department or ticket.entity_code[:2] == department


def assigned_as_asked(assignee: str | None, wanted: str, me: str) -> bool:
    if wanted == MINE:
        return assignee == me
    if wanted == UNASSIGNED:
        return assignee is None
    return True


@page()
async def queue(web: Web, request: Request) -> Response:
    params = request.query_params
    status, topic = params.get("estado", ""), params.get("tema", "")
    department = params.get("departamento", "")
    advisor = params.get("asesor", "")
    me = request.state.staff.email
    async with web.console.store.transaction() as tx:
        assignees = await staff_tx(tx).assignees()
        found = [
            t
            for t in await tx.tickets()
            if matches(t, status, topic, department)
            and assigned_as_asked(assignees.get(t.id), advisor, me)
        ]
    gazetteer, desk = web.console.static.gazetteer, web.console.desk
    return web.page(
        request,
        "tickets.html.j2",
        tickets=found,
        entity=gazetteer.get,
        departments=gazetteer.departments(),
        statuses=TICKET_STATUSES,
        topics=TOPICS,
        assignees=assignees,
        chosen={"estado": status, "tema": topic, "departamento": department, "asesor": advisor},
        topic=desk.topic_label,
        status_label=desk.status_label,
    )


@page("advisor")
async def thread(web: Web, request: Request) -> Response:
    number = request.path_params["number"]
    async with web.console.store.transaction() as tx:
        ticket = await tx.ticket(number)
        if ticket is None:
            return web.error(request, 404, "not_found")
        events = await tx.ticket_events(ticket.id)
        contact = await tx.contact(ticket.contact_id) if ticket.contact_id else None
        staff = staff_tx(tx)
        assignee = await staff.assignee(ticket.id)
        advisors = await staff.advisors()
    if assignee is not None and assignee not in advisors:
        advisors.append(assignee)  # disabled since: shown, so the form does not drop them
    desk = web.console.desk
    return web.page(
        request,
        "ticket.html.j2",
        ticket=ticket,
        events=events,
        contact=contact,
        assignee=assignee,
        advisors=advisors,
        entity=desk.entity_of(ticket),
        statuses=TICKET_STATUSES,
        topic=desk.topic_label,
        status_label=desk.status_label,
        message=request.query_params.get("aviso", ""),
    )


def _back(number: str, message: str) -> RedirectResponse:
    return RedirectResponse(f"/solicitudes/{number}?aviso={quote(message)}", status_code=303)


@page("advisor")
async def reply(web: Web, request: Request) -> Response:
    """Store the reply and relay it, as if the staff member had answered the ticket's mail."""
    number = request.path_params["number"]
    form = request.state.form
    text = form.get("texto", "").replace("\r\n", "\n").strip()[:MAX_REPLY_CHARS]
    status = form.get("estado", "")
    if not text and status not in TICKET_STATUSES:
        return _back(number, web.texts.render("reply.empty"))
    desk, staff, now = web.console.desk, request.state.staff, web.clock()
    config = web.console.config
    message = StaffReply(
        message_id=new_message_id(config.channels.email.address),
        sender=staff.email,
        subject=f"Re: {number}",
        text=text,
        in_reply_to=routed_id(number, desk.mail.domain, desk.keys.for_ticket(number)),
        authenticated=True,  # the console's sign-in is the authentication
    )
    message = read_reply(message)  # a `#estado` line works here as in an email
    if status in TICKET_STATUSES:
        message = dataclasses.replace(message, status=status)
    async with web.console.store.transaction() as tx:
        outcome = await desk.staff_reply(tx, message, now)
        await staff_tx(tx).record(staff.email, "ticket_reply", now, number, outcome)
    if outcome != "relayed":
        return _back(number, web.texts.render("reply.not_relayed", number=number, outcome=outcome))
    return _back(number, web.texts.render("reply.sent", number=number))


@page("advisor")
async def change_status(web: Web, request: Request) -> Response:
    number = request.path_params["number"]
    status = request.state.form.get("estado", "")
    if status not in TICKET_STATUSES:
        return web.error(request, 404, "not_found")
    desk, staff, now = web.console.desk, request.state.staff, web.clock()
    async with web.console.store.transaction() as tx:
        ticket = await tx.ticket(number, lock=True)
        if ticket is None:
            return web.error(request, 404, "not_found")
        changed = await desk.set_status(tx, ticket, status, staff.email, now)
        if changed:
            await staff_tx(tx).record(staff.email, "ticket_status", now, number, status)
    if not changed:
        return _back(number, web.texts.render("status.same"))
    label = desk.status_label(status)
    return _back(number, web.texts.render("status.changed", number=number, status=label))


@page("advisor")
async def assign(web: Web, request: Request) -> Response:
    """Give the request to an advisor or admin (the field empty: to nobody); audited."""
    number = request.path_params["number"]
    chosen = request.state.form.get("asesor", "")
    staff, now = request.state.staff, web.clock()
    async with web.console.store.transaction() as tx:
        ticket = await tx.ticket(number, lock=True)
        if ticket is None:
            return web.error(request, 404, "not_found")
        accounts = staff_tx(tx)
        choices = {str(a.id): a for a in await accounts.advisors()}
        current = await accounts.assignee(ticket.id)
        if current is not None:
            choices.setdefault(str(current.id), current)  # keeping a disabled one is no change
        if chosen and chosen not in choices:
            return web.error(request, 404, "not_found")
        account = choices.get(chosen)
        changed = await accounts.assign(
            ticket.id, account.id if account else None, staff.email, now
        )
        if changed:
            who = account.email if account else ""
            await accounts.record(staff.email, "ticket_assign", now, number, who)
    if not changed:
        return _back(number, web.texts.render("assign.same"))
    if account is None:
        return _back(number, web.texts.render("assign.cleared", number=number))
    return _back(number, web.texts.render("assign.done", number=number, email=account.email))
