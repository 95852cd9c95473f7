"""Tickets: what routing, relaying staff replies and follow-up need (issue 7).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

- `ticket_sequences`: the last number given each year, so numbers (`CTI-2026-00042`) count per
  year and two creators never get the same one (an upsert on the year's row serialises them).
- `tickets.channel` / `tickets.address`: the conversation the request came from, where staff
  replies are relayed (personal data: erasing the contact blanks the address).
- `tickets.routed_message_id`: the Message-ID of the email sent to the mailbox, so a reply with
  `In-Reply-To`/`References` finds its ticket.
- `tickets.last_staff_reply_at`, `tickets.follow_up_at`: what the follow-up reminder needs.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "ticket_sequences",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_ticket_sequences")),
    )
    # Numbers already given (if any ticket predates this revision) are not handed out again.
    op.execute(
        """
        INSERT INTO ticket_sequences (year, last)
        SELECT CAST(substr(number, 5, 4) AS INTEGER), MAX(CAST(substr(number, 10, 5) AS INTEGER))
        FROM tickets
        WHERE number LIKE 'CTI-____-_____'
        GROUP BY CAST(substr(number, 5, 4) AS INTEGER)
        """
    )
    # Batch mode: SQLite cannot add a column with an index or alter constraints in place.
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=16), server_default="", nullable=False))
        batch.add_column(sa.Column("address", sa.String(length=320), server_default="", nullable=False))
        batch.add_column(sa.Column("routed_message_id", sa.String(length=255), nullable=True))
        batch.add_column(
            sa.Column("last_staff_reply_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("follow_up_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(
            batch.f("ix_tickets_routed_message_id"), ["routed_message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index(batch.f("ix_tickets_routed_message_id"))
        for column in ("follow_up_at", "last_staff_reply_at", "routed_message_id", "address"):
            batch.drop_column(column)
        batch.drop_column("channel")
    op.drop_table("ticket_sequences")
