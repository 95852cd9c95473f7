"""`cti report`: an answers file in, `report.html`, `radar.png` and `summary.txt` out; no database.

Errors (a bad answers file, an unknown entity, a broken questionnaire or template) are one
Spanish line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from jinja2 import TemplateError

from bot.answers_file import AnswersFile, AnswersFileError, check_kind, read_answers
from bot.commands.common import config_from, fail, gazetteer_from, questionnaires_from
from bot.report import Report, build_report
from bot.scoring import InvalidAnswer, score
from bot.territory import Entity, Gazetteer
from dialogues.questionnaire import Questionnaire, Questionnaires

FILES = ("report.html", "radar.png", "summary.txt")


def resolve_entity(gazetteer: Gazetteer, option: str | None, answers: AnswersFile) -> Entity:
    """The entity from --entity or from the file; they must agree when both are given."""
    code = (option or answers.entity or "").strip()
    if not code:
        fail("indique la entidad con --entity CÓDIGO_DANE (o 'entity' en el archivo)")
    if option and answers.entity and option.strip() != answers.entity:
        fail(f"--entity {option} no coincide con la entidad del archivo ({answers.entity})")
    entity = gazetteer.get(code)
    if entity is not None:
        return entity
    place = gazetteer.place(code)
    if place is not None:
        fail(
            f"{code} ({place.name}) no tiene alcaldía propia: lo administra la Gobernación de "
            f"{place.department_name} (código {place.department_code})"
        )
    fail(
        f"código DANE desconocido: {code!r} (use 5 dígitos para una alcaldía, 2 para una "
        "gobernación)"
    )


def write_report(report: Report, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / name for name in FILES]
    paths[0].write_text(report.html, encoding="utf-8")
    paths[1].write_bytes(report.radar_png)
    paths[2].write_text(report.summary, encoding="utf-8")
    return paths


def _read_any_version(path: Path, loaded: Questionnaires) -> tuple[Questionnaire, AnswersFile]:
    """The file read under the loaded version it names (the default first); when it names
    none of them, the default's complaint."""
    first: AnswersFileError | None = None
    for questionnaire in (loaded.default, *loaded):
        try:
            return questionnaire, read_answers(path, questionnaire)
        except AnswersFileError as exc:
            if exc.where not in ("questionnaire", "version"):
                fail(str(exc))
            first = first or exc
    assert first is not None
    fail(str(first))


@click.command(help="Generar el informe de un archivo de respuestas, sin base de datos.")
@click.option(
    "--answers",
    "answers_path",
    type=click.Path(path_type=Path),
    required=True,
    help="Archivo de respuestas (YAML).",
)
@click.option("--entity", help="Código DANE: 5 dígitos (alcaldía) o 2 (gobernación).")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Carpeta."
)
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Fecha del informe (AAAA-MM-DD); por defecto, hoy en Colombia.",
)
@click.pass_context
def report(
    ctx: click.Context,
    answers_path: Path,
    entity: str | None,
    out: Path,
    on: datetime | None,
) -> None:
    config = config_from(ctx)
    questionnaire, answers = _read_any_version(answers_path, questionnaires_from(config))
    try:
        found = resolve_entity(gazetteer_from(config), entity, answers)
        check_kind(answers, questionnaire, found.kind, answers_path)
        scores = score(questionnaire, found.kind, answers.answers)
    except (AnswersFileError, InvalidAnswer) as exc:
        fail(str(exc))
    when: date = on.date() if on else datetime.now(ZoneInfo(config.assessment.timezone)).date()
    templates = config.path(config.data.templates)
    try:
        built = build_report(
            questionnaire, scores, found, when, templates, mailbox=config.routing.mailbox
        )
    except TemplateError as exc:
        fail(f"{templates}: plantilla con errores: {str(exc).splitlines()[0]}")
    try:
        paths = write_report(built, out)
    except OSError as exc:
        fail(f"{out}: no se pudo escribir el informe ({exc.strerror or exc})")
    click.echo(built.summary)
    click.echo("Archivos: " + ", ".join(str(p) for p in paths))
