"""How far the entities are with a cycle's diagnosis, by department and kind. Pure.

"Started" counts every entity with an assessment for the cycle, in progress or submitted (the
one includes the other); "submitted" only the submitted ones. The denominator is every
registrable entity, whether or not anybody from it ever wrote to the assistant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.storage.api import CycleAssessment
from bot.territory import Entity, EntityKind
from nlu.text import fold_name

KINDS: tuple[EntityKind, ...] = ("alcaldia", "gobernacion")


@dataclass(frozen=True, slots=True)
class Tally:
    total: int = 0
    started: int = 0
    submitted: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.total + other.total,
            self.started + other.started,
            self.submitted + other.submitted,
        )

    @property
    def in_progress(self) -> int:
        return self.started - self.submitted

    @property
    def not_started(self) -> int:
        return self.total - self.started


@dataclass(frozen=True, slots=True)
class DepartmentProgress:
    code: str
    name: str
    by_kind: dict[EntityKind, Tally]  # both kinds; Bogotá's gobernación tally has total 0


@dataclass(frozen=True, slots=True)
class Progress:
    cycle: int
    deadline: date | None  # only where MinTIC set one for the cycle (`assessment.deadlines`)
    today: date
    departments: tuple[DepartmentProgress, ...]  # alphabetical, accents ignored

    @property
    def days_left(self) -> int | None:
        """Days from today to the deadline: 0 on the day itself, negative once it passed;
        None without a deadline."""
        return None if self.deadline is None else (self.deadline - self.today).days

    def total(self, kind: EntityKind) -> Tally:
        return sum((d.by_kind[kind] for d in self.departments), Tally())


def tally(
    entities: Iterable[Entity],
    assessments: Sequence[CycleAssessment],
    cycle: int,
    deadline: date | None,
    today: date,
    department_code: str | None = None,
) -> Progress:
    """Counts per department and kind; only one department's when `department_code` is given.

    Assessments of other cycles are ignored, so a caller may pass more than one cycle's."""
    status = {
        a.entity.code: a.assessment.status for a in assessments if a.assessment.cycle == cycle
    }
    names: dict[str, str] = {}
    counts: dict[tuple[str, EntityKind], Tally] = {}
    for entity in entities:
        if department_code is not None and entity.department_code != department_code:
            continue
        names[entity.department_code] = entity.department_name
        key = (entity.department_code, entity.kind)
        state = status.get(entity.code)
        one = Tally(1, int(state is not None), int(state == "submitted"))
        counts[key] = counts.get(key, Tally()) + one
    departments = tuple(
        DepartmentProgress(code, names[code], {k: counts.get((code, k), Tally()) for k in KINDS})
        for code in sorted(names, key=lambda c: fold_name(names[c]))
    )
    return Progress(cycle, deadline, today, departments)
