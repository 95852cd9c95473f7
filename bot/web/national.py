"""The national progress view: per department, entities started, submitted by a member, not
started; a tile grid of the 33 departments; the view as CSV; filters by kind of entity and by
category (Ley 617 de 2000, as `cti entities import` loaded it). Pure.

Only assessments submitted by a member (`submitted_by_member`) count as submitted: a diagnosis
sent by someone nobody vouched for is "started" until a member sends it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.storage.api import CycleAssessment, EntityAttributes
from bot.storage.models import CATEGORIES
from bot.territory import Entity, EntityKind
from nlu.text import fold_name

# Where each department sits on a 8 x 8 grid, roughly as on the map (row, column), by DIVIPOLA
# department code: San Andrés up left, La Guajira up right, Amazonas at the bottom.
TILES: dict[str, tuple[int, int]] = {
    "88": (0, 0), "44": (0, 5),
    "08": (1, 3), "47": (1, 4), "20": (1, 5),
    "23": (2, 2), "70": (2, 3), "13": (2, 4), "54": (2, 5), "81": (2, 6),
    "27": (3, 1), "05": (3, 2), "68": (3, 3), "15": (3, 4), "85": (3, 5), "99": (3, 6),
    "66": (4, 2), "17": (4, 3), "25": (4, 4), "11": (4, 5), "50": (4, 6), "94": (4, 7),
    "76": (5, 1), "63": (5, 2), "73": (5, 3), "95": (5, 5),
    "19": (6, 1), "41": (6, 2), "18": (6, 3), "97": (6, 5),
    "52": (7, 1), "86": (7, 2), "91": (7, 4),
}  # fmt: skip
# What a tile shows of each department (its name is in the tile's accessible label).
ABBR: dict[str, str] = {
    "88": "SAI", "44": "LAG", "08": "ATL", "47": "MAG", "20": "CES", "23": "COR", "70": "SUC",
    "13": "BOL", "54": "NSA", "81": "ARA", "27": "CHO", "05": "ANT", "68": "SAN", "15": "BOY",
    "85": "CAS", "99": "VIC", "66": "RIS", "17": "CAL", "25": "CUN", "11": "BOG", "50": "MET",
    "94": "GUA", "76": "VAL", "63": "QUI", "73": "TOL", "95": "GUV", "19": "CAU", "41": "HUI",
    "18": "CAQ", "97": "VAU", "52": "NAR", "86": "PUT", "91": "AMA",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Count:
    total: int = 0
    started: int = 0  # in progress or submitted (by anyone)
    submitted: int = 0  # submitted by a member

    def __add__(self, other: Count) -> Count:
        return Count(
            self.total + other.total,
            self.started + other.started,
            self.submitted + other.submitted,
        )

    @property
    def not_started(self) -> int:
        return self.total - self.started

    @property
    def share(self) -> float:
        """Share submitted, 0..1 (0 for a department with none of the kind shown)."""
        return self.submitted / self.total if self.total else 0.0

    @property
    def band(self) -> int:
        """0..4: the colour of a tile, in five bands of 20 %."""
        return min(int(self.share * 5), 4)


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    code: str
    name: str
    count: Count
    tile: tuple[int, int]

    @property
    def abbr(self) -> str:
        return ABBR.get(self.code, self.name[:3].upper())


KINDS: tuple[EntityKind, ...] = ("alcaldia", "gobernacion")
NO_CATEGORY = "sin"  # the filter for entities whose category no file has given


@dataclass(frozen=True, slots=True)
class View:
    """What the progress pages show: all entities, or of one kind, of one category."""

    kind: EntityKind | None = None
    category: str = ""  # "" all, one of CATEGORIES, or NO_CATEGORY

    @classmethod
    def read(cls, params: Mapping[str, str]) -> View:
        """From the query string (`tipo`, `categoria`); an unknown value means "all"."""
        kind = params.get("tipo", "")
        category = params.get("categoria", "")
        return cls(
            kind if kind in KINDS else None,
            category if category in (*CATEGORIES, NO_CATEGORY) else "",
        )

    @property
    def query(self) -> str:
        """The view as a query string for links ("" for everything, else "?tipo=...")."""
        pairs = [("tipo", self.kind or ""), ("categoria", self.category)]
        kept = [(k, v) for k, v in pairs if v]
        return "?" + urlencode(kept) if kept else ""

    @property
    def slug(self) -> str:
        """The view in a file name: "todas", "alcaldia", "alcaldia_cat-6"."""
        parts = [self.kind or "todas"] + ([f"cat-{self.category}"] if self.category else [])
        return "_".join(parts)

    def keeps(self, entity: Entity, attributes: Mapping[str, EntityAttributes]) -> bool:
        if self.kind is not None and entity.kind != self.kind:
            return False
        if not self.category:
            return True
        loaded = attributes.get(entity.code)
        category = loaded.category if loaded else None
        return category == (None if self.category == NO_CATEGORY else self.category)


@dataclass(frozen=True, slots=True)
class EntityStatus:
    entity: Entity
    status: str  # "submitted" (by a member) | "in_progress" | "" (not started)


def statuses(
    entities: Iterable[Entity],
    assessments: Sequence[CycleAssessment],
    view: View,
    attributes: Mapping[str, EntityAttributes] | None = None,
) -> list[EntityStatus]:
    found = {a.entity.code: a.assessment for a in assessments}
    loaded = attributes or {}
    out = []
    for entity in entities:
        if not view.keeps(entity, loaded):
            continue
        a = found.get(entity.code)
        if a is None:
            status = ""
        elif a.status == "submitted" and a.submitted_by_member:
            status = "submitted"
        else:
            status = "in_progress"
        out.append(EntityStatus(entity, status))
    return out


def by_department(rows: Iterable[EntityStatus]) -> list[DepartmentRow]:
    """One row per department that has entities of the kind shown, alphabetical."""
    counts: dict[str, Count] = {}
    names: dict[str, str] = {}
    for row in rows:
        code = row.entity.department_code
        names[code] = row.entity.department_name
        one = Count(1, int(row.status != ""), int(row.status == "submitted"))
        counts[code] = counts.get(code, Count()) + one
    return [
        DepartmentRow(code, names[code], counts[code], TILES.get(code, (8, 0)))
        for code in sorted(names, key=lambda c: fold_name(names[c]))
    ]


def total(rows: Iterable[DepartmentRow]) -> Count:
    return sum((r.count for r in rows), Count())


CSV_HEADER = (
    "codigo_departamento",
    "departamento",
    "entidades",
    "iniciadas",
    "enviadas_por_miembro",
    "sin_iniciar",
)


def as_csv(rows: Iterable[DepartmentRow]) -> str:
    """The table shown, as CSV (UTF-8 with BOM added by the caller for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        c = r.count
        writer.writerow((r.code, r.name, c.total, c.started, c.submitted, c.not_started))
    return out.getvalue()
