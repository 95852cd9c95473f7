"""Score snapshots of submitted assessments, for peer comparisons in reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

One row per assessment (see `bot.storage.models.ScoreSnapshotRow`); no existing table changes.
Assessments submitted before this revision get their row the next time their results are shown.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.create_table(
        "score_snapshots",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=64), nullable=False),
        sa.Column("questionnaire_version", sa.String(length=32), nullable=False),
        sa.Column("overall", sa.Float(), nullable=True),
        sa.Column("dimensions", json, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"],
            name=op.f("fk_score_snapshots_assessment_id_assessments"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_score_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("score_snapshots")
