"""The traceability check itself finds what it should (the end-to-end test relies on it)."""

from __future__ import annotations

from tests.privacy.trace import untraceable

MAILBOX = "buzon@mintic.gov.co"


def tables(revoked: object = None, recipient: str = "ana@x.co") -> dict:
    return {
        "consents": [{"id": 1, "revoked_at": revoked}, {"id": 2, "revoked_at": None}],
        "contacts": [{"id": 7, "consent_id": 1, "email": "ana@x.co"}],
        "conversations": [
            {"id": 3, "channel": "telegram", "address": "55", "contact_id": 7, "state": {}},
            {
                "id": 4,
                "channel": "email",
                "address": "b@y.co",
                "contact_id": None,
                "state": {"consent_id": 2},
            },
        ],
        "outbox": [
            {"id": 9, "channel": "email", "recipient": recipient},
            {"id": 10, "channel": "telegram", "recipient": "55"},
        ],
        "tickets": [{"number": "CTI-1", "contact_id": None, "contact_means": ""}],
    }


def test_everything_covered_by_a_consent_in_force_passes():
    assert untraceable(tables(), MAILBOX) == []
    assert untraceable(tables(recipient=MAILBOX), MAILBOX) == []
    assert untraceable(tables(recipient="b@y.co"), MAILBOX) == []


def test_a_revoked_consent_or_a_stray_address_is_reported():
    assert untraceable(tables(revoked="2026-01-01"), MAILBOX) == [
        "contact 7: consent 1 not in force",
        "conversation 3 (telegram): no consent in force",
    ]
    assert untraceable(tables(recipient="otro@z.co"), MAILBOX) == [
        "outbox 9 to an address nobody consented for"
    ]
