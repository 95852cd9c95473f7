"""Reminders: each contact's preference and what was sent (issue 8, reminders).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

One row per contact that was reminded or chose about reminders (see
`bot.storage.models.ReminderScheduleRow`); erasing the contact erases it. No existing table
changes: contacts without a row get reminders, counted from their current activity.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_schedules",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unanswered", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_reminder_schedules_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_reminder_schedules")),
    )


def downgrade() -> None:
    op.drop_table("reminder_schedules")
