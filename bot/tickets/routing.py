"""Where a ticket's email goes: the configured rules, first match wins, else the one mailbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.territory import Entity
from dialogues.parsing import fold


@dataclass(frozen=True, slots=True)
class Rule:
    """Matches when each given list contains the ticket's value (an empty list matches all).

    Topics are ids (`estrategia`, `cofinanciacion`, `dimension`…; `dimension` also matches
    `dimension:GOB` and `subdimension:…`); departments are DANE codes or names."""

    topics: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    mailbox: str | None = None  # None: the default mailbox
    cc: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Destination:
    to: str
    cc: tuple[str, ...] = ()


def _topic_matches(wanted: Sequence[str], topic: str) -> bool:
    if not wanted:
        return True
    base = topic.split(":", 1)[0]
    aliases = {topic, base, "dimension" if base == "subdimension" else base}
    return any(w.strip().lower() in aliases for w in wanted)


def _department_matches(wanted: Sequence[str], entity: Entity) -> bool:
    if not wanted:
        return True
    names = {entity.department_code, fold(entity.department_name)}
    return any(w.strip() in names or fold(w) in names for w in wanted)


def destination(
    rules: Sequence[Rule], mailbox: str, cc: Sequence[str], topic: str, entity: Entity
) -> Destination:
    """The first rule matching topic and department decides the mailbox and adds its Cc."""
    for rule in rules:
        if _topic_matches(rule.topics, topic) and _department_matches(rule.departments, entity):
            to = rule.mailbox or mailbox
            copies = tuple(dict.fromkeys(a for a in (*cc, *rule.cc) if a and a != to))
            return Destination(to, copies)
    return Destination(mailbox, tuple(a for a in cc if a and a != mailbox))
