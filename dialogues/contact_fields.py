"""The contact's own fields (name, role, email): one validation for registering and correcting.

Pure functions: each returns the value to store, or None when the text is not one.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

_NAME = re.compile(r"[^\W\d_]+(?:[ '.-][^\W\d_]+)*")
_LETTER = re.compile(r"[^\W\d_]")
MAX_FIELD = 120


def clean_name(text: str) -> str | None:
    """'  María   Fernanda Rojas ' -> 'María Fernanda Rojas'; None unless letters and separators."""
    name = " ".join(text.split())
    return name if 3 <= len(name) <= MAX_FIELD and _NAME.fullmatch(name) else None


def clean_role(text: str) -> str | None:
    """A job title in a few words, with at least one letter."""
    role = " ".join(text.split())
    return role if 2 <= len(role) <= MAX_FIELD and _LETTER.search(role) else None


def clean_email(text: str) -> str | None:
    """The normalised address (domain lower-cased), or None if it is not one."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None
