"""An entity: its attributes, its diagnosis and report, answers with who and when and their
history, officials, tickets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.analytics.cycle import current_cycle
from bot.analytics.dataset import _answer_text
from bot.report.render import renderer
from bot.scoring import InvalidAnswer, score
from bot.staff.decisions import FROM, Decision, decide
from bot.storage.api import (
    AssessmentRecord,
    ContactRecord,
    EntityAttributes,
    MembershipEvent,
    StoredAnswer,
    TicketRecord,
)
from bot.territory import Entity
from bot.web.accounts import staff_tx
from bot.web.context import Web
from bot.web.security import page

# The report page is self-contained (inline style, the radar as a data: image), no script.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


@dataclass(frozen=True, slots=True)
class AnswerLine:
    question_id: str
    question: str
    answer: str
    who_id: int | None
    who_name: str  # "" for a viewer, or once the contact erased their data
    at: datetime


@dataclass
class EntityData:
    entity: Entity
    cycle: int
    assessment: AssessmentRecord | None
    answers: dict[str, StoredAnswer]
    contacts: list[ContactRecord]
    events: list[MembershipEvent]
    tickets: list[TicketRecord]
    attributes: EntityAttributes | None = None
    history: list[StoredAnswer] = field(default_factory=list)  # every answer given, oldest first


async def load(web: Web, entity: Entity) -> EntityData:
    cycle = current_cycle(web.console.config.assessment, web.clock())
    async with web.console.store.transaction() as tx:
        found = [a for a in await tx.cycle_assessments(cycle) if a.entity.code == entity.code]
        assessment = found[0].assessment if found else None
        answers = await tx.answers(assessment.id) if assessment else {}
        history = await tx.answer_history(assessment.id) if assessment else []
        contacts = await tx.contacts_of_entity(entity.code)
        events = await tx.membership_events(entity_code=entity.code)
        tickets = [t for t in await tx.tickets() if t.entity_code == entity.code]
        attributes = (await tx.entity_attributes(entity.code)).get(entity.code)
    return EntityData(
        entity, cycle, assessment, answers, contacts, events, tickets, attributes, history
    )


def _entity(web: Web, request: Request) -> Entity | None:
    return web.console.static.gazetteer.get(request.path_params["code"])


@page()
async def entity_page(web: Web, request: Request) -> Response:
    entity = _entity(web, request)
    if entity is None:
        return web.error(request, 404, "not_found")
    data = await load(web, entity)
    personal = request.state.staff.may("advisor")
    names = {c.id: c.name for c in data.contacts}
    q = web.console.static.questionnaire_for(data.assessment)  # the version it was answered in
    index = q.question_index

    def line(stored: StoredAnswer) -> AnswerLine:
        qid = stored.question_id
        return AnswerLine(
            qid,
            index[qid][2].text if qid in index else qid,
            _answer_text(q, qid, stored.answer) or "—",
            stored.contact_id,  # what `cti export` shows (id_contacto)
            names.get(stored.contact_id or 0, "") if personal else "",
            stored.answered_at,
        )

    lines = [line(stored) for _, stored in sorted(data.answers.items())]
    # Newest first: what changed last is what staff ask about.
    history = [line(stored) for stored in reversed(data.history)]
    desk = web.console.desk
    return web.page(
        request,
        "entity.html.j2",
        entity=entity,
        data=data,
        answers=lines,
        history=history,
        personal=personal,
        allowed=FROM,
        names=names,
        topic=desk.topic_label,
        status_label=desk.status_label,
        message=request.query_params.get("aviso", ""),
    )


@page()
async def report(web: Web, request: Request) -> Response:
    entity = _entity(web, request)
    if entity is None:
        return web.error(request, 404, "not_found")
    data = await load(web, entity)
    if data.assessment is None:
        return web.error(request, 404, "not_found")
    static, config = web.console.static, web.console.config
    questionnaire = static.questionnaire_for(data.assessment)
    try:
        scores = score(questionnaire, entity.kind, {q: s.answer for q, s in data.answers.items()})
    except InvalidAnswer:
        return web.error(request, 404, "not_found")
    built = renderer(config.path(config.data.templates), config.routing.mailbox).build(
        questionnaire, scores, entity, web.clock().date()
    )
    return HTMLResponse(built.html, headers={"Content-Security-Policy": REPORT_CSP})


@page("advisor")
async def membership(web: Web, request: Request) -> Response:
    entity = _entity(web, request)
    decision = request.state.form.get("decision", "")
    if entity is None or decision not in FROM:
        return web.error(request, 404, "not_found")
    staff = request.state.staff
    now = web.clock()
    async with web.console.store.transaction() as tx:
        contact = await tx.contact(int(request.path_params["contact_id"]))
        if contact is None or contact.entity_code != entity.code:
            return web.error(request, 404, "not_found")
        outcome, _ = await decide(
            tx, web.herald, contact.id, cast(Decision, decision), staff.email, now
        )
        if outcome == "not_allowed":
            message = web.texts.render(
                "membership.refused", decision=decision, status=contact.status
            )
            return web.page(request, "error.html.j2", 409, message=message)
        if outcome != "done":  # a second press: nothing changed, nothing to record
            return RedirectResponse(f"/entidad/{entity.code}#funcionarios", status_code=303)
        await staff_tx(tx).record(
            staff.email, f"membership_{decision}", now, entity.code, f"contacto {contact.id}"
        )
    return RedirectResponse(f"/entidad/{entity.code}#funcionarios", status_code=303)
