"""`cti progress`: who started and who submitted the cycle's diagnosis (and the deadline, if any).

    cti progress                          # every department, the current cycle
    cti progress --department Nariño      # one department: its entities and how they compare
    cti progress --cycle 2026 --db postgresql://...

A deadline is shown, counting down, only where MinTIC set one for the cycle
(`assessment.deadlines` in config.yml); Resolución 01117 de 2022 sets no yearly one. With
--department the command also lists the department's entities (submitted first) and compares
the average scores of its submitted diagnoses with the country's, kind by kind. Staff see every
score in the export anyway, so here averages are shown whatever the size of the group (the
entities' own reports withhold small groups; see `bot.analytics.peers`).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click

from bot.analytics.counted import as_counted
from bot.analytics.cycle import current_cycle, local_today
from bot.analytics.peers import averages
from bot.analytics.progress import KINDS, tally
from bot.analytics.progress_table import (
    KIND_PLURAL,
    EntityLine,
    comparison_lines,
    entity_lines,
    progress_lines,
)
from bot.commands.common import config_from, fail, gazetteer_from, questionnaires_from
from bot.commands.staff_db import CycleData, read_cycle, staff_database_url
from bot.scoring import InvalidAnswer, Scores, score
from bot.storage.api import PeerScores
from bot.territory import Entity
from dialogues.questionnaire import Questionnaires

STATUS = {"submitted": "enviado", "in_progress": "en curso", None: "sin iniciar"}


def submitted_scores(loaded: Questionnaires, data: CycleData) -> dict[str, Scores]:
    """Scores of the submitted assessments, each under its own questionnaire version (one not
    loaded is left out), by entity code."""
    out: dict[str, Scores] = {}
    for item in data.assessments:
        a = item.assessment
        questionnaire = loaded.get(a.questionnaire_id, a.questionnaire_version)
        if a.status != "submitted" or questionnaire is None:
            continue
        answers = data.answers.get(a.id, {})
        try:
            out[item.entity.code] = score(
                questionnaire, item.entity.kind, {q: s.answer for q, s in answers.items()}
            )
        except InvalidAnswer:
            continue
    return out


def _peer(entity: Entity, scores: Scores) -> PeerScores:
    dims = {d.id: d.score.value for d in scores.dimensions}
    return PeerScores(entity.code, entity.department_code, scores.overall.value, dims)


def department_lines(
    loaded: Questionnaires, data: CycleData, department: str, zone: ZoneInfo
) -> list[str]:
    """The department's entities and, for each kind, its averages beside the country's (of
    the assessments under the default version: only those compare with one another)."""
    questionnaire = loaded.default
    scores = submitted_scores(loaded, data)
    found = {item.entity.code: item.assessment for item in data.assessments}
    mine = [e for e in data.entities if e.department_code == department]
    name = mine[0].department_name
    listing = []
    for e in mine:
        a = found.get(e.code)
        sent = a.submitted_at.astimezone(zone).date() if a and a.submitted_at else None
        overall = scores[e.code].overall.value if e.code in scores else None
        shown = e.title if e.kind == "gobernacion" else e.name  # the department is the heading
        listing.append(EntityLine(shown, STATUS[a.status if a else None], sent, overall))
    lines = ["", *entity_lines(f"Entidades de {name} ({len(mine)})", listing)]
    dims = [(d.id, d.name) for d in questionnaire.dimensions]
    by_code = {e.code: e for e in data.entities}
    for kind in KINDS:
        rows = [
            _peer(by_code[c], s)
            for c, s in scores.items()
            if by_code[c].kind == kind
            and (s.questionnaire_id, s.questionnaire_version)
            == (questionnaire.id, questionnaire.version)
        ]
        local = [r for r in rows if r.department_code == department]
        if not local:
            continue
        title = f"Promedio de los diagnósticos enviados: {KIND_PLURAL[kind].lower()}"
        groups = (averages(local, [d for d, _ in dims]), averages(rows, [d for d, _ in dims]))
        lines += ["", *comparison_lines(title, (name, "Colombia"), groups, dims)]
    return lines


@click.command(help="Avance del ciclo: entidades que iniciaron y que enviaron, por departamento.")
@click.option("--cycle", type=int, help="Año del ciclo (por defecto, el actual).")
@click.option("--department", help="Solo un departamento (nombre o código), con sus entidades.")
@click.option(
    "--db",
    "db_url",
    help="URL de base de datos o archivo SQLite (por defecto la de config.yml).",
)
@click.pass_context
def progress(
    ctx: click.Context, cycle: int | None, department: str | None, db_url: str | None
) -> None:
    config = config_from(ctx)
    gazetteer = gazetteer_from(config)
    code = None
    if department is not None:
        code = gazetteer.match_department(department)
        if code is None:
            fail(f"departamento desconocido: {department!r}")
    now = datetime.now(UTC)
    year = cycle or current_cycle(config.assessment, now)
    loaded = questionnaires_from(config) if code else None
    data = read_cycle(staff_database_url(config, db_url), gazetteer, year, with_answers=bool(code))
    data = dataclasses.replace(data, assessments=as_counted(data.assessments))
    result = tally(
        data.entities,
        data.assessments,
        year,
        config.assessment.deadline_for(year),
        local_today(config.assessment, now),
        code,
    )
    lines = progress_lines(result)
    if code and loaded:
        lines += department_lines(loaded, data, code, ZoneInfo(config.assessment.timezone))
    click.echo("\n".join(lines))
