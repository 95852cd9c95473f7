"""`Tx` methods about assessments, answers, their history and status events."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select, update

from bot.scoring import Answer
from bot.storage import records
from bot.storage.api import AssessmentEvent, AssessmentRecord, AssessmentStatus, StoredAnswer
from bot.storage.base import (
    TxBase,
    answer_history,
    answers,
    assessment_events,
    assessments,
    contacts,
)

_EVENT_OF_STATUS = {"submitted": "submitted", "in_progress": "reopened"}


def _answer_columns(answer: Answer) -> dict[str, Any]:
    if answer.kind == "figure" and (answer.value is None or not math.isfinite(answer.value)):
        raise ValueError(f"a figure answer needs a finite value, not {answer.value!r}")
    if answer.kind == "option" and not answer.option:
        raise ValueError("an option answer needs an option id")
    option = answer.option if answer.kind == "option" else None
    figure = answer.value if answer.kind == "figure" else None
    return {"kind": answer.kind, "option": option, "figure": figure}


def _locked(stmt: Select[Any]) -> Select[Any]:
    # FOR NO KEY UPDATE: excludes other writers of the assessment without blocking the
    # foreign-key checks of rows that reference it.
    return stmt.with_for_update(key_share=True)


class AssessmentsTx(TxBase):
    async def open_assessment(
        self,
        entity_code: str,
        cycle: int,
        questionnaire_id: str,
        questionnaire_version: str,
        contact_id: int | None,
        at: datetime,
    ) -> AssessmentRecord:
        """The existing assessment is returned as it is, whatever its questionnaire version;
        a new one records a "started" event. The row stays locked until the transaction ends."""
        locked = _locked(
            select(assessments).where(
                assessments.c.entity_code == entity_code, assessments.c.cycle == cycle
            )
        )
        row = await self._one(locked)
        if row is None:
            new = self._insert(assessments).values(
                entity_code=entity_code,
                cycle=cycle,
                questionnaire_id=questionnaire_id,
                questionnaire_version=questionnaire_version,
                status="in_progress",
                started_at=at,
            )
            created = await self._run(new.on_conflict_do_nothing().returning(assessments.c.id))
            new_id = created.scalar_one_or_none()
            if new_id is not None:
                await self._event(new_id, "started", contact_id, at)
            row = (await self._run(locked)).one()
        return records.assessment(row)

    async def find_assessment(self, entity_code: str, cycle: int) -> AssessmentRecord | None:
        row = await self._one(
            select(assessments).where(
                assessments.c.entity_code == entity_code, assessments.c.cycle == cycle
            )
        )
        return records.assessment(row) if row else None

    async def set_questionnaire(
        self, assessment_id: int, questionnaire_id: str, questionnaire_version: str
    ) -> None:
        await self._run(
            update(assessments)
            .where(assessments.c.id == assessment_id)
            .values(questionnaire_id=questionnaire_id, questionnaire_version=questionnaire_version)
        )

    async def drop_answer(self, assessment_id: int, question_id: str) -> None:
        await self._run(
            delete(answers).where(
                answers.c.assessment_id == assessment_id, answers.c.question_id == question_id
            )
        )

    async def assessment(self, assessment_id: int) -> AssessmentRecord | None:
        """Locks the row until the transaction ends, like `open_assessment`."""
        row = await self._one(_locked(select(assessments).where(assessments.c.id == assessment_id)))
        return records.assessment(row) if row else None

    async def answers(self, assessment_id: int) -> dict[str, StoredAnswer]:
        rows = await self._run(
            select(answers)
            .where(answers.c.assessment_id == assessment_id)
            .order_by(answers.c.question_id)
        )
        return {row.question_id: records.stored_answer(row) for row in rows}

    async def save_answer(
        self,
        assessment_id: int,
        question_id: str,
        answer: Answer,
        contact_id: int | None,
        at: datetime,
    ) -> None:
        values = {**_answer_columns(answer), "contact_id": contact_id, "answered_at": at}
        upsert = self._insert(answers).values(
            assessment_id=assessment_id, question_id=question_id, **values
        )
        # Upsert first: its row lock orders concurrent writers of one question, so the history
        # ids below come in the same order as the current values.
        await self._run(
            upsert.on_conflict_do_update(
                index_elements=[answers.c.assessment_id, answers.c.question_id], set_=values
            )
        )
        await self._run(
            self._insert(answer_history).values(
                assessment_id=assessment_id, question_id=question_id, **values
            )
        )

    async def answer_history(
        self, assessment_id: int, question_id: str | None = None
    ) -> list[StoredAnswer]:
        stmt = select(answer_history).where(answer_history.c.assessment_id == assessment_id)
        if question_id is not None:
            stmt = stmt.where(answer_history.c.question_id == question_id)
        rows = await self._run(stmt.order_by(answer_history.c.id))
        return [records.stored_answer(row) for row in rows]

    async def set_assessment_status(
        self,
        assessment_id: int,
        status: AssessmentStatus,
        contact_id: int | None,
        at: datetime,
        note: str = "",
    ) -> None:
        """Setting the status it already has changes nothing and records no event; raises
        LookupError for an unknown assessment."""
        if status not in _EVENT_OF_STATUS:
            raise ValueError(f"unknown assessment status {status!r}")
        current = await self.assessment(assessment_id)
        if current is None:
            raise LookupError(f"no assessment {assessment_id}")
        if current.status == status:
            return
        by_member = False
        if status == "submitted" and contact_id is not None:
            submitter = await self._one(
                select(contacts.c.status).where(contacts.c.id == contact_id)
            )
            by_member = submitter is not None and submitter.status == "member"
        await self._run(
            update(assessments)
            .where(assessments.c.id == assessment_id)
            .values(
                status=status,
                submitted_at=at if status == "submitted" else None,
                submitted_by_member=by_member,
            )
        )
        await self._event(assessment_id, _EVENT_OF_STATUS[status], contact_id, at, note)

    async def assessment_events(self, assessment_id: int) -> list[AssessmentEvent]:
        rows = await self._run(
            select(assessment_events)
            .where(assessment_events.c.assessment_id == assessment_id)
            .order_by(assessment_events.c.id)
        )
        return [records.event(row) for row in rows]

    async def _event(
        self, assessment_id: int, kind: str, contact_id: int | None, at: datetime, note: str = ""
    ) -> None:
        await self._run(
            self._insert(assessment_events).values(
                assessment_id=assessment_id, kind=kind, contact_id=contact_id, at=at, note=note
            )
        )
