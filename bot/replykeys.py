"""Reply keys: proof that a mail answers something we sent (after Discourse's and GitHub's
reply-by-email).

Every mail we send carries, in its Message-ID (and, with plus-addressing, in its Reply-To), a key
that only our secret can produce: an HMAC-SHA256 of the recipient's address (a conversation) or
of the ticket's number (a ticket's mail to MinTIC's mailbox). A reply brings the key back in
`In-Reply-To`/`References` (or in the address it is sent to); a mail whose From: matches the
address the key was made for came from someone who read our mail in that mailbox. A forged
From: alone carries no key, and the key cannot be guessed (160 bits) nor derived from another
address's key.

Keys need no storage: the same secret gives the same key after a restart and on every instance.
Rotating the secret (`CTI_MAIL_KEY_SECRET`, the old one in `CTI_MAIL_KEY_SECRET_PREVIOUS`)
keeps the replies to mail signed with the previous one working until that is dropped.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

MIN_SECRET_CHARS = 32
KEY_PREFIX = "k"  # a key inside a Message-ID or a plus-address: `.k<32 base32 characters>`
KEY_CHARS = 32
_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz234567")


def _normal(address: str) -> str:
    return address.strip().lower()


@dataclass(frozen=True, slots=True)
class ReplyKeys:
    """Makes keys with the current secret; accepts keys of the current or a previous one."""

    current: bytes
    previous: tuple[bytes, ...] = ()

    @classmethod
    def from_secrets(cls, current: str, previous: str | None = None) -> ReplyKeys:
        olds = tuple(s.strip().encode() for s in (previous or "").split(",") if s.strip())
        return cls(current.strip().encode(), olds)

    @classmethod
    def ephemeral(cls) -> ReplyKeys:
        """For a process that sends no mail (the email channel off): nothing signed with it
        ever leaves, so it need not survive a restart."""
        return cls(secrets.token_bytes(32))

    def _tag(self, secret: bytes, purpose: str, value: str) -> str:
        digest = hmac.new(secret, f"cti-reply-v1\0{purpose}\0{value}".encode(), hashlib.sha256)
        return base64.b32encode(digest.digest()[:20]).decode("ascii").lower()

    def for_address(self, address: str) -> str:
        return KEY_PREFIX + self._tag(self.current, "address", _normal(address))

    def for_ticket(self, number: str) -> str:
        return KEY_PREFIX + self._tag(self.current, "ticket", number.strip().upper())

    def _matches(self, key: str, purpose: str, value: str) -> bool:
        key = key.lower()
        if len(key) != KEY_CHARS + 1 or not key.startswith(KEY_PREFIX):
            return False
        found = False
        for secret in (self.current, *self.previous):
            # Every secret is tried, so the time taken does not tell which one matched.
            found |= hmac.compare_digest(key[1:], self._tag(secret, purpose, value))
        return found

    def address_matches(self, key: str, address: str) -> bool:
        return self._matches(key, "address", _normal(address))

    def ticket_matches(self, key: str, number: str) -> bool:
        return self._matches(key, "ticket", number.strip().upper())


def keys_in(values: Iterable[str], limit: int = 64) -> tuple[str, ...]:
    """Candidate keys inside Message-IDs and addresses (`<x.k…@d>`, `asistente+k…@d`): each
    dot- or plus-separated piece of a local part that has a key's shape. Linear in the input;
    at most `limit` candidates, so a mail with thousands of references costs nothing more."""
    found: list[str] = []
    for value in values:
        local = value.strip().strip("<>").rpartition("@")[0].lower()
        for piece in local.replace("+", ".").split("."):
            if (
                len(piece) == KEY_CHARS + 1
                and piece[0] == KEY_PREFIX
                and _ALPHABET.issuperset(piece[1:])
            ):
                found.append(piece)
                if len(found) >= limit:
                    return tuple(found)
    return tuple(found)


def with_key(message_id: str, key: str) -> str:
    """`<abc@d>` -> `<abc.k…@d>`: unchanged if it already carries a key."""
    local, _, domain = message_id.strip().strip("<>").rpartition("@")
    if keys_in([message_id], 1):
        return message_id
    return f"<{local}.{key}@{domain}>"
