"""A submission's facts and standing, recomputed from an assessment's history: pure functions.

The answers a constancia certifies are those in force when it was issued: the last value of
each question answered at or before the submission (the answer history keeps every value, and
nothing is ever deleted from it), so a constancia superseded after a reopening still verifies
against what it stated then.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.constancia.code import Facts
from bot.scoring import Answer, Scores, score
from bot.storage.api import AssessmentEvent, AssessmentRecord, StoredAnswer
from dialogues.questionnaire import Kind, Questionnaire

Status = Literal["valid", "superseded", "withdrawn"]


@dataclass(frozen=True, slots=True)
class Standing:
    status: Status
    since: datetime | None  # when it was superseded (the next submission) or withdrawn (reopened)


def submissions(events: Iterable[AssessmentEvent]) -> list[datetime]:
    """When the assessment was submitted, oldest first (events come in the order they happened)."""
    return [e.at for e in events if e.kind == "submitted"]


def answers_as_of(history: Iterable[StoredAnswer], at: datetime) -> dict[str, Answer]:
    """Each question's last value given at or before `at` (history in the order it was written)."""
    current: dict[str, Answer] = {}
    for item in history:
        if item.answered_at <= at:
            current[item.question_id] = item.answer
    return current


def facts_of(assessment: AssessmentRecord, ordinal: int, at: datetime, scores: Scores) -> Facts:
    return Facts(
        assessment_id=assessment.id,
        ordinal=ordinal,
        entity_code=assessment.entity_code,
        cycle=assessment.cycle,
        submitted_at=at,
        questionnaire_id=scores.questionnaire_id,
        version=scores.questionnaire_version,
        overall=scores.overall.value,
        dimensions=tuple((d.id, d.score.value) for d in scores.dimensions),
    )


def scores_at(
    questionnaire: Questionnaire, kind: Kind, history: Sequence[StoredAnswer], at: datetime
) -> Scores:
    """Raises bot.scoring.InvalidAnswer if the history does not fit this questionnaire."""
    return score(questionnaire, kind, answers_as_of(history, at))


def standing(
    assessment: AssessmentRecord, events: Sequence[AssessmentEvent], ordinal: int
) -> Standing | None:
    """Where the `ordinal`-th submission stands now; None if there was no such submission."""
    times = submissions(events)
    if not 1 <= ordinal <= len(times):
        return None
    if ordinal < len(times):
        return Standing("superseded", times[ordinal])
    if assessment.status == "submitted":
        return Standing("valid", None)
    submitted = times[-1]
    reopened = [e.at for e in events if e.kind == "reopened" and e.at >= submitted]
    return Standing("withdrawn", reopened[0] if reopened else None)
