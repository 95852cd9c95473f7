"""The database step of showing results in a conversation: snapshot, then compare with peers."""

from __future__ import annotations

from datetime import datetime

from bot.analytics.peers import PeerComparison, compare
from bot.scoring import Scores
from bot.storage.api import AssessmentRecord, Tx
from bot.territory import Entity


async def peer_comparison(
    tx: Tx, assessment: AssessmentRecord, entity: Entity, scores: Scores, at: datetime
) -> PeerComparison | None:
    """Keep a submitted assessment's scores for its peers' reports, then compare it with them.

    Runs inside the turn's transaction, so the snapshot and the submission commit together: an
    assessment never counts as submitted for its peers without its scores, nor the reverse."""
    if assessment.status == "submitted":
        await tx.save_score_snapshot(assessment, scores, at)
    peers = await tx.peer_scores(
        assessment.cycle, entity.kind, scores.questionnaire_id, scores.questionnaire_version
    )
    return compare(entity, assessment.cycle, peers, [d.id for d in scores.dimensions])
