"""Entity attributes MinTIC loads from its files (issue 17 item 7) and advisors assigned to
advisory requests on the staff console (issue 18).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

_CATEGORIES = "category IS NULL OR category IN ('especial', '1', '2', '3', '4', '5', '6')"


def upgrade() -> None:
    op.create_table(
        "entity_attributes",
        sa.Column("entity_code", sa.String(5), nullable=False),
        sa.Column("category", sa.String(8), nullable=True),
        sa.Column("pdet", sa.Boolean(), nullable=True),
        sa.Column("zomac", sa.Boolean(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_CATEGORIES, name=op.f("ck_entity_attributes_category")),
        sa.ForeignKeyConstraint(
            ["entity_code"],
            ["entities.code"],
            name=op.f("fk_entity_attributes_entity_code_entities"),
        ),
        sa.PrimaryKeyConstraint("entity_code", name=op.f("pk_entity_attributes")),
    )
    op.create_index(op.f("ix_entity_attributes_category"), "entity_attributes", ["category"])
    op.create_table(
        "ticket_assignments",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(320), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_assignments_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_accounts.id"],
            name=op.f("fk_ticket_assignments_account_id_staff_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_assignments")),
    )
    op.create_index(
        op.f("ix_ticket_assignments_account_id"), "ticket_assignments", ["account_id"]
    )


def downgrade() -> None:
    op.drop_table("ticket_assignments")
    op.drop_table("entity_attributes")
