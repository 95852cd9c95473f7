"""Password hashing for staff accounts (argon2id through argon2-cffi, its maintained binding)."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256  # hashing cost grows with the input: refuse novels before hashing

_HASHER = PasswordHasher()  # argon2id with the library's current RFC 9106 "low memory" profile


# Checked when an address has no account, so a wrong email costs as much as a wrong password
# and the response time does not tell which accounts exist.
@functools.cache
def _dummy() -> str:
    return _HASHER.hash("cuenta inexistente")


class WeakPassword(ValueError):
    """A password the console refuses to store (too short or too long)."""


def check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise WeakPassword(f"la contraseña debe tener al menos {MIN_PASSWORD_CHARS} caracteres")
    if len(password) > MAX_PASSWORD_CHARS:
        raise WeakPassword(f"la contraseña no puede pasar de {MAX_PASSWORD_CHARS} caracteres")


def hash_password(password: str) -> str:
    check_strength(password)
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if `password` matches; a missing account (None) is checked against a dummy hash."""
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        return _HASHER.verify(stored_hash or _dummy(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)
