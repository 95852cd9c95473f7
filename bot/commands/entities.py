"""`cti entities import FILE.csv`: the attributes MinTIC holds of each entity.

    cti entities import atributos.csv        # codigo_dane;categoria;pdet;zomac

Loads every good line (loading the same file again changes nothing; an empty cell keeps what
another file loaded), prints one Spanish problem per bad line with its number on stderr, and
exits with status 1 when some line was refused, 2 when the whole file was. The import is
recorded in the console's audit trail. The format is in bot/staff/attributes.py and the README;
no attribute ships with the project: MinTIC loads its own files.
"""

from __future__ import annotations

import asyncio
import getpass
from datetime import UTC, datetime
from pathlib import Path

import click

from bot.commands.common import config_from, fail, gazetteer_from
from bot.commands.staff_db import staff_database_url
from bot.printable import printable
from bot.staff.attributes import ParsedAttributes, parse_attributes
from bot.staff.files import MAX_BYTES, Problem
from bot.storage.api import StorageError
from bot.storage.sql import open_store
from bot.territory import EntityKind
from bot.web.accounts import staff_tx
from dialogues.messages import Catalog

DB_OPTION = click.option(
    "--db",
    "db_url",
    help="URL de base de datos o archivo SQLite (por defecto la de config.yml).",
)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:?"


def _read(path: Path, texts: Catalog) -> bytes:
    """The file's bytes; one that is too big is refused before it is read."""
    try:
        if path.stat().st_size > MAX_BYTES:
            limit = f"{MAX_BYTES // (1024 * 1024)} MB"
            fail(_problem(texts, path, Problem(0, "officials.file.too_big", {"limit": limit})))
        return path.read_bytes()
    except OSError as exc:
        fail(texts.render("entities.cli.unreadable", file=str(path), error=exc.strerror or exc))


def _problem(texts: Catalog, path: Path, problem: Problem) -> str:
    params = {k: printable(v) for k, v in problem.params.items()}
    text = texts.render(problem.key, **params)
    if problem.line == 0:
        return texts.render("officials.file.whole", file=str(path), problem=text)
    return texts.render("officials.file.line", line=problem.line, problem=text)


@click.group(help="Atributos de las entidades que carga el equipo de MinTIC.")
def entities() -> None:
    pass


@entities.command(
    "import",
    help="Carga categoría (Ley 617 de 2000), PDET y ZOMAC de cada entidad (CSV: "
    "codigo_dane;categoria;pdet;zomac). Se puede repetir: una línea ya cargada no cambia nada.",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@DB_OPTION
@click.pass_context
def import_(ctx: click.Context, file: Path, db_url: str | None) -> None:
    config = config_from(ctx)
    folder = config.path(config.data.templates)
    texts = Catalog.load(folder / "officials.yml", folder / "entities.yml")
    gazetteer = gazetteer_from(config)

    def kind_of(code: str) -> EntityKind | None:
        entity = gazetteer.get(code)
        return entity.kind if entity else None

    parsed: ParsedAttributes = parse_attributes(_read(file, texts), kind_of)
    whole = [p for p in parsed.problems if p.line == 0]
    if whole:
        fail(_problem(texts, file, whole[0]))
    for problem in parsed.problems:
        click.echo(_problem(texts, file, problem), err=True)
    url = staff_database_url(config, db_url)

    async def go() -> int:
        store = await open_store(url, gazetteer, migrate=False)
        try:
            async with store.transaction() as tx:
                now = datetime.now(UTC)
                changed = await tx.load_entity_attributes(parsed.items, now)
                detail = texts.render("entities.audit", good=len(parsed.items), changed=changed)
                await staff_tx(tx).record(_actor(), "entities_import", now, file.name, detail)
                return changed
        finally:
            await store.close()

    try:
        changed = asyncio.run(go())
    except StorageError as exc:
        fail(texts.render("entities.cli.database", error=str(exc)))
    summary = texts.render(
        "entities.import.done",
        good=len(parsed.items),
        changed=changed,
        bad=len(parsed.problems),
    )
    click.echo(summary)
    if parsed.problems:
        raise SystemExit(1)
