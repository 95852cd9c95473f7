"""The one policy for saving an answer (chat, email block, spreadsheet), as a table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.conversation.answers import judge
from bot.scoring import Answer
from bot.storage.api import StoredAnswer

ME, OTHER = 1, 2
A, B = Answer("option", option="a"), Answer("option", option="b")
T = datetime(2026, 3, 2, tzinfo=UTC)


def stored(answer: Answer, by: int | None) -> StoredAnswer:
    return StoredAnswer("Q", answer, by, T)


@pytest.mark.parametrize(
    ("submitted", "current", "given", "overwrite", "keep_same", "verdict"),
    [
        # A submitted diagnosis takes nothing, whoever answered and whatever is said.
        (True, None, A, False, False, "frozen"),
        (True, stored(A, OTHER), B, True, False, "frozen"),
        (True, stored(A, ME), A, False, False, "frozen"),
        # Nothing stored yet, or stored by this person, or by nobody known: saved.
        (False, None, A, False, False, "saved"),
        (False, stored(A, ME), B, False, False, "saved"),
        (False, stored(A, None), B, False, False, "saved"),
        # The same answer said again is recorded again (with who said it), even over another
        # official's; from a spreadsheet, which re-sends every cell, it changes nothing.
        (False, stored(A, ME), A, False, False, "saved"),
        (False, stored(A, OTHER), A, False, False, "saved"),
        (False, stored(A, ME), A, False, True, "unchanged"),
        (False, stored(A, OTHER), A, False, True, "unchanged"),
        (True, stored(A, ME), A, False, True, "frozen"),
        # Another official's answer is replaced only once confirmed.
        (False, stored(A, OTHER), B, False, False, "taken"),
        (False, stored(A, OTHER), B, True, False, "saved"),
        (False, stored(A, OTHER), Answer("dont_know"), False, False, "taken"),
    ],
)
def test_the_save_policy(submitted, current, given, overwrite, keep_same, verdict):
    assert judge(submitted, current, given, ME, overwrite=overwrite, keep_same=keep_same) == verdict
