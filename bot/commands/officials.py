"""`cti officials`: who acts for each entity, for MinTIC staff.

    cti officials import funcionarios.csv        # codigo_dane,nombre,correo,cargo
    cti officials domains dominios.csv           # codigo_dane,dominio
    cti officials pending [--entity 52001]
    cti officials approve 42 [--by "Luisa Gómez"]
    cti officials decline 42 [--by ...]
    cti officials revoke 42 [--by ...]
    cti officials list --entity 52001

`import` and `domains` load every good line (again and again: loading the same file twice
changes nothing) and print one Spanish problem per bad line with its number; they exit with
status 1 when some line was refused. A pending contact whose verified address a loaded line now
vouches for becomes a member and is told. `approve`, `decline` and `revoke` record who (--by,
by default the system user) and when, and queue the notice that tells the contact (delivered by
`cti run`). None of them migrates the schema: a database behind the code asks for `cti db
upgrade`. The file formats are in bot/staff/files.py and the README.
"""

from __future__ import annotations

import getpass
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import click

from bot.app import load_static
from bot.commands.common import config_from, fail, run_in_transaction
from bot.commands.staff_db import staff_database_url
from bot.config import Config
from bot.printable import printable
from bot.staff.decisions import Decision, Herald, decide, join_listed
from bot.staff.files import MAX_BYTES, Parsed, Problem, dane_code, parse_domains, parse_roster
from bot.storage.api import ContactRecord, MembershipEvent, Tx
from bot.territory import Entity
from dialogues.messages import Catalog

T = TypeVar("T")
DB_OPTION = click.option(
    "--db",
    "db_url",
    help="URL de base de datos o archivo SQLite (por defecto la de config.yml).",
)
BY_OPTION = click.option(
    "--by", "by", help="Quién decide (por defecto, el usuario del sistema); queda registrado."
)
STATUS_NAMES = {
    "pending": "pendiente",
    "member": "miembro",
    "declined": "rechazado",
    "revoked": "revocado",
}
EVENT_NAMES = {
    "requested": "solicitó",
    "joined": "se unió",
    "approved": "aprobado",
    "declined": "rechazado",
    "revoked": "revocado",
}
BASIS_NAMES = {
    "roster": "lista de MinTIC",
    "domain": "dominio institucional",
    "member": "un funcionario de la entidad",
    "staff": "equipo de MinTIC",
}


class Desk:
    """What every subcommand needs: the texts, the entities, the zone, the herald."""

    def __init__(self, config: Config) -> None:
        static = load_static(config)
        self.gazetteer = static.gazetteer
        self.zone = ZoneInfo(config.assessment.timezone)
        self.herald = Herald.build(config, self.gazetteer)
        self.texts: Catalog = self.herald.catalog

    def local(self, at: datetime | None) -> str:
        return at.astimezone(self.zone).strftime("%Y-%m-%d %H:%M") if at else "—"

    def entity(self, code: str) -> Entity:
        found = dane_code(code, lambda c: self.gazetteer.get(c) is not None)
        entity = self.gazetteer.get(found) if found else None
        if entity is None:
            fail(
                f"código DANE desconocido: {code!r} (5 dígitos para una alcaldía, 2 para una "
                "gobernación)"
            )
        return entity

    def title(self, code: str) -> str:
        entity = self.gazetteer.get(code)
        return entity.title if entity else code

    def problem(self, file: Path, problem: Problem) -> str:
        params = {k: printable(v) for k, v in problem.params.items()}
        text = self.texts.render(problem.key, **params)
        if problem.line == 0:
            return self.texts.render("officials.file.whole", file=str(file), problem=text)
        return self.texts.render("officials.file.line", line=problem.line, problem=text)


def _staff(by: str | None) -> str:
    return (by or "").strip()[:255] or f"cti:{getpass.getuser()}"


def _run(
    config: Config,
    db_url: str | None,
    work: Callable[[Tx, Desk], Awaitable[T]],
    desk: Desk | None = None,
) -> T:
    desk = desk or Desk(config)
    url = staff_database_url(config, db_url)
    return run_in_transaction(url, desk.gazetteer, lambda tx: work(tx, desk))


def _read(path: Path) -> bytes:
    """The file's bytes; one that is too big is refused before it is read."""
    try:
        if path.stat().st_size > MAX_BYTES:
            fail(
                f"{path}: el archivo supera {MAX_BYTES // (1024 * 1024)} MB; divídalo en "
                "varios archivos y cárguelos uno por uno."
            )
        return path.read_bytes()
    except OSError as exc:
        fail(f"{path}: no se pudo leer ({exc.strerror or exc})")


def _report(desk: Desk, path: Path, parsed: Parsed) -> None:
    """Problems on stderr; a problem with the whole file ends the command."""
    whole = [p for p in parsed.problems if p.line == 0]
    if whole:
        fail(desk.problem(path, whole[0]))
    for problem in parsed.problems:
        click.echo(desk.problem(path, problem), err=True)


def _joined_lines(desk: Desk, joined: list[ContactRecord]) -> list[str]:
    return [
        f"Ahora es miembro: {printable(c.name)} ({desk.title(c.entity_code)}, contacto {c.id}); "
        "se le avisó."
        for c in joined
    ]


def _finish(lines: list[str], parsed: Parsed) -> None:
    click.echo("\n".join(lines))
    if parsed.problems:
        raise SystemExit(1)


@click.group(help="Funcionarios verificados de cada entidad, para el equipo de MinTIC.")
def officials() -> None:
    pass


@officials.command(
    "import",
    help="Carga la lista de funcionarios (CSV: codigo_dane,nombre,correo,cargo). Se puede "
    "repetir: una línea ya cargada no cambia nada.",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@BY_OPTION
@DB_OPTION
@click.pass_context
def import_(ctx: click.Context, file: Path, by: str | None, db_url: str | None) -> None:
    config = config_from(ctx)
    desk = Desk(config)
    parsed = parse_roster(_read(file), lambda c: desk.gazetteer.get(c) is not None)
    _report(desk, file, parsed)
    staff = _staff(by)

    async def work(tx: Tx, desk: Desk) -> tuple[int, list[ContactRecord]]:
        now = datetime.now(UTC)
        changed = await tx.load_roster(parsed.roster, now)
        codes = {e.entity_code for e in parsed.roster}
        return changed, await join_listed(tx, desk.herald, staff, now, codes)

    changed, joined = _run(config, db_url, work, desk)
    lines = [
        f"Lista de funcionarios: {len(parsed.roster)} línea(s) válida(s), {changed} nueva(s) o "
        f"cambiada(s); {len(parsed.problems)} con problemas.",
        *_joined_lines(desk, joined),
    ]
    _finish(lines, parsed)


@officials.command(
    help="Carga dominios institucionales (CSV: codigo_dane,dominio). Rechaza correos "
    "gratuitos (gmail.com, hotmail.com...) y dominios compartidos (gov.co)."
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@BY_OPTION
@DB_OPTION
@click.pass_context
def domains(ctx: click.Context, file: Path, by: str | None, db_url: str | None) -> None:
    config = config_from(ctx)
    desk = Desk(config)
    parsed = parse_domains(_read(file), lambda c: desk.gazetteer.get(c) is not None)
    _report(desk, file, parsed)
    staff = _staff(by)

    async def work(tx: Tx, desk: Desk) -> tuple[int, list[ContactRecord]]:
        now = datetime.now(UTC)
        added = await tx.load_domains(parsed.domains, now)
        codes = {code for code, _ in parsed.domains}
        return added, await join_listed(tx, desk.herald, staff, now, codes)

    added, joined = _run(config, db_url, work, desk)
    lines = [
        f"Dominios institucionales: {len(parsed.domains)} línea(s) válida(s), {added} nuevo(s); "
        f"{len(parsed.problems)} con problemas.",
        *_joined_lines(desk, joined),
    ]
    _finish(lines, parsed)


async def _requested_at(tx: Tx, contact: ContactRecord) -> datetime:
    events = await tx.membership_events(contact_id=contact.id)
    asked = [e.at for e in events if e.kind == "requested"]
    return asked[-1] if asked else contact.created_at


@officials.command(help="Solicitudes pendientes de verificación, las más antiguas primero.")
@click.option("--entity", "entity_code", help="Solo las de esta entidad (código DANE).")
@DB_OPTION
@click.pass_context
def pending(ctx: click.Context, entity_code: str | None, db_url: str | None) -> None:
    config = config_from(ctx)

    async def work(tx: Tx, desk: Desk) -> list[str]:
        code = desk.entity(entity_code).code if entity_code else None
        found = await tx.pending_contacts(code)
        if not found:
            return ["No hay solicitudes pendientes."]
        lines = []
        for c in found:
            members = len(await tx.members_of_entity(c.entity_code))
            lines += [
                f"{c.id:>6}  {desk.title(c.entity_code)} (DANE {c.entity_code})",
                f"        {printable(c.name)} · {printable(c.role)} · {_email(desk, c)}",
                f"        solicitud: {desk.local(await _requested_at(tx, c))} · "
                f"funcionarios verificados de la entidad: {members}",
                f"        aprobar: cti officials approve {c.id}   "
                f"rechazar: cti officials decline {c.id}",
            ]
        lines.append(f"{len(found)} solicitud(es) pendiente(s).")
        return lines

    click.echo("\n".join(_run(config, db_url, work)))


def _email(desk: Desk, contact: ContactRecord) -> str:
    shown = printable(contact.email) or "—"
    if contact.email_verified_at is None:
        return f"{shown} (correo sin verificar)"
    return f"{shown} (verificado {desk.local(contact.email_verified_at)})"


DONE = {
    "approve": "{name} ({entity}) es ahora miembro; se le avisó.",
    "decline": "Solicitud de {name} ({entity}) rechazada; se le avisó.",
    "revoke": "{name} ({entity}) ya no es miembro; se le avisó.",
}
ALREADY = {
    "approve": "{name} ya es miembro de {entity}; no se cambió nada.",
    "decline": "La solicitud de {name} ya estaba rechazada; no se cambió nada.",
    "revoke": "El acceso de {name} ya estaba revocado; no se cambió nada.",
}
NOT_ALLOWED = {
    "approve": "el contacto {id} no se puede aprobar (estado: {status}).",
    "decline": "el contacto {id} no tiene una solicitud pendiente (estado: {status}); para "
    "retirar a un miembro use `cti officials revoke {id}`.",
    "revoke": "el contacto {id} no es miembro (estado: {status}); para una solicitud pendiente "
    "use `cti officials decline {id}`.",
}


def _decide(
    ctx: click.Context, contact_id: int, decision: Decision, by: str | None, db: str | None
) -> None:
    config = config_from(ctx)
    staff = _staff(by)

    async def work(tx: Tx, desk: Desk) -> tuple[str, ContactRecord | None, str]:
        outcome, contact = await decide(
            tx, desk.herald, contact_id, decision, staff, datetime.now(UTC)
        )
        return outcome, contact, desk.title(contact.entity_code) if contact else ""

    outcome, contact, entity = _run(config, db, work)
    if contact is None:
        fail(f"no existe el contacto {contact_id} (vea `cti officials pending`).")
    words = {"name": printable(contact.name), "entity": entity, "id": contact_id}
    if outcome == "not_allowed":
        fail(NOT_ALLOWED[decision].format(status=STATUS_NAMES[contact.status], **words))
    if outcome == "already":
        click.echo(ALREADY[decision].format(**words))
        return
    click.echo(DONE[decision].format(**words) + f" Registrado por {staff}.")


@officials.command(help="Aprueba a un funcionario: pasa a ser miembro de su entidad.")
@click.argument("contact_id", type=int, metavar="ID")
@BY_OPTION
@DB_OPTION
@click.pass_context
def approve(ctx: click.Context, contact_id: int, by: str | None, db_url: str | None) -> None:
    _decide(ctx, contact_id, "approve", by, db_url)


@officials.command(help="Rechaza una solicitud pendiente.")
@click.argument("contact_id", type=int, metavar="ID")
@BY_OPTION
@DB_OPTION
@click.pass_context
def decline(ctx: click.Context, contact_id: int, by: str | None, db_url: str | None) -> None:
    _decide(ctx, contact_id, "decline", by, db_url)


@officials.command(help="Retira a un miembro: pierde el acceso desde su próximo mensaje.")
@click.argument("contact_id", type=int, metavar="ID")
@BY_OPTION
@DB_OPTION
@click.pass_context
def revoke(ctx: click.Context, contact_id: int, by: str | None, db_url: str | None) -> None:
    _decide(ctx, contact_id, "revoke", by, db_url)


def _event_line(desk: Desk, event: MembershipEvent) -> str:
    line = f"{desk.local(event.at)} {EVENT_NAMES[event.kind]}"
    if event.kind != "requested":
        by = printable(event.actor_staff) if event.actor_staff else ""
        if event.actor_contact_id is not None:
            by = f"contacto {event.actor_contact_id}"
        basis = BASIS_NAMES.get(event.basis, "")
        line += f" ({basis}{', ' + by if by and basis else by})" if basis or by else ""
    return line


@officials.command(
    "list",
    help="Funcionarios de una entidad (miembros, pendientes, rechazados, revocados) con su "
    "historial, y lo que MinTIC cargó para ella: lista y dominios.",
)
@click.option("--entity", "entity_code", required=True, help="Código DANE de la entidad.")
@DB_OPTION
@click.pass_context
def list_(ctx: click.Context, entity_code: str, db_url: str | None) -> None:
    config = config_from(ctx)

    async def work(tx: Tx, desk: Desk) -> list[str]:
        entity = desk.entity(entity_code)
        people = await tx.contacts_of_entity(entity.code)
        events = await tx.membership_events(entity_code=entity.code)
        lines = [f"{entity.title} · DANE {entity.code}", "", f"Funcionarios ({len(people)}):"]
        for c in sorted(people, key=lambda c: (list(STATUS_NAMES).index(c.status), c.id)):
            lines.append(
                f"{c.id:>6}  {STATUS_NAMES[c.status]:<10} {printable(c.name)} · "
                f"{printable(c.role)} · {_email(desk, c)}"
            )
            lines += [f"        {_event_line(desk, e)}" for e in events if e.contact_id == c.id]
        roster = await tx.roster(entity.code)
        lines += ["", f"Lista de funcionarios de MinTIC ({len(roster)}):"]
        lines += [f"        {r.email} · {r.name} · {r.role or '—'}" for r in roster]
        listed = await tx.domains(entity.code)
        lines += ["", f"Dominios institucionales ({len(listed)}):"]
        lines += [f"        {domain}" for _, domain in listed]
        return lines

    click.echo("\n".join(_run(config, db_url, work)))
