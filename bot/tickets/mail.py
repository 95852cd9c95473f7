"""The emails to MinTIC's mailbox: a routed ticket and the follow-up of one nobody answered.

Text and HTML from Jinja2 templates (`ticket_mail.*.j2`, `ticket_follow_up.txt.j2`), HTML
autoescaped, undefined names an error. Message-IDs are fixed by the ticket's number and carry
its reply key (`<cti-2026-00042.routed.k…@domain>`, see `bot.replykeys`): a reply's
`In-Reply-To`/`References` names its ticket and proves it answers the mail we sent (the number
alone is sequential, anyone can write it); the same decision stored twice is one email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.contract import Attachment, OutboundEmail
from bot.replykeys import ReplyKeys
from bot.report.view import ReportView
from bot.storage.api import TicketRecord
from bot.tickets.routing import Destination
from dialogues.messages import Catalog
from nlu.numbers import format_number, format_percent

REPORT_FILE = "informe-diagnostico.html"


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """The entity's latest diagnosis, as the mailbox sees it."""

    view: ReportView
    status: str  # in_progress | submitted
    report_html: str


def routed_id(number: str, domain: str, key: str) -> str:
    return f"<{number.lower()}.routed.{key}@{domain}>"


def follow_up_id(number: str, domain: str, key: str) -> str:
    return f"<{number.lower()}.follow-up.{key}@{domain}>"


def diagnosis_data(diagnosis: Diagnosis | None, catalog: Catalog) -> dict[str, Any] | None:
    """The summary the templates show: scores per dimension, coverage, weakest subdimensions."""
    if diagnosis is None:
        return None
    none = catalog.render("ticket.score_none")

    def _score(value: float | None) -> str:
        return format_number(value) if value is not None else none

    view = diagnosis.view
    level = view.overall.level
    return {
        "submitted": diagnosis.status == "submitted",
        "overall": _score(view.overall.value),
        "level": level.name if level else catalog.render("ticket.level_none"),
        "coverage": format_percent(view.overall.coverage),
        "answered": view.overall.answered,
        "applicable": view.overall.applicable,
        "dimensions": [
            {
                "name": d.name,
                "score": _score(d.score.value),
                "coverage": format_percent(d.score.coverage),
            }
            for d in view.dimensions
        ],
        "weakest": [
            {
                "name": s.name,
                "dimension": s.dimension_name,
                "score": _score(s.score.value),
                "next_step": s.recommendation.next_step,
            }
            for s in view.weakest
        ],
    }


class TicketMail:
    def __init__(
        self, templates: Path, assistant_address: str, keys: ReplyKeys, catalog: Catalog
    ) -> None:
        self.keys, self.catalog = keys, catalog
        self.address = assistant_address
        self.domain = assistant_address.rpartition("@")[2] or "localhost"
        self._env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=select_autoescape(["html.j2"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def _headers(self, ticket: TicketRecord, to: Destination) -> list[tuple[str, str]]:
        headers = [("Reply-To", self.address), ("X-CTI-Ticket", ticket.number)]
        if to.cc:
            headers.append(("Cc", ", ".join(to.cc)))
        return headers

    def routed(
        self,
        subject: str,
        to: Destination,
        ticket: TicketRecord,
        context: dict[str, Any],
        diagnosis: Diagnosis | None,
    ) -> OutboundEmail:
        """The ticket for the mailbox, with the diagnosis summary and its report attached."""
        data = {**context, "diagnosis": diagnosis_data(diagnosis, self.catalog)}
        attachments: tuple[Attachment, ...] = ()
        if diagnosis is not None:
            attachments = (
                Attachment(REPORT_FILE, "text/html", diagnosis.report_html.encode("utf-8")),
            )
        return OutboundEmail(
            recipient=to.to,
            subject=subject,
            text=self._env.get_template("ticket_mail.txt.j2").render(**data),
            html=self._env.get_template("ticket_mail.html.j2").render(**data),
            message_id=routed_id(ticket.number, self.domain, self.keys.for_ticket(ticket.number)),
            attachments=attachments,
            headers=tuple(self._headers(ticket, to)),
            kind="ticket",
        )

    def follow_up(
        self, subject: str, to: Destination, ticket: TicketRecord, context: dict[str, Any]
    ) -> OutboundEmail:
        """A reminder of a ticket with no staff reply, in the thread of the routed email."""
        headers = self._headers(ticket, to)
        if ticket.routed_message_id:
            headers += [
                ("In-Reply-To", ticket.routed_message_id),
                ("References", ticket.routed_message_id),
            ]
        return OutboundEmail(
            recipient=to.to,
            subject=subject,
            text=self._env.get_template("ticket_follow_up.txt.j2").render(**context),
            message_id=follow_up_id(
                ticket.number, self.domain, self.keys.for_ticket(ticket.number)
            ),
            headers=tuple(headers),
            kind="ticket-follow-up",
        )


def local_time(at: datetime, zone: Any) -> str:
    return at.astimezone(zone).strftime("%d/%m/%Y %H:%M")
