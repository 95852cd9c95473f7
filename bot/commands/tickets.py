"""`cti tickets`: the requests for technical accompaniment, for MinTIC staff.

    cti tickets list [--status en_atencion]
    cti tickets show CTI-2026-00042
    cti tickets set-status CTI-2026-00042 resuelto

`list` and `show` only read. `set-status` changes the status, records who did it in the
ticket's thread and queues the notice that tells the contact (delivered by `cti run`). None of
them migrates the schema: a database behind the code asks for `cti db upgrade`.
"""

from __future__ import annotations

import getpass
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import click

from bot.app import load_static, ticket_desk
from bot.commands.common import config_from, fail, run_in_transaction
from bot.commands.staff_db import staff_database_url
from bot.config import Config
from bot.printable import printable
from bot.storage.api import TICKET_STATUSES, TicketRecord, Tx
from bot.tickets.desk import TicketDesk
from bot.tickets.text import parse_status

T = TypeVar("T")
DB_OPTION = click.option(
    "--db",
    "db_url",
    help="URL de base de datos o archivo SQLite (por defecto la de config.yml).",
)


def _run(config: Config, db_url: str | None, work: Callable[[Tx, TicketDesk], Awaitable[T]]) -> T:
    static = load_static(config)
    desk = ticket_desk(config, static)
    url = staff_database_url(config, db_url)
    return run_in_transaction(url, static.gazetteer, lambda tx: work(tx, desk))


def _local(desk: TicketDesk, at: datetime) -> str:
    return at.astimezone(desk.zone).strftime("%Y-%m-%d %H:%M")


def list_lines(desk: TicketDesk, found: list[TicketRecord]) -> list[str]:
    if not found:
        return ["No hay solicitudes."]
    lines = [f"{'Número':<16} {'Estado':<12} {'Creada':<16} {'Entidad':<32} Tema"]
    for t in found:
        entity = desk.entity_of(t)
        lines.append(
            f"{t.number:<16} {t.status:<12} {_local(desk, t.created_at):<16} "
            f"{entity.title[:32]:<32} {desk.topic_label(t.topic)}"
        )
    lines.append(f"{len(found)} solicitud(es).")
    return lines


@click.group(help="Solicitudes de acompañamiento técnico (tickets) para el equipo de MinTIC.")
def tickets() -> None:
    pass


@tickets.command("list", help="Lista las solicitudes, las más recientes primero.")
@click.option("--status", type=click.Choice(TICKET_STATUSES), help="Solo las de este estado.")
@DB_OPTION
@click.pass_context
def list_(ctx: click.Context, status: str | None, db_url: str | None) -> None:
    config = config_from(ctx)

    async def work(tx: Tx, desk: TicketDesk) -> list[str]:
        return list_lines(desk, await tx.tickets(status=status))

    click.echo("\n".join(_run(config, db_url, work)))


@tickets.command(help="Muestra una solicitud con todo su hilo.")
@click.argument("number")
@DB_OPTION
@click.pass_context
def show(ctx: click.Context, number: str, db_url: str | None) -> None:
    config = config_from(ctx)

    async def work(tx: Tx, desk: TicketDesk) -> list[str] | None:
        ticket = await tx.ticket(number)
        if ticket is None:
            return None
        entity = desk.entity_of(ticket)
        contact = await tx.contact(ticket.contact_id) if ticket.contact_id else None
        lines = [
            f"{ticket.number} · {desk.status_label(ticket.status)} ({ticket.status})",
            f"Entidad: {entity.title} · DANE {entity.code}",
            f"Contacto: {contact.name} · {contact.role} · {contact.email}"
            if contact
            else "Contacto: (datos borrados)",
            f"Medio preferido: {ticket.contact_means or '—'} · solicitada por {ticket.channel}",
            f"Tema: {desk.topic_label(ticket.topic)}",
            f"Creada: {_local(desk, ticket.created_at)} · "
            f"actualizada: {_local(desk, ticket.updated_at)}",
            "",
            "Descripción:",
            *("  " + line for line in printable(ticket.description).splitlines()),
            "",
            "Hilo:",
        ]
        for event in await tx.ticket_events(ticket.id):
            head = f"  {_local(desk, event.at)} {event.kind}"
            if event.status:
                head += f" [{event.status}]"
            if event.author:
                head += f" · {printable(event.author)}"
            lines.append(head)
            if event.body and event.kind != "created":
                # Stored before bodies were cleaned on arrival, or typed in a chat: a terminal
                # escape in them must not reach the operator's terminal.
                lines.extend("      " + line for line in printable(event.body).splitlines())
        return lines

    lines = _run(config, db_url, work)
    if lines is None:
        fail(f"no existe la solicitud {number}.")
    click.echo("\n".join(lines))


@tickets.command("set-status", help="Cambia el estado de una solicitud y avisa al contacto.")
@click.argument("number")
@click.argument("status")
@click.option("--author", help="Quién hace el cambio (por defecto, el usuario del sistema).")
@DB_OPTION
@click.pass_context
def set_status(
    ctx: click.Context, number: str, status: str, author: str | None, db_url: str | None
) -> None:
    config = config_from(ctx)
    wanted = parse_status(status)
    if wanted is None:
        fail(f"estado desconocido «{status}»: use {', '.join(TICKET_STATUSES)}.")
    who = author or f"cti:{getpass.getuser()}"

    async def work(tx: Tx, desk: TicketDesk) -> tuple[TicketRecord | None, bool]:
        ticket = await tx.ticket(number, lock=True)
        if ticket is None:
            return None, False
        return ticket, await desk.set_status(tx, ticket, wanted, who, datetime.now(UTC))

    ticket, changed = _run(config, db_url, work)
    if ticket is None:
        fail(f"no existe la solicitud {number}.")
    if not changed:
        click.echo(f"{ticket.number} ya estaba en estado {wanted}.")
        return
    click.echo(f"{ticket.number}: {ticket.status} -> {wanted}; se avisará al contacto.")
