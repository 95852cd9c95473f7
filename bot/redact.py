"""Personal data kept out of the logs (Ley 1581): addresses and numbers shown only in part."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")
_PHONE = re.compile(r"(?<!\w)(\+?\d[\d -]{6,}\d)(?!\w)")


def mask_email(address: str) -> str:
    """'ana.perez@pasto.gov.co' -> 'a***@pasto.gov.co': enough to tell mailboxes apart."""
    user, at, domain = address.partition("@")
    return f"{user[:1]}***@{domain}" if at else "***"


def redact(text: str) -> str:
    """Mask every email address and phone-like number in a free text."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _PHONE.sub(lambda m: m.group(1)[:2] + "***", text)
