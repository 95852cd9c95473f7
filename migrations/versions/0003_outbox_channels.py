"""The outbox carries notices for every channel, not only composed emails.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

`channel` says whose worker delivers the row (existing rows are emails); `parts` holds a
notice's replies, which the channel renders itself (see `bot.contract.Notice`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=16), server_default="email", nullable=False)
        )
        batch.add_column(sa.Column("parts", json, nullable=True))
        batch.create_index(
            op.f("ix_outbox_channel_due"), ["channel", "status", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(op.f("ix_outbox_channel_due"))
        batch.drop_column("parts")
        batch.drop_column("channel")
