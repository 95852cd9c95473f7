"""`cti export`: every assessment of a cycle, with scores and answers, as CSV, XLSX or JSON.

    cti export --out avance.xlsx                  # format from the extension
    cti export --format csv --out avance.csv      # avance.csv + avance_respuestas.csv
    cti export --format json --out avance.json --cycle 2026 --db postgresql://...

Errors are one Spanish line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from bot.analytics.cycle import current_cycle
from bot.analytics.dataset import Dataset, build_dataset
from bot.analytics.writers import FORMATS, Format, write
from bot.commands.common import config_from, fail, gazetteer_from, questionnaires_from
from bot.commands.staff_db import read_cycle, staff_database_url

DONE = (
    "Ciclo {cycle}: {assessments} diagnósticos ({submitted} enviados) y {answers} respuestas "
    "exportados a {files}."
)
UNSCORED = (
    "Aviso: {n} diagnósticos sin puntajes (respondidos con una versión del cuestionario que no "
    "está cargada, o con respuestas que su versión no admite); sus respuestas sí están en el "
    "archivo."
)


def format_of(out: Path, option: str | None) -> Format:
    """--format, else the extension of --out."""
    chosen = option or out.suffix.lower().lstrip(".")
    if chosen not in FORMATS:
        fail(f"indique --format ({', '.join(FORMATS)}) o use esa extensión en --out ({out.name})")
    return chosen


def summary(dataset: Dataset, paths: list[Path]) -> str:
    submitted = sum(1 for row in dataset.assessments.rows if row["estado"] == "enviado")
    return DONE.format(
        cycle=dataset.cycle,
        assessments=len(dataset.assessments.rows),
        submitted=submitted,
        answers=len(dataset.answers.rows),
        files=", ".join(str(p) for p in paths),
    )


@click.command(help="Exportar los diagnósticos de un ciclo con puntajes y respuestas.")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Por defecto, la extensión de --out."
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Archivo."
)
@click.option("--cycle", type=int, help="Año del ciclo (por defecto, el actual).")
@click.option(
    "--db",
    "db_url",
    help="URL de base de datos o archivo SQLite (por defecto la de config.yml).",
)
@click.pass_context
def export(
    ctx: click.Context, fmt: str | None, out: Path, cycle: int | None, db_url: str | None
) -> None:
    config = config_from(ctx)
    chosen = format_of(out, fmt)
    loaded = questionnaires_from(config)
    now = datetime.now(UTC)
    year = cycle or current_cycle(config.assessment, now)
    data = read_cycle(
        staff_database_url(config, db_url), gazetteer_from(config), year, with_answers=True
    )
    dataset = build_dataset(
        loaded.default,
        year,
        data.assessments,
        data.answers,
        now,
        ZoneInfo(config.assessment.timezone),
        others=loaded,
    )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        paths = write(dataset, out, chosen)
    except OSError as exc:
        fail(f"{out}: no se pudo escribir la exportación ({exc.strerror or exc})")
    click.echo(summary(dataset, paths))
    if dataset.unscored:
        click.echo(UNSCORED.format(n=dataset.unscored), err=True)
