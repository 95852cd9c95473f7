"""Verified officials: membership of contacts, roster, institutional domains, rate limits
(issue 15).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

Contacts registered before this revision keep their data but become `pending` with an
unverified address: none of them proved their mailbox or was vouched for, so none may act for
their entity until staff (`cti officials approve`) or the roster says so. Diagnoses submitted
before it do not count as submitted by a member.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

_STATUSES = "status IN ('pending', 'member', 'declined', 'revoked')"
_KINDS = "kind IN ('requested', 'joined', 'approved', 'declined', 'revoked')"


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(
            sa.Column("status", sa.String(16), server_default="pending", nullable=False)
        )
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint("status", _STATUSES)
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(
            sa.Column(
                "submitted_by_member", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    op.create_table(
        "membership_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("entity_code", sa.String(5), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("basis", sa.String(16), server_default="", nullable=False),
        sa.Column("actor_contact_id", sa.Integer(), nullable=True),
        sa.Column("actor_staff", sa.String(120), server_default="", nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_KINDS, name=op.f("ck_membership_events_kind")),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_membership_events_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_contact_id"],
            ["contacts.id"],
            name=op.f("fk_membership_events_actor_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entity_code"],
            ["entities.code"],
            name=op.f("fk_membership_events_entity_code_entities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_events")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_membership_events_contact_id"), "membership_events", ["contact_id"]
    )
    op.create_index(
        op.f("ix_membership_events_actor_contact_id"), "membership_events", ["actor_contact_id"]
    )
    op.create_index(
        "ix_membership_events_entity", "membership_events", ["entity_code", "kind", "at"]
    )
    op.create_table(
        "roster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_code", sa.String(5), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(200), server_default="", nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_code"], ["entities.code"], name=op.f("fk_roster_entity_code_entities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster")),
        sa.UniqueConstraint("entity_code", "email", name=op.f("uq_roster_entity_code_email")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_roster_entity_code"), "roster", ["entity_code"])
    op.create_index(op.f("ix_roster_email"), "roster", ["email"])
    op.create_table(
        "entity_domains",
        sa.Column("entity_code", sa.String(5), nullable=False),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_code"], ["entities.code"], name=op.f("fk_entity_domains_entity_code_entities")
        ),
        sa.PrimaryKeyConstraint("entity_code", "domain", name=op.f("pk_entity_domains")),
    )
    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_events")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_rate_events_key", "rate_events", ["kind", "key", "at"])


def downgrade() -> None:
    op.drop_table("rate_events")
    op.drop_table("entity_domains")
    op.drop_table("roster")
    op.drop_table("membership_events")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("submitted_by_member")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_constraint(op.f("ck_contacts_status"), type_="check")
        batch.drop_column("email_verified_at")
        batch.drop_column("status")
