"""Rows to the contract's records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from bot.contract import ConversationKey
from bot.scoring import Answer
from bot.storage.api import (
    AssessmentEvent,
    AssessmentRecord,
    ConsentRecord,
    ContactRecord,
    ConversationRecord,
    StoredAnswer,
)
from bot.territory import Entity


def entity(row: Row[Any]) -> Entity:
    return Entity(row.code, row.kind, row.name, row.department_code, row.department_name)


def consent(row: Row[Any]) -> ConsentRecord:
    return ConsentRecord(row.id, row.text_version, row.granted_at, row.revoked_at)


def contact(row: Row[Any]) -> ContactRecord:
    return ContactRecord(
        id=row.id,
        entity_code=row.entity_code,
        name=row.name,
        role=row.role,
        email=row.email,
        consent_id=row.consent_id,
        created_at=row.created_at,
        dimensions=tuple(row.dimensions),
        status=row.status,
        email_verified_at=row.email_verified_at,
    )


def conversation(row: Row[Any]) -> ConversationRecord:
    return ConversationRecord(
        id=row.id,
        key=ConversationKey(row.channel, row.address),
        contact_id=row.contact_id,
        state=row.state,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def assessment(row: Row[Any]) -> AssessmentRecord:
    return AssessmentRecord(
        id=row.id,
        entity_code=row.entity_code,
        cycle=row.cycle,
        questionnaire_id=row.questionnaire_id,
        questionnaire_version=row.questionnaire_version,
        status=row.status,
        started_at=row.started_at,
        submitted_at=row.submitted_at,
        submitted_by_member=bool(row.submitted_by_member),
    )


def answer(row: Row[Any]) -> Answer:
    match row.kind:
        case "option":
            return Answer("option", option=row.option)
        case "figure":
            return Answer("figure", value=float(row.figure))
        case _:
            return Answer(row.kind)


def stored_answer(row: Row[Any]) -> StoredAnswer:
    return StoredAnswer(row.question_id, answer(row), row.contact_id, row.answered_at)


def event(row: Row[Any]) -> AssessmentEvent:
    return AssessmentEvent(row.kind, row.contact_id, row.at, row.note)
