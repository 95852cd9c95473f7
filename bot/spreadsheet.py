"""The whole questionnaire as an XLSX file to fill offline, and reading it back cell by cell.

The sheet lists every question that applies to the entity, with its options, help and the
current answer; the contact writes a letter, a figure or "no sé" in the "Respuesta" column.
Reading it back never guesses: each cell is an answer, blank, or an error that names the row,
the question and the reason. The file is read with openpyxl over defusedxml (entity expansion
attacks refused) after a size check, since it comes from outside.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from bot.scoring import Answer, InvalidAnswer, item_score
from dialogues.messages import Catalog
from dialogues.parsing import letter, parse_answer, parse_number
from dialogues.questionnaire import Kind, Question, Questionnaire
from nlu.text import fold_answer

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILENAME = "cuestionario-cti.xlsx"
SHEET = "Cuestionario"
MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED = 30 * 1024 * 1024  # a zip bomb unpacks to far more than a 120-row sheet
HEADER_ROW = 4
# Each column's header is the catalog's `sheet.column.<name>`.
COLUMNS = ("number", "id", "dimension", "subdimension", "question", "options", "answer", "help")
ANSWER_COL = COLUMNS.index("answer") + 1
ID_COL = COLUMNS.index("id") + 1
DONT_KNOW_WORDS = {"no se", "nose", "ns", "no sabe", "no lo se"}


class SheetError(Exception):
    """The file cannot be read as our questionnaire. The catalog's `sheet.error.<reason>`,
    rendered with `params`, tells the official why."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


@dataclass(frozen=True, slots=True)
class CellProblem:
    row: int
    question_id: str
    value: str
    reason: str  # option | figure | range | unknown | not_applicable


@dataclass(frozen=True, slots=True)
class SheetReading:
    answers: dict[str, Answer] = field(default_factory=dict)
    problems: tuple[CellProblem, ...] = ()
    blank: int = 0


def _cell_answer(answer: Answer | None, dont_know: str) -> str | float | None:
    if answer is None:
        return None
    if answer.kind == "dont_know":
        return dont_know
    if answer.kind == "figure":
        return answer.value
    return None  # options are filled in by letter below


def build(
    questionnaire: Questionnaire,
    kind: Kind,
    title: str,
    current: Mapping[str, Answer],
    texts: Catalog,
) -> bytes:
    """The questionnaire for one kind of entity, with `current` answers filled in; its words
    are the `sheet.*` texts of `texts`."""
    dont_know = texts.render("sheet.dont_know")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet["A1"] = f"{questionnaire.title} · {title}"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = texts.render("sheet.instructions")
    sheet["A3"] = f"{questionnaire.id} {questionnaire.version} · {kind}"
    sheet["A3"].font = Font(color="808080", size=8)
    for col, name in enumerate(COLUMNS, 1):
        cell = sheet.cell(HEADER_ROW, col, texts.render(f"sheet.column.{name}"))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    index = questionnaire.question_index
    row = HEADER_ROW
    for number, question in enumerate(questionnaire.questions_for(kind), 1):
        row += 1
        dimension, subdimension, _ = index[question.id]
        if question.options:
            described = "\n".join(f"{letter(i)}) {o.text}" for i, o in enumerate(question.options))
        else:
            assert question.figure is not None
            figure = question.figure
            top = f"{figure.max:g}" if figure.max is not None else ""
            described = texts.render(
                "sheet.figure", unit=figure.unit, min=f"{figure.min:g}", max=top
            )
        given = current.get(question.id)
        value = _cell_answer(given, dont_know)
        if given is not None and given.kind == "option" and question.options:
            ids = [o.id for o in question.options]
            value = letter(ids.index(given.option)) if given.option in ids else None
        cells = (
            number,
            question.id,
            dimension.name,
            subdimension.name,
            question.text,
            described,
            value,
            question.help,
        )
        for col, content in enumerate(cells, 1):
            cell = sheet.cell(row, col, content)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if question.options:
            letters = ",".join(letter(i) for i in range(len(question.options)))
            validation = DataValidation(
                type="list",
                formula1=f'"{letters},{dont_know}"',
                allow_blank=True,
                showErrorMessage=False,
            )
            sheet.add_data_validation(validation)
            validation.add(sheet.cell(row, ANSWER_COL))
        sheet.cell(row, ANSWER_COL).fill = PatternFill("solid", fgColor="FFF2CC")
    for column, width in zip("ABCDEFGH", (6, 13, 16, 22, 60, 50, 14, 50), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _check_archive(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise SheetError("too_big", megabytes=MAX_BYTES // (1024 * 1024))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise SheetError("not_xlsx") from None
    if unpacked > MAX_UNPACKED:
        raise SheetError("invalid")


def _read_cell(question: Question, raw: object) -> tuple[Answer | None, str]:
    if isinstance(raw, bool):
        return None, "option" if question.options else "figure"
    text = str(raw).strip()
    if fold_answer(text) in DONT_KNOW_WORDS:
        return Answer("dont_know"), ""
    if question.figure is not None:
        value = float(raw) if isinstance(raw, int | float) else parse_number(text)
        if value is None:
            return None, "figure"
        answer = Answer("figure", value=value)
    else:
        understood = parse_answer(question, text)
        if understood is None or not isinstance(understood.value, str):
            return None, "option"
        answer = Answer("option", option=understood.value)
    try:
        item_score(question, answer)
    except InvalidAnswer:
        return None, "range"
    return answer, ""


@dataclass(frozen=True, slots=True)
class SheetCells:
    """The questionnaire rows of a file as opened, not yet judged: (row number, code, answer
    cell) for every row with either. Opening the file is the slow part, done before any
    database transaction; judging the cells needs the contact's entity kind."""

    rows: tuple[tuple[int, object, object], ...]


def read(data: bytes, questionnaire: Questionnaire, kind: Kind) -> SheetReading:
    """Every answer in the file, and every cell that is not one; raises `SheetError` when the
    file is not our questionnaire at all."""
    return interpret(cells(data), questionnaire, kind)


def cells(data: bytes) -> SheetCells:
    """The rows of the questionnaire sheet; raises `SheetError` when the file is not our
    questionnaire at all."""
    _check_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on damaged files
        raise SheetError("unopenable") from None
    try:
        if SHEET not in book.sheetnames:
            raise SheetError("no_sheet", sheet=SHEET)
        sheet = book[SHEET]
        rows: list[tuple[int, object, object]] = []
        for number, row in enumerate(
            sheet.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + 1000, values_only=True),
            HEADER_ROW + 1,
        ):
            if len(row) < ANSWER_COL:
                continue
            qid, raw = row[ID_COL - 1], row[ANSWER_COL - 1]
            if qid is None and raw is None:
                continue
            rows.append((number, qid, raw))
        # Every such row is later an answer, a blank or a problem: none means no questionnaire.
        if not rows:
            raise SheetError("empty")
        return SheetCells(tuple(rows))
    finally:
        book.close()


def interpret(found: SheetCells, questionnaire: Questionnaire, kind: Kind) -> SheetReading:
    """Every answer among the rows, and every cell that is not one, for an entity of `kind`."""
    index = questionnaire.question_index
    applicable = {q.id for q in questionnaire.questions_for(kind)}
    answers: dict[str, Answer] = {}
    problems: list[CellProblem] = []
    blank = 0
    for number, code, raw in found.rows:
        qid = str(code or "").strip()
        if raw is None or not str(raw).strip():
            blank += 1
            continue
        shown = str(raw).strip()[:60]
        if qid not in index:
            problems.append(CellProblem(number, qid, shown, "unknown"))
            continue
        if qid not in applicable:
            problems.append(CellProblem(number, qid, shown, "not_applicable"))
            continue
        answer, reason = _read_cell(index[qid][2], raw)
        if answer is None:
            problems.append(CellProblem(number, qid, shown, reason))
        else:
            answers[qid] = answer
    return SheetReading(answers, tuple(problems), blank)
