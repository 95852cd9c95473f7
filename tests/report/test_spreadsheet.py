"""The questionnaire as XLSX: built, filled in with openpyxl as a person would, read back."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from bot import spreadsheet
from bot.app import load_catalog
from bot.config import PROJECT_ROOT
from bot.scoring import Answer
from dialogues.questionnaire import load_questionnaire
from tests.report.helpers import fill

Q = load_questionnaire(PROJECT_ROOT / "data" / "questionnaire" / "v1.yml")
TEXTS = load_catalog(PROJECT_ROOT / "data" / "templates", "cti@mintic.gov.co")


def test_the_sheet_lists_every_applicable_question_with_current_answers():
    current = {
        "PER-EDU-01": Answer("option", option=Q.question_index["PER-EDU-01"][2].options[2].id)
    }
    data = spreadsheet.build(Q, "alcaldia", "Alcaldía de Tunja (Boyacá)", current, TEXTS)
    sheet = load_workbook(io.BytesIO(data))[spreadsheet.SHEET]
    ids = [
        sheet.cell(r, spreadsheet.ID_COL).value
        for r in range(spreadsheet.HEADER_ROW + 1, sheet.max_row + 1)
    ]
    assert ids == [q.id for q in Q.questions_for("alcaldia")]
    first = spreadsheet.HEADER_ROW + 1
    assert sheet.cell(first, spreadsheet.ANSWER_COL).value == "c"
    assert "Tunja" in sheet["A1"].value


def test_a_filled_sheet_reads_back_cell_by_cell():
    data = spreadsheet.build(Q, "alcaldia", "Alcaldía de Tunja", {}, TEXTS)
    filled = fill(
        data,
        {
            "PER-EDU-01": "B",
            "PER-EDU-02": 45.5,
            "PER-EDU-03": "no sé",
            "PER-EDU-04": "12,5",
            "PER-HDI-01": "z",
            "PER-HDI-03": "mucho",
            "PER-INC-04": 150,
        },
    )
    reading = spreadsheet.read(filled, Q, "alcaldia")
    edu01 = Q.question_index["PER-EDU-01"][2]
    assert reading.answers == {
        "PER-EDU-01": Answer("option", option=edu01.options[1].id),
        "PER-EDU-02": Answer("figure", value=45.5),
        "PER-EDU-03": Answer("dont_know"),
        "PER-EDU-04": Answer("figure", value=12.5),
    }
    problems = {p.question_id: p.reason for p in reading.problems}
    assert problems == {"PER-HDI-01": "option", "PER-HDI-03": "figure", "PER-INC-04": "range"}
    assert all(p.row > spreadsheet.HEADER_ROW for p in reading.problems)
    assert reading.blank == len(Q.questions_for("alcaldia")) - 7


def test_unknown_codes_and_questions_of_the_other_kind_are_reported():
    data = spreadsheet.build(Q, "gobernacion", "Gobernación de Boyacá", {}, TEXTS)
    only_alcaldia = next(q.id for q in Q.questions_for("alcaldia") if q.applies_to == "alcaldia")
    book = load_workbook(io.BytesIO(data))
    sheet = book[spreadsheet.SHEET]
    row = sheet.max_row + 1
    sheet.cell(row, spreadsheet.ID_COL, only_alcaldia)
    sheet.cell(row, spreadsheet.ANSWER_COL, "a")
    sheet.cell(row + 1, spreadsheet.ID_COL, "XXX-999")
    sheet.cell(row + 1, spreadsheet.ANSWER_COL, "a")
    out = io.BytesIO()
    book.save(out)
    reasons = {p.reason for p in spreadsheet.read(out.getvalue(), Q, "gobernacion").problems}
    assert reasons == {"not_applicable", "unknown"}


@pytest.mark.parametrize(
    "data,message",
    [
        (b"not a zip", "no es una hoja de cálculo"),
        (b"x" * (spreadsheet.MAX_BYTES + 1), "demasiado grande"),
    ],
)
def test_files_that_are_not_our_sheet_are_refused_in_spanish(data, message):
    with pytest.raises(spreadsheet.SheetError) as refused:
        spreadsheet.read(data, Q, "alcaldia")
    assert message in TEXTS.render(f"sheet.error.{refused.value.reason}", **refused.value.params)


def test_a_zip_bomb_is_refused_before_parsing():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (spreadsheet.MAX_UNPACKED + 1))
    assert len(out.getvalue()) < spreadsheet.MAX_BYTES
    with pytest.raises(spreadsheet.SheetError):
        spreadsheet.read(out.getvalue(), Q, "alcaldia")


def test_another_workbook_is_refused():
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    with pytest.raises(spreadsheet.SheetError) as refused:
        spreadsheet.read(out.getvalue(), Q, "alcaldia")
    said = TEXTS.render(f"sheet.error.{refused.value.reason}", **refused.value.params)
    assert said == "el archivo no tiene la hoja «Cuestionario» que le enviamos"


def test_untrusted_files_are_parsed_through_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML  # entity-expansion (billion laughs) attacks refused


def test_the_sheet_speaks_the_catalog_spanish():
    edu02 = Q.question_index["PER-EDU-02"][2]
    assert edu02.figure is not None
    data = spreadsheet.build(
        Q, "alcaldia", "Alcaldía de Tunja", {"PER-EDU-03": Answer("dont_know")}, TEXTS
    )
    sheet = load_workbook(io.BytesIO(data))[spreadsheet.SHEET]
    headers = [sheet.cell(spreadsheet.HEADER_ROW, c).value for c in range(1, 9)]
    assert headers == [
        "N.º",
        "Código",
        "Dimensión",
        "Subdimensión",
        "Pregunta",
        "Opciones o unidad",
        "Respuesta",
        "Ayuda",
    ]
    assert sheet["A2"].value == (
        "Escriba en la columna «Respuesta» la letra de la opción, la cifra o «no sé». "
        "Deje en blanco lo que no quiera responder ahora. Luego envíe este archivo como "
        "adjunto, sin cambiar las columnas ni los códigos."
    )
    rows = {
        sheet.cell(r, spreadsheet.ID_COL).value: r
        for r in range(spreadsheet.HEADER_ROW + 1, sheet.max_row + 1)
    }
    top = f" a {edu02.figure.max:g}" if edu02.figure.max is not None else ""
    assert sheet.cell(rows["PER-EDU-02"], 6).value == (
        f"Cifra en {edu02.figure.unit} (de {edu02.figure.min:g}{top})"
    )
    assert sheet.cell(rows["PER-EDU-03"], spreadsheet.ANSWER_COL).value == "no sé"
    lists = {v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists
    assert all(f.endswith(',no sé"') for f in lists)
