"""Reply keys and Authentication-Results, pure: what proves a sender and what does not."""

from __future__ import annotations

import pytest

from bot.replykeys import ReplyKeys, keys_in, with_key
from channels.email.authentication import AuthPolicy, passes
from channels.email.compose import compose, sender

KEYS = ReplyKeys.from_secrets("s" * 40)
ANA = "ana.perez@pasto.gov.co"


def test_a_key_is_bound_to_its_address_and_survives_a_restart_and_a_rotation():
    key = KEYS.for_address(ANA)
    assert KEYS.address_matches(key, "Ana.Perez@Pasto.gov.co")
    assert not KEYS.address_matches(key, "tesorero@pasto.gov.co")
    assert ReplyKeys.from_secrets("s" * 40).for_address(ANA) == key  # no state: a restart
    rotated = ReplyKeys.from_secrets("n" * 40, "s" * 40)
    assert rotated.address_matches(key, ANA) and rotated.for_address(ANA) != key
    assert not ReplyKeys.from_secrets("n" * 40).address_matches(key, ANA)  # old one dropped
    assert not KEYS.address_matches(key[:-1] + ("a" if key[-1] != "a" else "b"), ANA)
    # A ticket's key is not an address's key, even for the same text.
    assert not KEYS.ticket_matches(key, ANA) and KEYS.for_ticket("CTI-2026-00001") != key


def test_keys_come_back_in_message_ids_and_plus_addresses():
    key = KEYS.for_address(ANA)
    keyed = with_key("<123.456@cti.test>", key)
    assert keyed == f"<123.456.{key}@cti.test>" and with_key(keyed, "kother") == keyed
    assert keys_in([keyed, f"asistente+{key}@cti.test", "<plain@x>"]) == (key, key)
    assert keys_in(["<x@y>"] * 10_000) == ()


def test_outgoing_mail_carries_the_recipients_key():
    from bot.contract import OutboundEmail

    email = OutboundEmail(ANA, "Asunto", "Texto", "<abc@cti.test>")
    message = compose(email, sender("asistente@cti.test", "Asistente"), _now(), KEYS)
    assert message["Message-ID"] == f"<abc.{KEYS.for_address(ANA)}@cti.test>"
    plus = compose(email, sender("asistente@cti.test", "A"), _now(), KEYS, plus_addressing=True)
    assert plus["Reply-To"] == f"asistente+{KEYS.for_address(ANA)}@cti.test"


def _now():
    from datetime import UTC, datetime

    return datetime(2026, 3, 2, tzinfo=UTC)


# Authentication-Results as real border servers write them (Gmail's, Exchange Online's).
GMAIL = (
    "mx.mintic.gov.co; dkim=pass header.i=@gmail.com header.s=20230601 header.b=AbCdEf12;"
    " spf=pass (google.com: domain of ana@gmail.com designates 209.85.220.41 as permitted"
    " sender) smtp.mailfrom=ana@gmail.com; dmarc=pass (p=NONE sp=QUARANTINE dis=NONE)"
    " header.from=gmail.com"
)
EXCHANGE = (
    "mx.mintic.gov.co; spf=pass (sender IP is 40.107.1.1) smtp.mailfrom=pasto.gov.co;"
    " dkim=pass (signature was verified) header.d=pasto.gov.co; dmarc=pass action=none"
    " header.from=pasto.gov.co;compauth=pass reason=100"
)
POLICY = AuthPolicy("mx.mintic.gov.co", "dmarc")


@pytest.mark.parametrize(
    ("headers", "domain", "policy", "ok"),
    [
        ([GMAIL], "gmail.com", POLICY, True),
        ([EXCHANGE], "pasto.gov.co", POLICY, True),
        ([EXCHANGE], "pasto.gov.co", AuthPolicy("mx.mintic.gov.co", "dkim"), True),
        ([GMAIL], "pasto.gov.co", POLICY, False),  # DMARC passed for another From: domain
        ([GMAIL.replace("mx.mintic.gov.co", "mx.evil.example")], "gmail.com", POLICY, False),
        ([], "gmail.com", POLICY, False),  # no header of ours: no proof
        (["mx.mintic.gov.co; dmarc=fail header.from=gmail.com", GMAIL], "gmail.com", POLICY, False),
        (
            ["mx.mintic.gov.co; dkim=pass header.d=co"],
            "x.co",
            AuthPolicy("mx.mintic.gov.co", "dkim"),
            False,
        ),
        (
            ["mx.mintic.gov.co; dkim=pass header.d=evil.example"],
            "pasto.gov.co",
            AuthPolicy("mx.mintic.gov.co", "dkim"),
            False,
        ),
        (["garbage;;; ="], "gmail.com", POLICY, False),
        ([], "gmail.com", AuthPolicy(), True),  # nothing required
    ],
)
def test_only_our_border_servers_topmost_verdict_counts(headers, domain, policy, ok):
    assert passes(policy, headers, domain) is ok
