"""The export's tables (`bot.analytics.dataset`) for a hand-built case, and its three files.

Medellín, in progress, answered like the report's hand-built case (tests/report/test_render):
gobernanza 60,9375, hábitat 88, overall 78,979..., coverage 6 of 9 items. Pasto answered with
another questionnaire version: its answers are exported, its scores are not.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.analytics.counted import as_counted
from bot.analytics.dataset import (
    ANSWER_COLUMNS,
    ASSESSMENT_COLUMNS,
    assessment_row,
    build_dataset,
    score_columns,
)
from bot.analytics.writers import answers_path, write
from bot.scoring import Answer
from bot.storage.api import AssessmentRecord, CycleAssessment, StoredAnswer
from bot.territory import Entity
from nlu.numbers import plain_decimal
from tests.factories import answers, build, node, questionnaire_raw
from tests.report.helpers import ANSWERS

Q = build()
BOGOTA = ZoneInfo("America/Bogota")
T0 = datetime(2026, 3, 2, 15, 4, 5, tzinfo=UTC)  # 10:04:05 in Colombia
MEDELLIN = Entity("05001", "alcaldia", "Medellín", "05", "Antioquia")
PASTO = Entity("52001", "alcaldia", "Pasto", "52", "Nariño")
ITEMS = [
    CycleAssessment(
        AssessmentRecord(7, "05001", 2026, Q.id, Q.version, "in_progress", T0), MEDELLIN
    ),
    CycleAssessment(
        AssessmentRecord(9, "52001", 2026, Q.id, "0.0-vieja", "submitted", T0, T0, True), PASTO
    ),
]
GIVEN = {
    7: {q: StoredAnswer(q, a, 41, T0) for q, a in answers(ANSWERS).items()},
    9: {"GOB-SER-01": StoredAnswer("GOB-SER-01", Answer("option", option="si"), None, T0)},
}


@pytest.fixture(scope="module")
def dataset():
    return build_dataset(Q, 2026, ITEMS, GIVEN, T0, BOGOTA)


def test_one_row_per_assessment_with_hand_checked_scores(dataset):
    assert dataset.assessments.columns == ASSESSMENT_COLUMNS + score_columns(Q)
    medellin, pasto = dataset.assessments.rows
    assert medellin["entidad"] == "Alcaldía de Medellín (Antioquia)"
    assert (medellin["codigo_dane"], medellin["tipo"], medellin["estado"]) == (
        "05001",
        "alcaldía",
        "en curso",
    )
    assert medellin["iniciado"] == datetime(2026, 3, 2, 10, 4, 5, tzinfo=BOGOTA)
    assert medellin["enviado"] is None
    assert medellin["puntaje_general"] == 78.98  # 60.9375/3 + 2·88/3 = 78.979...
    assert medellin["nivel_general"] == "Avanzado"
    assert (medellin["items_respondidos"], medellin["items_aplicables"]) == (6, 9)
    assert medellin["cobertura"] == 66.67
    assert medellin["puntaje_gobernanza"] == 60.94
    assert medellin["nivel_gobernanza"] == "Intermedio"
    assert medellin["cobertura_gobernanza"] == 80.0
    assert medellin["puntaje_gob-servicios"] == 61.25  # (0.5·50 + 0.3·80) / 0.8
    assert medellin["puntaje_habitat"] == 88.0
    # Another questionnaire version: no scores at all, but the row is there.
    assert pasto["version_cuestionario"] == "0.0-vieja" and pasto["estado"] == "enviado"
    assert all(pasto[c] is None for c in score_columns(Q))
    assert pasto["puntaje_general"] is None
    assert dataset.unscored == 1


def test_answers_in_long_format(dataset):
    rows = dataset.answers.rows
    assert dataset.answers.columns == ANSWER_COLUMNS
    assert [r["pregunta"] for r in rows if r["id_diagnostico"] == 7] == list(ANSWERS)
    by_question = {(r["id_diagnostico"], r["pregunta"]): r for r in rows}
    option = by_question[7, "GOB-SER-01"]
    assert option["dimension"] == "gobernanza" and option["subdimension"] == "gob-servicios"
    assert option["medicion"] == "capacidades" and option["tipo_respuesta"] == "opción"
    assert (option["opcion"], option["respuesta"], option["puntaje"]) == ("si", "Opción si", 100)
    assert option["id_contacto"] == 41
    assert option["respondida"] == datetime(2026, 3, 2, 10, 4, 5, tzinfo=BOGOTA)
    figure = by_question[7, "GOB-SER-03"]
    assert (figure["cifra"], figure["respuesta"], figure["puntaje"]) == (65.0, "65 %", 80)
    dont_know = by_question[7, "HAB-SER-01"]
    assert (dont_know["respuesta"], dont_know["puntaje"], dont_know["cifra"]) == (
        "no sé",
        None,
        None,
    )
    unscored = by_question[9, "GOB-SER-01"]
    assert unscored["respuesta"] == "Opción si" and unscored["puntaje"] is None
    assert unscored["id_contacto"] is None


def test_csv_opens_in_spanish_excel(dataset, tmp_path):
    out = tmp_path / "avance.csv"
    assert write(dataset, out, "csv") == [out, tmp_path / "avance_respuestas.csv"]
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == list(dataset.assessments.columns)
    medellin = rows[0]
    assert medellin["codigo_dane"] == "05001"
    assert medellin["puntaje_general"] == "78,98"  # decimal comma
    assert medellin["cobertura"] == "66,67"
    assert medellin["puntaje_habitat"] == "88"
    assert medellin["iniciado"] == "2026-03-02 10:04:05" and medellin["enviado"] == ""
    assert medellin["entidad"] == "Alcaldía de Medellín (Antioquia)"
    given = list(
        csv.DictReader(io.StringIO(answers_path(out).read_text("utf-8-sig")), delimiter=";")
    )
    assert len(given) == len(dataset.answers.rows) == 8
    figure = next(r for r in given if r["pregunta"] == "GOB-SER-03")
    assert (figure["cifra"], figure["respuesta"], figure["puntaje"]) == ("65", "65 %", "80")


def test_xlsx_has_two_sheets_of_real_numbers_and_dates(dataset, tmp_path):
    out = tmp_path / "avance.xlsx"
    write(dataset, out, "xlsx")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Diagnósticos", "Respuestas"]
    sheet = book["Diagnósticos"]
    header = [c.value for c in sheet[1]]
    assert header == list(dataset.assessments.columns)
    medellin = dict(zip(header, (c.value for c in sheet[2]), strict=True))
    assert medellin["codigo_dane"] == "05001"  # text: the leading zero stays
    assert medellin["puntaje_general"] == 78.98 and isinstance(medellin["puntaje_general"], float)
    assert medellin["iniciado"] == datetime(2026, 3, 2, 10, 4, 5)  # Colombian wall-clock time
    assert sheet.cell(2, header.index("iniciado") + 1).is_date
    assert medellin["enviado"] is None
    assert sheet.freeze_panes == "A2"
    answers_sheet = book["Respuestas"]
    assert answers_sheet.max_row == 1 + len(dataset.answers.rows)
    figure = [c.value for c in answers_sheet[1 + 3]]  # GOB-SER-03, the third answer
    assert figure[ANSWER_COLUMNS.index("cifra")] == 65.0


def test_json_nests_the_answers(dataset, tmp_path):
    out = tmp_path / "avance.json"
    write(dataset, out, "json")
    doc = json.loads(out.read_text("utf-8"))
    assert set(doc) == {"ciclo", "cuestionario", "version_cuestionario", "generado", "diagnosticos"}
    assert (doc["ciclo"], doc["cuestionario"], doc["version_cuestionario"]) == (2026, Q.id, "0.1")
    assert doc["generado"] == "2026-03-02T10:04:05-05:00"
    medellin, pasto = doc["diagnosticos"]
    assert set(medellin) == {*dataset.assessments.columns, "respuestas"}
    assert medellin["puntaje_general"] == 78.98 and medellin["enviado"] is None
    assert medellin["iniciado"] == "2026-03-02T10:04:05-05:00"
    assert len(medellin["respuestas"]) == 7 and len(pasto["respuestas"]) == 1
    first = medellin["respuestas"][0]
    assert set(first) == set(ANSWER_COLUMNS) - {"id_diagnostico", "codigo_dane"}
    assert first == {
        "pregunta": "GOB-SER-01",
        "dimension": "gobernanza",
        "subdimension": "gob-servicios",
        "medicion": "capacidades",
        "tipo_respuesta": "opción",
        "opcion": "si",
        "respuesta": "Opción si",
        "cifra": None,
        "puntaje": 100,
        "id_contacto": 41,
        "respondida": "2026-03-02T10:04:05-05:00",
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (62.5, "62,5"),
        (100.0, "100"),
        (0.1, "0,1"),
        (1e-07, "0,0000001"),
        (-0.0, "0"),
        (1e20, "1" + "0" * 20),
    ],
)
def test_decimal_comma_never_uses_exponents(value, text):
    assert plain_decimal(value) == text


def test_a_submission_by_a_non_member_is_shown_and_counted_as_unverified():
    """Issue 15: only a member's submission counts (progress, export, peers)."""

    record = AssessmentRecord(9, "52001", 2026, Q.id, Q.version, "submitted", T0, T0, False)
    item = CycleAssessment(record, PASTO)
    row = assessment_row(Q, item, None, ZoneInfo("America/Bogota"))
    assert row["estado"] == "enviado sin verificar"
    counted = as_counted([item, ITEMS[1]])
    assert counted[0].assessment.status == "in_progress"
    assert counted[0].assessment.submitted_at is None
    assert counted[1] == ITEMS[1]


def test_each_assessment_is_scored_under_its_own_loaded_version():
    """Pasto's version loaded beside the default: scored under it, its own parts' columns
    added (empty in Medellín's row), and every format still writes."""
    raw = questionnaire_raw()
    raw["version"] = "0.0-vieja"
    node(raw, "gob-datos")["id"] = "gob-datos-antes"
    old = build(raw)
    data = build_dataset(Q, 2026, ITEMS, GIVEN, T0, BOGOTA, others=[old])
    assert data.unscored == 0
    medellin, pasto = data.assessments.rows
    assert pasto["version_cuestionario"] == "0.0-vieja" and pasto["puntaje_general"] is not None
    assert pasto["cobertura_gob-datos-antes"] == 0 and pasto["cobertura_gob-datos"] is None
    assert medellin["cobertura_gob-datos-antes"] is None and medellin["cobertura_gob-datos"] == 100
    assert data.assessments.columns[-3:] == (
        "puntaje_gob-datos-antes",
        "nivel_gob-datos-antes",
        "cobertura_gob-datos-antes",
    )
    assert all(set(row) == set(data.assessments.columns) for row in data.assessments.rows)
    [answer] = [r for r in data.answers.rows if r["id_diagnostico"] == 9]
    assert answer["puntaje"] is not None and answer["subdimension"] == "gob-servicios"
