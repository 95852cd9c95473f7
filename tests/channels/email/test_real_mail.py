"""Real clients' mail (`fixtures/real/`) through the email channel's inbound parsing: each is
read as the text its author typed, or refused as a robot."""

from __future__ import annotations

import pytest

from channels.email.inbound import read
from tests.channels.email.real import expected, outcome, same

# Russian attribution and header lines: not a language officials write in (README).
RUSSIAN = {"talon/android.eml", "talon/windows_mail.html"}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="Russian headers"))
        if n in RUSSIAN
        else n
        for n in expected()
    ],
)
def test_real_mail_is_read_as_its_author_wrote_it(name: str) -> None:
    got = outcome(read, name)
    assert same(got, expected()[name]), got
