"""Pure reading of what people and staff write about tickets.

Everything here reads mail from outside, so each function is linear in its input: lines are
split and looked at one by one, never matched by a pattern that may scan across lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.storage.api import TICKET_STATUSES
from dialogues.parsing import fold

TOPICS = ("estrategia", "diagnostico", "cofinanciacion", "dimension", "otro")

_TAG = re.compile(r"\bCTI-(\d{4})-(\d{5})\b", re.IGNORECASE)
_COMMAND = "#estado"
_STATUS_WORDS = {
    "recibido": "recibido",
    "en atencion": "en_atencion",
    "en_atencion": "en_atencion",
    "atencion": "en_atencion",
    "resuelto": "resuelto",
    "resuelta": "resuelto",
    "cerrado": "cerrado",
    "cerrada": "cerrado",
}
# Words that name a topic, checked in this order (folded text).
_TOPIC_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cofinanciacion", re.compile(r"cofinanc|financiaci|recursos|proyecto(s)? cofinanciable")),
    ("diagnostico", re.compile(r"diagnostic|resultado|puntaje|interpret|informe")),
    ("estrategia", re.compile(r"estrategi|formula|plan de (accion|transformacion)|hoja de ruta")),
)


def find_number(text: str) -> str | None:
    """'Re: [CTI-2026-00042] Solicitud…' -> 'CTI-2026-00042'."""
    found = _TAG.search(text)
    return f"CTI-{found.group(1)}-{found.group(2)}" if found else None


def numbers_in(values: Iterable[str]) -> list[str]:
    """Ticket numbers inside Message-IDs of ours (`<cti-2026-00042.routed@…>`)."""
    return [n for v in values if (n := find_number(v))]


def _command_value(line: str) -> str | None:
    """'  #Estado: en atención ' -> 'en atención'; None if the line is not a command."""
    stripped = line.strip()
    if stripped[: len(_COMMAND)].lower() != _COMMAND:
        return None
    value = stripped[len(_COMMAND) :].lstrip().removeprefix(":").strip()
    return value or None


def status_command(text: str) -> tuple[str | None, str]:
    """The status the last `#estado …` line sets (None if none or unknown), and the text
    without those lines (runs of blank lines made one): the contact sees the answer, not the
    command."""
    status = None
    kept: list[str] = []
    blank = 0
    for line in text.split("\n"):
        value = _command_value(line)
        if value is not None:
            status = parse_status(value) or status
            continue
        blank = blank + 1 if not line.strip() else 0
        if blank <= 1:
            kept.append(line.rstrip())
    return status, "\n".join(kept).strip()


def parse_status(word: str) -> str | None:
    """'en atención', 'EN_ATENCION' -> 'en_atencion'; None if not a status."""
    folded = fold(word).replace("_", " ").strip(" .,;:")
    status = _STATUS_WORDS.get(folded)
    assert status is None or status in TICKET_STATUSES
    return status


def guess_topic(text: str, dimensions: Sequence[tuple[str, str]]) -> str | None:
    """The topic a free-text request names, if any: a dimension by name ('dimension:ID'), or
    strategy, diagnosis, co-financing."""
    folded = fold(text)
    for dim_id, name in dimensions:
        if re.search(rf"\b{re.escape(fold(name))}\b", folded):
            return f"dimension:{dim_id}"
    for topic, pattern in _TOPIC_WORDS:
        if pattern.search(folded):
            return topic
    return None


def is_staff(address: str, domains: Sequence[str]) -> bool:
    """Whether the address is in one of the staff domains, exactly: a subdomain counts only
    when it is listed itself (anyone may name a host `soporte.mintic.gov.co.example`, and a
    forgotten subdomain of the Ministry should not speak for it)."""
    domain = address.rpartition("@")[2].strip().lower()
    return bool(domain) and domain in {d.strip().lower() for d in domains if d.strip()}
