"""Every stored personal field traces back to a consent that is in force."""

from __future__ import annotations

from typing import Any

Tables = dict[str, list[dict[str, Any]]]


def untraceable(tables: Tables, mailbox: str) -> list[str]:
    """The rows holding personal data that no unrevoked consent covers (empty: all covered)."""
    live = {c["id"] for c in tables["consents"] if c["revoked_at"] is None}
    problems: list[str] = []
    contacts = {c["id"]: c for c in tables["contacts"]}
    for contact in contacts.values():
        if contact["consent_id"] not in live:
            problems.append(
                f"contact {contact['id']}: consent {contact['consent_id']} not in force"
            )
    addresses: dict[str, set[str]] = {"email": set(), "telegram": set(), "console": set()}
    for conv in tables["conversations"]:
        owner = contacts.get(conv["contact_id"])
        consent = owner["consent_id"] if owner else (conv["state"] or {}).get("consent_id")
        if consent not in live:
            problems.append(f"conversation {conv['id']} ({conv['channel']}): no consent in force")
        addresses.setdefault(conv["channel"], set()).add(conv["address"])
    addresses["email"] |= {c["email"] for c in contacts.values()}
    for row in tables["outbox"]:
        known = addresses.get(row["channel"], set()) | {mailbox, ""}
        if row["recipient"] not in known:
            problems.append(f"outbox {row['id']} to an address nobody consented for")
    for ticket in tables["tickets"]:
        if ticket["contact_means"] and ticket["contact_id"] not in contacts:
            problems.append(f"ticket {ticket['number']}: contact means without a contact")
    return problems
