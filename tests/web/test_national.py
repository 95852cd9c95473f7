"""The national progress view: counting, tiles, CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from bot.storage.api import AssessmentRecord, CycleAssessment
from bot.territory import Entity, Gazetteer
from bot.web import national

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def _assessment(entity: Entity, status: str, by_member: bool) -> CycleAssessment:
    record = AssessmentRecord(
        1,
        entity.code,
        2026,
        "q",
        "1",
        status,
        T0,
        T0 if status == "submitted" else None,  # type: ignore[arg-type]
        by_member,
    )
    return CycleAssessment(record, entity)


def test_every_department_has_its_own_tile(gazetteer: Gazetteer):
    codes = {code for code, _ in gazetteer.departments()}
    assert codes == set(national.TILES) == set(national.ABBR)
    assert len(codes) == 33
    assert len(set(national.TILES.values())) == 33  # no two on one tile
    assert len(set(national.ABBR.values())) == 33


def test_only_member_submissions_count_as_submitted(gazetteer: Gazetteer):
    pasto, tumaco, ipiales = (gazetteer.get(c) for c in ("52001", "52835", "52356"))
    assert pasto and tumaco and ipiales
    assessments = [
        _assessment(pasto, "submitted", True),
        _assessment(tumaco, "submitted", False),  # sent by someone nobody vouched for
        _assessment(ipiales, "in_progress", False),
    ]
    rows = national.statuses(gazetteer.entities, assessments, national.View("alcaldia"))
    narino = next(d for d in national.by_department(rows) if d.code == "52")
    assert (narino.count.started, narino.count.submitted) == (3, 1)
    assert narino.count.not_started == narino.count.total - 3
    assert narino.count.band == 0
    table = list(csv.reader(io.StringIO(national.as_csv([narino]))))
    assert table[0] == list(national.CSV_HEADER)
    assert table[1][:2] == ["52", "Nariño"] and table[1][3:5] == ["3", "1"]


def test_bands():
    assert [national.Count(10, 10, s).band for s in (0, 1, 2, 4, 6, 8, 10)] == [0, 0, 1, 2, 3, 4, 4]
    assert national.Count().share == 0.0
