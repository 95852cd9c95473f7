"""`Tx` methods for MinTIC staff (progress, exports) and for peer comparisons in reports.

Staff queries read a whole cycle at once (one statement each, not one per assessment), so an
export of every entity costs a few queries whatever the number of entities.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.scoring import Scores
from bot.storage import records
from bot.storage.api import AssessmentRecord, CycleAssessment, PeerScores, StoredAnswer
from bot.storage.base import TxBase, answers, assessments, entities, score_snapshots
from bot.territory import Entity, EntityKind


class AnalyticsTx(TxBase):
    async def entities(self) -> list[Entity]:
        rows = await self._run(select(entities).order_by(entities.c.code))
        return [records.entity(row) for row in rows]

    async def cycle_assessments(self, cycle: int) -> list[CycleAssessment]:
        # Entity columns are labelled so they cannot clash with the assessment's.
        entity_columns = [c.label(f"e_{c.name}") for c in entities.c]
        rows = await self._run(
            select(assessments, *entity_columns)
            .join(entities, entities.c.code == assessments.c.entity_code)
            .where(assessments.c.cycle == cycle)
            .order_by(entities.c.department_code, entities.c.code)
        )
        return [CycleAssessment(records.assessment(row), _entity(row)) for row in rows]

    async def cycle_answers(self, cycle: int) -> dict[int, dict[str, StoredAnswer]]:
        rows = await self._run(
            select(answers)
            .join(assessments, assessments.c.id == answers.c.assessment_id)
            .where(assessments.c.cycle == cycle)
            .order_by(answers.c.assessment_id, answers.c.question_id)
        )
        out: dict[int, dict[str, StoredAnswer]] = {}
        for row in rows:
            out.setdefault(row.assessment_id, {})[row.question_id] = records.stored_answer(row)
        return out

    async def save_score_snapshot(
        self, assessment: AssessmentRecord, scores: Scores, at: datetime
    ) -> None:
        if assessment.status != "submitted" or assessment.submitted_at is None:
            raise ValueError(f"assessment {assessment.id} is not submitted: no snapshot")
        values: dict[str, Any] = {
            "submitted_at": assessment.submitted_at,
            "questionnaire_id": scores.questionnaire_id,
            "questionnaire_version": scores.questionnaire_version,
            "overall": scores.overall.value,
            "dimensions": {d.id: d.score.value for d in scores.dimensions},
            "computed_at": at,
        }
        upsert = self._insert(score_snapshots).values(assessment_id=assessment.id, **values)
        await self._run(
            upsert.on_conflict_do_update(
                index_elements=[score_snapshots.c.assessment_id], set_=values
            )
        )

    async def peer_scores(
        self, cycle: int, kind: EntityKind, questionnaire_id: str, questionnaire_version: str
    ) -> list[PeerScores]:
        rows = await self._run(
            select(
                entities.c.code,
                entities.c.department_code,
                score_snapshots.c.overall,
                score_snapshots.c.dimensions,
            )
            .select_from(score_snapshots)
            .join(assessments, assessments.c.id == score_snapshots.c.assessment_id)
            .join(entities, entities.c.code == assessments.c.entity_code)
            .where(
                assessments.c.cycle == cycle,
                assessments.c.status == "submitted",
                # Only a member's submission speaks for the entity (issue 15): anyone else's
                # scores must not move the averages other entities see.
                assessments.c.submitted_by_member.is_(True),
                # A snapshot from before a reopening no longer describes the assessment.
                score_snapshots.c.submitted_at == assessments.c.submitted_at,
                entities.c.kind == kind,
                score_snapshots.c.questionnaire_id == questionnaire_id,
                score_snapshots.c.questionnaire_version == questionnaire_version,
            )
            .order_by(entities.c.code)
        )
        return [
            PeerScores(row.code, row.department_code, row.overall, dict(row.dimensions))
            for row in rows
        ]


def _entity(row: Any) -> Entity:
    return Entity(row.e_code, row.e_kind, row.e_name, row.e_department_code, row.e_department_name)
