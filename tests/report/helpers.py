"""What the report tests share: the hand-built case's answers, the visible text of a page, and a
spreadsheet filled in as a person would."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from openpyxl import load_workbook

from bot import spreadsheet
from bot.territory import Entity
from nlu.numbers import NBSP


def fill(data: bytes, values: dict[str, object]) -> bytes:
    """Write answers in the "Respuesta" column by question id, as a person would in Excel."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[spreadsheet.SHEET]
    for row in range(spreadsheet.HEADER_ROW + 1, sheet.max_row + 1):
        qid = sheet.cell(row, spreadsheet.ID_COL).value
        if qid in values:
            sheet.cell(row, spreadsheet.ANSWER_COL).value = values[qid]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ANSWERS = {
    "GOB-SER-01": "si",
    "GOB-SER-02": "no",
    "GOB-SER-03": 65,
    "GOB-DAT-01": "medio",
    "HAB-MOV-01": "c",
    "HAB-SER-01": "no_se",
    "HAB-SER-02": "si",
}


MEDELLIN = Entity("05001", "alcaldia", "Medellín", "05", "Antioquia")


MAILBOX = "ciudadesyterritoriosinteligentes@mintic.gov.co"


class _Text(HTMLParser):
    """The visible text of a page, whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts)).replace(NBSP, " ")
