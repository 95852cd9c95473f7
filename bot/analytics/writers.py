"""An export dataset as files that open cleanly in Excel configured for Spanish (Colombia).

* CSV: UTF-8 with a BOM (without it Excel reads the accents as Windows-1252), `;` between
  fields and a decimal comma, which is what Excel expects where the comma is the decimal
  separator. Two files: the assessments and, beside them, `<name>_respuestas.csv`. DANE codes
  stay text ("05001"); Excel's CSV import may still drop the leading zero, the XLSX never does.
* XLSX: two sheets ("Diagnósticos", "Respuestas"); numbers are real numbers, dates real dates
  (Colombian time), so Excel sorts, filters and sums them; header frozen, filters on.
* JSON: one document; every assessment carries its answers under "respuestas"; dates are ISO
  8601 with the Colombian offset.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.analytics.dataset import Dataset, Table, Value, nested
from nlu.numbers import plain_decimal

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Format = Literal["csv", "xlsx", "json"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "json")
ANSWERS_SUFFIX = "_respuestas"
SHEETS = ("Diagnósticos", "Respuestas")
CSV_DELIMITER = ";"


# --- CSV ---------------------------------------------------------------------------------------


def csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return plain_decimal(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def answers_path(path: Path) -> Path:
    """Where the answers go beside a CSV export: 'avance.csv' -> 'avance_respuestas.csv'."""
    return path.with_name(f"{path.stem}{ANSWERS_SUFFIX}{path.suffix or '.csv'}")


def _write_csv_table(table: Table, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=CSV_DELIMITER)
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([csv_cell(row[c]) for c in table.columns])


def write_csv(dataset: Dataset, path: Path) -> list[Path]:
    second = answers_path(path)
    _write_csv_table(dataset.assessments, path)
    _write_csv_table(dataset.answers, second)
    return [path, second]


# --- XLSX --------------------------------------------------------------------------------------


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Value) -> Cell | Value:
    """A plain value where possible: a styled cell costs ~10x more to write."""
    if isinstance(value, datetime):
        # Excel has no time zones: the local wall-clock time, which openpyxl formats as a date.
        return value.replace(tzinfo=None)
    if isinstance(value, str) and value.startswith("="):
        # openpyxl would store it as a formula; questionnaire texts are data, never formulas.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _write_sheet(workbook: Workbook, title: str, table: Table) -> None:
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(table.columns))
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    for i, name in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(12, min(len(name) + 2, 40))
    bold = Font(bold=True)
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, row[c]) for c in table.columns])


def write_xlsx(dataset: Dataset, path: Path) -> list[Path]:
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Asistente CTI"
    workbook.properties.title = f"Autodiagnóstico CTI {dataset.cycle}"
    _write_sheet(workbook, SHEETS[0], dataset.assessments)
    _write_sheet(workbook, SHEETS[1], dataset.answers)
    workbook.save(path)
    return [path]


# --- JSON --------------------------------------------------------------------------------------


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} no se puede escribir en JSON")


def write_json(dataset: Dataset, path: Path) -> list[Path]:
    with path.open("w", encoding="utf-8") as fh:
        # Compact: a whole country's answers are tens of megabytes; viewers indent it anyway.
        json.dump(
            nested(dataset), fh, ensure_ascii=False, separators=(",", ":"), default=_json_default
        )
        fh.write("\n")
    return [path]


WRITERS: dict[Format, Callable[[Dataset, Path], list[Path]]] = {
    "csv": write_csv,
    "xlsx": write_xlsx,
    "json": write_json,
}


def write(dataset: Dataset, path: Path, fmt: Format) -> list[Path]:
    """Write the dataset; returns the files written (two for CSV)."""
    return WRITERS[fmt](dataset, path)
