"""Assessments written through the real `Tx`, the way the conversation writes them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.contract import ConversationKey
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
    by_member: bool = True,
) -> AssessmentRecord:
    """An assessment of the cycle with these answers, submitted or still in progress.

    Submitted by `contact_id` (made a member unless `by_member` is False), or by a member
    official of the entity made for it: only a member's submission counts for staff and peers."""
    opened = await tx.open_assessment(
        entity_code, cycle, questionnaire.id, questionnaire.version, contact_id, at
    )
    for qid, answer in answers.items():
        await tx.save_answer(opened.id, qid, answer, contact_id, at)
    if submitted:
        submitter = contact_id
        if by_member:
            submitter = submitter or await _official(tx, entity_code, at)
            await tx.record_membership(submitter, "joined", at, basis="roster")
        await tx.set_assessment_status(opened.id, "submitted", submitter, at)
    record = await tx.assessment(opened.id)
    assert record is not None
    return record


async def _official(tx: Tx, entity_code: str, at: datetime) -> int:
    """The entity's seeded official (one per entity, made once)."""
    key = ConversationKey("telegram", f"seed-{entity_code}")
    conversation = await tx.conversation(key, at)
    if conversation.contact_id is not None:
        return conversation.contact_id
    consent = await tx.record_consent(conversation.id, "habeas-data-v1", at)
    contact = await tx.create_contact(
        entity_code,
        "Funcionaria Sembrada",
        "Enlace TIC",
        f"enlace{entity_code}@sembrado.gov.co",
        consent,
        at,
    )
    await tx.save_conversation(conversation.id, {"step": "menu"}, contact.id, at)
    return contact.id


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
