"""`cti constancia verify CÓDIGO` and `cti constancia show ENTIDAD [--out CARPETA]`.

    cti constancia verify 42-1-7K3Q-X9PW-D2MA-4FHT
    cti constancia show 52001 --out var/constancias

`verify` says in Spanish whether a code is valid and, for an authentic one, the entity, date,
questionnaire version and scores it certifies; exit status 0 only for a valid one, 1 for one
that is not (unknown, superseded by a new submission, or withdrawn by a reopening), 2 for an
error. `show` writes the entity's current constancia (HTML and PDF). Both only read the
database; they need CTI_CONSTANCIA_SECRET, the secret `cti run` signs with.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import click

from bot.analytics.cycle import current_cycle
from bot.commands.common import (
    config_from,
    fail,
    gazetteer_from,
    questionnaire_from,
    run_in_transaction,
)
from bot.commands.staff_db import staff_database_url
from bot.config import Config
from bot.constancia.code import MIN_SECRET_CHARS
from bot.constancia.lookup import Context, Issued, Unverifiable, Verification, of_entity, verify
from bot.constancia.setup import MISSING, context, keys
from bot.storage.api import Tx
from bot.territory import Gazetteer

T = TypeVar("T")
DB_HELP = "URL de base de datos o archivo SQLite (por defecto la de config.yml)."


def _context(config: Config, gazetteer: Gazetteer) -> Context:
    if keys(config) is None:
        fail(MISSING.format(why="la constancia", n=MIN_SECRET_CHARS))
    q = questionnaire_from(config)
    found = context(
        config, lambda qid, v: q if (qid, v) == (q.id, q.version) else None, gazetteer.get
    )
    assert found is not None  # the keys were checked above
    return found


def _run(url: str, gazetteer: Gazetteer, work: Callable[[Tx], Awaitable[T]]) -> T:
    return run_in_transaction(
        url, gazetteer, work, failure="no fue posible leer la base de datos: {exc}"
    )


def _unverifiable(ctx: Context, found: Unverifiable) -> str:
    return ctx.renderer.text(
        "constancia.verify.unknown_version",
        questionnaire=found.questionnaire_id,
        version=found.version,
    )


def verdict_lines(ctx: Context, result: Verification) -> str:
    """The Spanish report of one verification (pure, for tests)."""
    text = ctx.renderer.text
    if result.issued is None or result.status == "invalid":
        return text("constancia.verify.invalid")
    view = result.issued.view
    since = text("constancia.when", d=result.since) if result.since else ""
    head = text(f"constancia.verify.{result.status}", number=view.number, since=since)
    details = text("constancia.verify.details", v=view, when=ctx.renderer.when(view))
    return f"{head}\n{details}"


@click.group(help="Constancias de envío del diagnóstico: verificarlas y emitirlas.")
def constancia() -> None:
    pass


@constancia.command("verify", help="Comprobar el código de verificación de una constancia.")
@click.argument("code")
@click.option("--db", "db_url", help=DB_HELP)
@click.pass_context
def verify_command(ctx: click.Context, code: str, db_url: str | None) -> None:
    config = config_from(ctx)
    gazetteer = gazetteer_from(config)
    reading = _context(config, gazetteer)
    url = staff_database_url(config, db_url)
    result = _run(url, gazetteer, lambda tx: verify(tx, reading, code))
    if isinstance(result, Unverifiable):
        fail(_unverifiable(reading, result))
    click.echo(verdict_lines(reading, result))
    ctx.exit(0 if result.status == "valid" else 1)


@constancia.command("show", help="Escribir en HTML y PDF la constancia vigente de una entidad.")
@click.argument("entity")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Carpeta (por defecto var/constancias).",
)
@click.option("--cycle", type=int, help="Año del ciclo (por defecto, el actual).")
@click.option("--db", "db_url", help=DB_HELP)
@click.pass_context
def show_command(
    ctx: click.Context, entity: str, out: Path | None, cycle: int | None, db_url: str | None
) -> None:
    config = config_from(ctx)
    gazetteer = gazetteer_from(config)
    found_entity = gazetteer.get(entity.strip())
    if found_entity is None:
        fail(
            f"código DANE desconocido: {entity!r} (5 dígitos para una alcaldía, 2 para una "
            "gobernación)"
        )
    reading = _context(config, gazetteer)
    year = cycle or current_cycle(config.assessment, datetime.now(UTC))
    url = staff_database_url(config, db_url)
    found = _run(url, gazetteer, lambda tx: of_entity(tx, reading, found_entity.code, year))
    if isinstance(found, Unverifiable):
        fail(_unverifiable(reading, found))
    if not isinstance(found, Issued):
        text = "constancia.show.none"
        fail(reading.renderer.text(text, entity=found_entity.title, cycle=year))
    folder = out or config.path(Path("var/constancias"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for attachment in reading.renderer.files(found.view):
            path = folder / attachment.filename
            path.write_bytes(attachment.data)
            written.append(path)
    except OSError as exc:
        fail(f"{folder}: no se pudo escribir la constancia ({exc.strerror or exc})")
    view = found.view
    click.echo(reading.renderer.text("constancia.show.written", number=view.number, code=view.code))
    click.echo("Archivos: " + ", ".join(str(p) for p in written))
