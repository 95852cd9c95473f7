"""Assessments written through the real `Tx`, the way the conversation writes them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.scoring import Answer, score
from bot.storage.api import AssessmentRecord, Tx
from dialogues.questionnaire import Kind, Questionnaire


async def seed(
    tx: Tx,
    questionnaire: Questionnaire,
    entity_code: str,
    answers: Mapping[str, Answer],
    at: datetime,
    *,
    submitted: bool = False,
    cycle: int = 2026,
    contact_id: int | None = None,
) -> AssessmentRecord:
    """An assessment of the cycle with these answers, submitted or still in progress."""
    opened = await tx.open_assessment(
        entity_code, cycle, questionnaire.id, questionnaire.version, contact_id, at
    )
    for qid, answer in answers.items():
        await tx.save_answer(opened.id, qid, answer, contact_id, at)
    if submitted:
        await tx.set_assessment_status(opened.id, "submitted", contact_id, at)
    record = await tx.assessment(opened.id)
    assert record is not None
    return record


async def seed_submitted_with_snapshot(
    tx: Tx,
    questionnaire: Questionnaire,
    entity_code: str,
    kind: Kind,
    answers: Mapping[str, Answer],
    at: datetime,
    cycle: int = 2026,
) -> AssessmentRecord:
    """A submitted assessment whose results were shown (so its peers can see its snapshot)."""
    record = await seed(tx, questionnaire, entity_code, answers, at, submitted=True, cycle=cycle)
    await tx.save_score_snapshot(record, score(questionnaire, kind, answers), at)
    return record
