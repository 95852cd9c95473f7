"""One-time codes that prove control of a mailbox: six digits mailed to the address, typed
back in the conversation. Only a hash salted with the conversation is stored; a code expires
after `CODE_MINUTES` and allows `MAX_TRIES` attempts. Used to link a channel to a registration
and to confirm a new email address before it replaces the old one.

Codes go to one address at most `CODES_PER_HOUR` and `CODES_PER_DAY` times: retyping a victim's
address can neither bomb their mailbox nor buy more guesses."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.storage.api import Tx
from bot.storage.outbox import CODE, EMAIL_CODE

CODE_MINUTES = 15
MAX_TRIES = 5
CODES_PER_HOUR = 3
CODES_PER_DAY = 6
_CODE = re.compile(r"\b(\d{6})\b")

Verdict = Literal["right", "wrong", "locked", "expired"]


@dataclass(frozen=True)
class Issued:
    code: str  # goes in the mail only
    hash: str  # kept in the conversation's state
    expires: str  # ISO 8601, UTC


def code_hash(conversation_id: int | None, code: str) -> str:
    return hashlib.sha256(f"{conversation_id}:{code}".encode()).hexdigest()


def issue(conversation_id: int | None, now: datetime) -> Issued:
    code = f"{secrets.randbelow(10**6):06d}"
    expires = (now + timedelta(minutes=CODE_MINUTES)).isoformat()
    return Issued(code, code_hash(conversation_id, code), expires)


def typed_code(text: str) -> str | None:
    """The six digits in what the person wrote, if any."""
    found = _CODE.search(text)
    return found.group(1) if found else None


def judge(
    conversation_id: int | None,
    typed: str,
    stored_hash: str,
    expires: str,
    tries: int,
    now: datetime,
) -> tuple[Verdict, int]:
    """The verdict on a typed code and the tries used after it (a wrong one counts)."""
    if now > datetime.fromisoformat(expires):
        return "expired", tries
    if hmac.compare_digest(code_hash(conversation_id, typed), stored_hash):
        return "right", tries
    tries += 1
    return ("locked" if tries >= MAX_TRIES else "wrong"), tries


async def code_allowed(tx: Tx, address: str, now: datetime) -> bool:
    """Whether one more code may go to `address` now."""
    kinds = (CODE, EMAIL_CODE)
    if await tx.outbox_recent(address, now - timedelta(hours=1), kinds) >= CODES_PER_HOUR:
        return False
    return await tx.outbox_recent(address, now - timedelta(days=1), kinds) < CODES_PER_DAY
