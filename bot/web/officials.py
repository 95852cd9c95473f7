"""Staff deciding who acts for an entity, from the console.

The CLI's `cti officials approve|decline|revoke` (branch `staff`, bot/commands/officials.py) does
the same with its own notification to the official; at merge the two are to become one
implementation. Here: only the membership event with the staff member's address, nothing sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.storage.api import ContactRecord, MembershipKind, MemberStatus, Tx

Decision = Literal["approve", "decline", "revoke"]
KIND: dict[Decision, MembershipKind] = {
    "approve": "approved",
    "decline": "declined",
    "revoke": "revoked",
}
# From which statuses each decision may be taken.
ALLOWED_FROM: dict[Decision, tuple[MemberStatus, ...]] = {
    "approve": ("pending", "declined", "revoked"),
    "decline": ("pending",),
    "revoke": ("member",),
}


class NotAllowed(ValueError):
    """The decision does not apply to the official's current status."""


async def decide(
    tx: Tx, contact: ContactRecord, decision: Decision, staff_email: str, at: datetime
) -> ContactRecord:
    if contact.status not in ALLOWED_FROM[decision]:
        raise NotAllowed(contact.status)
    return await tx.record_membership(
        contact.id, KIND[decision], at, basis="staff", actor_staff=staff_email
    )
