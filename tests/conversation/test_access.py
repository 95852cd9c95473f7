"""What a contact may do for their entity (bot.conversation.access), as a table: every status,
with and without members in the entity, against every action."""

from __future__ import annotations

import pytest

from bot.conversation.access import ACTIONS, allowed, standing

# status, entity has members -> the actions allowed (everything else is refused)
TABLE = [
    ("member", True, set(ACTIONS)),
    ("member", False, set(ACTIONS)),
    ("pending", True, set()),  # waits for a colleague's approval
    ("pending", False, {"answer"}),  # the first official: answers, «sin verificar»
    ("declined", True, set()),
    ("declined", False, set()),
    ("revoked", True, set()),
    ("revoked", False, set()),
]


@pytest.mark.parametrize(("status", "members", "expected"), TABLE)
def test_allowed(status, members, expected):
    assert {a for a in ACTIONS if allowed(status, members, a)} == expected


@pytest.mark.parametrize(
    ("status", "members", "where"),
    [
        ("member", False, "member"),
        ("pending", True, "waiting"),
        ("pending", False, "unverified"),
        ("declined", False, "declined"),
        ("revoked", True, "revoked"),
    ],
)
def test_standing(status, members, where):
    assert standing(status, members) == where
