"""Numbers and verification codes of constancias: pure functions, no I/O.

A code reads `42-1-7K3Q-X9PW-D2MA-4FHT`: the assessment id, which submission of it (1 for the
first, 2 after a reopening and a new submission) and 80 bits of an HMAC-SHA256, in Crockford's
base32 (no I, L, O or U; read aloud and typed without confusion), over every fact the constancia
states. The id and the ordinal only say where to look; the MAC proves we issued it for those
facts, so a changed fact or another secret no longer verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

MIN_SECRET_CHARS = 32
MAC_CHARS = 16  # 80 bits: out of reach of guessing, short enough to type
MAX_CODE_CHARS = 64  # longer input is refused before any parsing
_DOMAIN = b"cti-constancia-v1"  # a MAC made for something else never matches one of ours
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s-]+")


@dataclass(frozen=True, slots=True)
class Facts:
    """What one constancia states about one submission."""

    assessment_id: int
    ordinal: int  # the assessment's n-th submission, from 1
    entity_code: str
    cycle: int
    submitted_at: datetime  # aware; the code keeps it to the second
    questionnaire_id: str
    version: str
    overall: float | None
    dimensions: tuple[tuple[str, float | None], ...]  # (dimension id, score), in order


@dataclass(frozen=True, slots=True)
class ParsedCode:
    assessment_id: int
    ordinal: int
    mac: str  # MAC_CHARS characters of _ALPHABET


def number(cycle: int, assessment_id: int, ordinal: int) -> str:
    """'CTI-2026-000042', then 'CTI-2026-000042-2' for the second submission. Six digits keep
    it apart from ticket numbers (`CTI-2026-00042`, five), which inbound mail is matched on."""
    base = f"CTI-{cycle}-{assessment_id:06d}"
    return base if ordinal == 1 else f"{base}-{ordinal}"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def message(facts: Facts) -> bytes:
    """The canonical bytes the MAC covers: one fact per line, none of which can hold a newline
    (codes, ids and versions come from our own data, validated at load)."""
    when = facts.submitted_at.astimezone(UTC).replace(microsecond=0).isoformat()
    lines = [
        _DOMAIN.decode(),
        str(facts.assessment_id),
        str(facts.ordinal),
        facts.entity_code,
        str(facts.cycle),
        when,
        facts.questionnaire_id,
        facts.version,
        _score(facts.overall),
        *(f"{dim}={_score(value)}" for dim, value in facts.dimensions),
    ]
    return "\n".join(lines).encode("utf-8")


def _base32(digest: bytes) -> str:
    bits = int.from_bytes(digest[:10], "big")  # 80 bits = 16 characters of 5 bits
    return "".join(_ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(MAC_CHARS)))


def mac(facts: Facts, secret: bytes) -> str:
    return _base32(hmac.new(secret, message(facts), hashlib.sha256).digest())


def code(facts: Facts, secret: bytes) -> str:
    m = mac(facts, secret)
    groups = "-".join(m[i : i + 4] for i in range(0, MAC_CHARS, 4))
    return f"{facts.assessment_id}-{facts.ordinal}-{groups}"


def parse_code(text: str) -> ParsedCode | None:
    """A code as a person types it (any case, spaces or hyphens between groups, O for 0, I or L
    for 1); None if it cannot be one. Bounded input, one split and no backtracking: linear."""
    if len(text) > MAX_CODE_CHARS:
        return None
    parts = [p for p in _SEPARATORS.split(text.upper().translate(_CONFUSABLE)) if p]
    if len(parts) < 3 or not (parts[0].isascii() and parts[1].isascii()):
        return None
    if not (parts[0].isdigit() and parts[1].isdigit()) or len(parts[0]) > 12:
        return None
    mac_part = "".join(parts[2:])
    if len(mac_part) != MAC_CHARS or any(c not in _ALPHABET for c in mac_part):
        return None
    assessment_id, ordinal = int(parts[0]), int(parts[1])
    if assessment_id < 1 or ordinal < 1:
        return None
    return ParsedCode(assessment_id, ordinal, mac_part)


@dataclass(frozen=True, slots=True)
class Keys:
    """The secret that signs new codes and, after a rotation, the previous one still accepted."""

    current: bytes
    previous: tuple[bytes, ...] = ()

    @classmethod
    def from_secrets(cls, current: str, previous: str | None = None) -> Keys:
        if len(current.strip()) < MIN_SECRET_CHARS:
            raise ValueError(f"the constancia secret needs at least {MIN_SECRET_CHARS} characters")
        old = (previous or "").strip()
        return cls(current.strip().encode(), (old.encode(),) if old else ())

    def code(self, facts: Facts) -> str:
        return code(facts, self.current)

    def matches(self, parsed: ParsedCode, facts: Facts) -> bool:
        """Whether the code was issued, under any accepted secret, for exactly these facts."""
        if (parsed.assessment_id, parsed.ordinal) != (facts.assessment_id, facts.ordinal):
            return False
        secrets: Sequence[bytes] = (self.current, *self.previous)
        # Every secret is tried (no early exit), each compared in constant time.
        results = [hmac.compare_digest(parsed.mac, mac(facts, s)) for s in secrets]
        return any(results)
