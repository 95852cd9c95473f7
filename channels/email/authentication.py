"""Authentication-Results (RFC 8601): what our own border mail server says about a mail.

Only a header whose authserv-id is our border server's counts; the topmost such header is the
one our server added (RFC 8601 §5 asks it to remove look-alikes coming from outside, and the
README asks MinTIC's administrators to make sure it does). Headers are parsed by `authres`,
not by a pattern of ours.

    passes(policy, headers, from_domain) -> bool

`dmarc`: a `dmarc=pass` whose `header.from` is the From: domain. `dkim`: a `dkim=pass` whose
signing domain (`header.d`) is the From: domain or a parent of it (relaxed alignment, with at
least two labels so a bare top-level domain never aligns); or a DMARC pass, which implies it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import authres

log = logging.getLogger(__name__)

Require = Literal["dmarc", "dkim", "none"]
MAX_HEADERS = 20  # a mail passes a handful of servers; more is noise, read no further
MAX_HEADER_CHARS = 8192


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    authserv_id: str | None = None
    require: Require = "none"

    @property
    def enforced(self) -> bool:
        return self.require != "none" and bool(self.authserv_id)


NO_CHECK = AuthPolicy()


def _property(result: authres.AuthenticationResult, kind: str, name: str) -> str:
    for prop in result.properties:
        if prop.type == kind and prop.name == name:
            return str(prop.value or "").strip().lower()
    return ""


def _aligned(signer: str, domain: str) -> bool:
    if not signer or signer.count(".") < 1:
        return False
    return domain == signer or domain.endswith("." + signer)


def ours(policy: AuthPolicy, headers: Sequence[str]) -> list[authres.AuthenticationResult]:
    """The results of the topmost header our border server wrote; [] if none parses."""
    wanted = (policy.authserv_id or "").strip().lower()
    for value in headers[:MAX_HEADERS]:
        text = " ".join(str(value)[:MAX_HEADER_CHARS].split())
        try:
            parsed = authres.parse_value(text)
        except Exception:  # authres raises its own syntax errors; a bad header is no proof
            continue
        if str(parsed.authserv_id or "").strip().lower() == wanted:
            return list(parsed.results)
    return []


def passes(policy: AuthPolicy, headers: Sequence[str], from_domain: str) -> bool:
    """Whether the mail meets the policy (always true when nothing is required)."""
    if not policy.enforced:
        return True
    domain = from_domain.strip().lower()
    results = ours(policy, headers)
    for result in results:
        method, outcome = str(result.method).lower(), str(result.result).lower()
        if outcome != "pass":
            continue
        if method == "dmarc" and _property(result, "header", "from") == domain:
            return True
        if (
            method == "dkim"
            and policy.require == "dkim"
            and _aligned(_property(result, "header", "d"), domain)
        ):
            return True
    return False
