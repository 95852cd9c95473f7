"""The export's two tables, as plain values: one row per assessment, one row per answer.

Pure: assessments, answers and the questionnaire in; columns and rows out; the writers
(`bot.analytics.writers`) only format them. Column names are stable snake_case identifiers in
Spanish, the same in CSV, XLSX and JSON, so a file can be joined with a later one.

* Scores are recomputed from the stored answers with the assessment's own questionnaire
  version (`bot.scoring.score`), among the versions loaded; an assessment of a version not
  loaded keeps its answers in the export but has no scores (`puntaje_*` empty). The score
  columns are those of every version the rows use, the default's first.
* Scores and coverages are rounded to 2 decimals; coverage is a percentage (0-100).
* Dates are in Colombian time (the configured zone), without the offset in CSV and XLSX.
* No personal data: the person who gave an answer appears only as `id_contacto`, a number that
  staff can resolve in the database when they need to (and that is empty once the person
  erased their data). Names, roles, emails and chat addresses never enter an export.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.analytics.counted import counts_as_submitted
from bot.scoring import Answer, InvalidAnswer, Score, Scores, item_score, level_of, score
from bot.storage.api import CycleAssessment, StoredAnswer
from dialogues.questionnaire import Questionnaire
from nlu.numbers import format_number

Value = str | int | float | datetime | None
Row = dict[str, Value]

KIND_NAMES = {"alcaldia": "alcaldía", "gobernacion": "gobernación"}
STATUS_NAMES = {"in_progress": "en curso", "submitted": "enviado"}
# Submitted by someone who is not a member of the entity: not counted as sent (issue 15).
UNVERIFIED_SUBMISSION = "enviado sin verificar"
ANSWER_KIND_NAMES = {
    "option": "opción",
    "figure": "cifra",
    "dont_know": "no sé",
    "skipped": "omitida",
}

ASSESSMENT_COLUMNS = (
    "id_diagnostico",
    "codigo_dane",
    "entidad",
    "tipo",
    "codigo_departamento",
    "departamento",
    "ciclo",
    "cuestionario",
    "version_cuestionario",
    "estado",
    "iniciado",
    "enviado",
    "items_aplicables",
    "items_respondidos",
    "cobertura",
    "puntaje_general",
    "nivel_general",
)
ANSWER_COLUMNS = (
    "id_diagnostico",
    "codigo_dane",
    "pregunta",
    "dimension",
    "subdimension",
    "medicion",
    "tipo_respuesta",
    "opcion",
    "respuesta",
    "cifra",
    "puntaje",
    "id_contacto",
    "respondida",
)


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: list[Row]


@dataclass(frozen=True, slots=True)
class Dataset:
    cycle: int
    questionnaire_id: str
    questionnaire_version: str
    generated_at: datetime  # aware, in Colombian time
    assessments: Table
    answers: Table
    unscored: int  # assessments left without scores (other questionnaire version, bad answer)


def score_columns(questionnaire: Questionnaire) -> tuple[str, ...]:
    """Score, level and coverage of every dimension, then of every subdimension."""
    parts = [d.id for d in questionnaire.dimensions]
    parts += [s.id for _, s in questionnaire.iter_subdimensions()]
    return tuple(f"{what}_{part}" for part in parts for what in ("puntaje", "nivel", "cobertura"))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _level(questionnaire: Questionnaire, value: float | None) -> str | None:
    level = level_of(questionnaire, value)
    return level.name if level is not None else None


def _coverage(s: Score) -> float:
    return round(float(s.coverage) * 100, 2)


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if moment is None else moment.astimezone(zone)


def _score_cells(questionnaire: Questionnaire, scores: Scores | None) -> Row:
    cells: Row = dict.fromkeys(score_columns(questionnaire))
    if scores is None:
        return cells
    parts: list[tuple[str, Score]] = [(d.id, d.score) for d in scores.dimensions]
    parts += [(s.id, s.score) for s in scores.subdimensions()]
    for part, s in parts:
        cells[f"puntaje_{part}"] = _round(s.value)
        cells[f"nivel_{part}"] = _level(questionnaire, s.value)
        cells[f"cobertura_{part}"] = _coverage(s)
    return cells


def _scores(
    questionnaire: Questionnaire, item: CycleAssessment, answers: Mapping[str, StoredAnswer]
) -> Scores | None:
    a = item.assessment
    if (a.questionnaire_id, a.questionnaire_version) != (questionnaire.id, questionnaire.version):
        return None
    try:
        return score(questionnaire, item.entity.kind, {q: s.answer for q, s in answers.items()})
    except InvalidAnswer:
        return None


def assessment_row(
    questionnaire: Questionnaire, item: CycleAssessment, scores: Scores | None, zone: ZoneInfo
) -> Row:
    a, e = item.assessment, item.entity
    overall = scores.overall if scores else None
    return {
        "id_diagnostico": a.id,
        "codigo_dane": e.code,
        "entidad": e.title,  # "Gobernación de Nariño", not a bare "Nariño"
        "tipo": KIND_NAMES[e.kind],
        "codigo_departamento": e.department_code,
        "departamento": e.department_name,
        "ciclo": a.cycle,
        "cuestionario": a.questionnaire_id,
        "version_cuestionario": a.questionnaire_version,
        "estado": STATUS_NAMES[a.status]
        if a.status != "submitted" or counts_as_submitted(a)
        else UNVERIFIED_SUBMISSION,
        "iniciado": _local(a.started_at, zone),
        "enviado": _local(a.submitted_at, zone),
        "items_aplicables": overall.applicable if overall else None,
        "items_respondidos": overall.answered if overall else None,
        "cobertura": _coverage(overall) if overall else None,
        "puntaje_general": _round(overall.value) if overall else None,
        "nivel_general": scores.level.name if scores and scores.level else None,
        **_score_cells(questionnaire, scores),
    }


def _figure_text(value: float) -> str:
    """62.5 -> '62,5', 1500000.0 -> '1.500.000': as written, the Colombian way."""
    text = repr(value)
    decimals = 0 if "e" in text or text.endswith(".0") else min(len(text.split(".")[1]), 4)
    return format_number(value, decimals)


def _answer_text(questionnaire: Questionnaire, question_id: str, answer: Answer) -> str | None:
    """What was answered, in words: the option's text, the figure with its unit, 'no sé'."""
    if answer.kind == "option":
        found = questionnaire.question_index.get(question_id)
        options = found[2].options if found else None
        if options is None and question_id in questionnaire.perception_index:
            options = questionnaire.perception_index[question_id].options
        label = next((o.text for o in options or () if o.id == answer.option), None)
        return label or answer.option
    if answer.kind == "figure" and answer.value is not None:
        found = questionnaire.question_index.get(question_id)
        unit = found[2].figure.unit if found and found[2].figure else ""
        return f"{_figure_text(answer.value)} {unit}".strip()
    return ANSWER_KIND_NAMES[answer.kind]


def _placement(questionnaire: Questionnaire, question_id: str) -> tuple[Value, Value, Value]:
    """(dimension id, subdimension id, measurement) of a question or perception item."""
    if question_id in questionnaire.question_index:
        dim, sub, question = questionnaire.question_index[question_id]
        return dim.id, sub.id, question.measurement
    if question_id in questionnaire.perception_index:
        sub_id = questionnaire.perception_index[question_id].subdimension
        dim_id = questionnaire.subdimension_index[sub_id][0].id
        return dim_id, sub_id, "percepcion"
    return None, None, None  # a question of another questionnaire version


def _item_score(questionnaire: Questionnaire, question_id: str, answer: Answer) -> float | None:
    found = questionnaire.question_index.get(question_id)
    try:
        if found:
            return item_score(found[2], answer)
        item = questionnaire.perception_index.get(question_id)
        if item and answer.kind == "option":
            return next((o.score for o in item.options if o.id == answer.option), None)
    except InvalidAnswer:
        return None
    return None


def answer_rows(
    questionnaire: Questionnaire,
    item: CycleAssessment,
    answers: Mapping[str, StoredAnswer],
    scored: bool,
    zone: ZoneInfo,
) -> list[Row]:
    """The assessment's answers in questionnaire order (unknown ids last, by id)."""
    order = {q.id: i for i, q in enumerate(questionnaire.questions)}
    order.update({pid: len(order) + i for i, pid in enumerate(questionnaire.perception_index)})
    rows: list[Row] = []
    for qid in sorted(answers, key=lambda q: (order.get(q, len(order)), q)):
        stored = answers[qid]
        answer = stored.answer
        dimension, subdimension, measurement = _placement(questionnaire, qid)
        rows.append(
            {
                "id_diagnostico": item.assessment.id,
                "codigo_dane": item.entity.code,
                "pregunta": qid,
                "dimension": dimension,
                "subdimension": subdimension,
                "medicion": measurement,
                "tipo_respuesta": ANSWER_KIND_NAMES[answer.kind],
                "opcion": answer.option if answer.kind == "option" else None,
                "respuesta": _answer_text(questionnaire, qid, answer),
                "cifra": answer.value if answer.kind == "figure" else None,
                "puntaje": _item_score(questionnaire, qid, answer) if scored else None,
                "id_contacto": stored.contact_id,
                "respondida": _local(stored.answered_at, zone),
            }
        )
    return rows


def build_dataset(
    questionnaire: Questionnaire,
    cycle: int,
    items: Sequence[CycleAssessment],
    answers: Mapping[int, Mapping[str, StoredAnswer]],
    generated_at: datetime,
    zone: ZoneInfo,
    others: Iterable[Questionnaire] = (),
) -> Dataset:
    """Both tables for the cycle's assessments (in the order given); `questionnaire` is the
    default version, `others` the other versions loaded."""
    loaded = {(q.id, q.version): q for q in (*others, questionnaire)}
    assessment_rows: list[Row] = []
    all_answers: list[Row] = []
    columns = dict.fromkeys(score_columns(questionnaire))
    unscored = 0
    for item in items:
        a = item.assessment
        own = loaded.get((a.questionnaire_id, a.questionnaire_version), questionnaire)
        columns.update(dict.fromkeys(score_columns(own)))
        given = answers.get(a.id, {})
        scores = _scores(own, item, given)
        unscored += scores is None
        assessment_rows.append(assessment_row(own, item, scores, zone))
        all_answers += answer_rows(own, item, given, scores is not None, zone)
    for row in assessment_rows:  # a version's parts are empty in another version's rows
        for column in columns:
            row.setdefault(column, None)
    return Dataset(
        cycle=cycle,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        generated_at=generated_at.astimezone(zone),
        assessments=Table(ASSESSMENT_COLUMNS + tuple(columns), assessment_rows),
        answers=Table(ANSWER_COLUMNS, all_answers),
        unscored=unscored,
    )


def nested(dataset: Dataset) -> dict[str, Any]:
    """The JSON shape: each assessment with its answers under "respuestas"."""
    by_assessment: dict[Value, list[Row]] = {}
    for row in dataset.answers.rows:
        inner = {k: v for k, v in row.items() if k not in ("id_diagnostico", "codigo_dane")}
        by_assessment.setdefault(row["id_diagnostico"], []).append(inner)
    return {
        "ciclo": dataset.cycle,
        "cuestionario": dataset.questionnaire_id,
        "version_cuestionario": dataset.questionnaire_version,
        "generado": dataset.generated_at,
        "diagnosticos": [
            {**row, "respuestas": by_assessment.get(row["id_diagnostico"], [])}
            for row in dataset.assessments.rows
        ],
    }
