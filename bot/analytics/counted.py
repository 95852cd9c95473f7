"""Which submissions count for staff (`cti progress`, `cti export`) and for peers. Pure.

Only a member of the entity speaks for it (issue 15): a diagnosis submitted by anyone else is
shown as still in progress in every count and average, whatever its answers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from bot.storage.api import AssessmentRecord, CycleAssessment


def counts_as_submitted(assessment: AssessmentRecord) -> bool:
    return assessment.status == "submitted" and assessment.submitted_by_member


def as_counted(items: Iterable[CycleAssessment]) -> list[CycleAssessment]:
    """The assessments as the counts see them: a submission by a non-member is in progress."""
    out = []
    for item in items:
        a = item.assessment
        if a.status == "submitted" and not counts_as_submitted(a):
            unverified = dataclasses.replace(a, status="in_progress", submitted_at=None)
            item = dataclasses.replace(item, assessment=unverified)
        out.append(item)
    return out
