"""Tickets: what routing, relaying staff replies and follow-up need (issue 7).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Placeholder: the tickets work fills it in.
"""

from __future__ import annotations

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
