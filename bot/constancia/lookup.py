"""Constancias read from the database: the one a submission earns, and what a code proves.

Only reads (and the row lock `Tx.assessment` takes): issuing stores nothing, since a code is an
HMAC over facts the assessment's history already holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.constancia.code import Facts, Keys, parse_code
from bot.constancia.facts import Status, facts_of, scores_at, standing, submissions
from bot.constancia.render import ConstanciaRenderer, ConstanciaView
from bot.scoring import InvalidAnswer, Scores
from bot.storage.api import AssessmentRecord, Tx
from bot.territory import Entity
from dialogues.questionnaire import Questionnaire

# The questionnaire an assessment was answered with, by (id, version); None if not loaded.
Questionnaires = Callable[[str, str], Questionnaire | None]
# The entity of a DANE code (the gazetteer's `get`).
Entities = Callable[[str], Entity | None]


@dataclass(frozen=True, slots=True)
class Context:
    """What reading a constancia needs besides the transaction."""

    keys: Keys
    questionnaires: Questionnaires
    entities: Entities
    renderer: ConstanciaRenderer
    zone: ZoneInfo


@dataclass(frozen=True, slots=True)
class Issued:
    facts: Facts
    scores: Scores
    view: ConstanciaView


@dataclass(frozen=True, slots=True)
class Unverifiable:
    """The code's assessment was answered with a questionnaire this installation lacks."""

    questionnaire_id: str
    version: str


@dataclass(frozen=True, slots=True)
class Verification:
    status: Status | Literal["invalid"]
    issued: Issued | None = None
    since: datetime | None = None  # local time of the later submission or of the reopening


async def _issued(
    tx: Tx, ctx: Context, assessment: AssessmentRecord, ordinal: int, at: datetime
) -> Issued | Unverifiable | None:
    questionnaire = ctx.questionnaires(
        assessment.questionnaire_id, assessment.questionnaire_version
    )
    if questionnaire is None:
        return Unverifiable(assessment.questionnaire_id, assessment.questionnaire_version)
    entity = ctx.entities(assessment.entity_code)
    if entity is None:
        return None
    try:
        scores = scores_at(questionnaire, entity.kind, await tx.answer_history(assessment.id), at)
    except InvalidAnswer:
        return None  # answers that do not fit the questionnaire: nothing we could have issued
    facts = facts_of(assessment, ordinal, at, scores)
    view = ctx.renderer.view(facts, ctx.keys.code(facts), scores, questionnaire, entity, ctx.zone)
    return Issued(facts, scores, view)


async def latest(tx: Tx, ctx: Context, assessment_id: int) -> Issued | Unverifiable | None:
    """The constancia of the assessment's current submission, if a member made it."""
    assessment = await tx.assessment(assessment_id)
    if assessment is None or assessment.status != "submitted":
        return None
    if not assessment.submitted_by_member:
        return None  # only a verified member's submission earns a constancia
    times = submissions(await tx.assessment_events(assessment_id))
    if not times:
        return None
    return await _issued(tx, ctx, assessment, len(times), times[-1])


async def of_entity(
    tx: Tx, ctx: Context, entity_code: str, cycle: int
) -> Issued | Unverifiable | None:
    found = [c.assessment for c in await tx.cycle_assessments(cycle)]
    mine = [a for a in found if a.entity_code == entity_code]
    return await latest(tx, ctx, mine[0].id) if mine else None


async def verify(tx: Tx, ctx: Context, text: str) -> Verification | Unverifiable:
    """What a typed code proves: valid, superseded, withdrawn (reopened), or invalid."""
    parsed = parse_code(text)
    if parsed is None:
        return Verification("invalid")
    assessment = await tx.assessment(parsed.assessment_id)
    if assessment is None:
        return Verification("invalid")
    events = await tx.assessment_events(assessment.id)
    where = standing(assessment, events, parsed.ordinal)
    if where is None:
        return Verification("invalid")
    at = submissions(events)[parsed.ordinal - 1]
    issued = await _issued(tx, ctx, assessment, parsed.ordinal, at)
    if isinstance(issued, Unverifiable):
        return issued
    if issued is None or not ctx.keys.matches(parsed, issued.facts):
        return Verification("invalid")
    since = where.since.astimezone(ctx.zone) if where.since else None
    return Verification(where.status, issued, since)
