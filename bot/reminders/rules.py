"""Who is due for a reminder, and when: pure functions of a candidate, the policy and a time.

See `bot.reminders` for the rules in words.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from bot.contract import ConversationKey
from bot.storage.api import ReminderCandidate
from bot.workdays import WorkCalendar


@dataclass(frozen=True, slots=True)
class Policy:
    after_days: int = 5  # working days without activity
    max_count: int = 3  # reminders in a row the contact did not answer
    calendar: WorkCalendar = field(default_factory=WorkCalendar)


def own_activity(candidate: ReminderCandidate) -> datetime | None:
    """The contact's last message, on any channel (None: no conversation left)."""
    return max((at for _, at in candidate.conversations), default=None)


def unanswered(candidate: ReminderCandidate) -> int:
    """Reminders sent in a row that the contact has not written back after."""
    schedule = candidate.schedule
    own = own_activity(candidate)
    if schedule.last_sent_at is None or (own is not None and own > schedule.last_sent_at):
        return 0
    return schedule.unanswered


def quiet_since(candidate: ReminderCandidate) -> datetime:
    """The latest of the contact's messages, the entity's activity and the last reminder."""
    moments = [candidate.entity_activity, own_activity(candidate), candidate.schedule.last_sent_at]
    return max(m for m in moments if m is not None)


def due_at(policy: Policy, candidate: ReminderCandidate) -> datetime | None:
    """When the next reminder may go out (a working moment); None if none will."""
    if candidate.schedule.opted_out_at is not None:
        return None
    if unanswered(candidate) >= policy.max_count:
        return None
    calendar = policy.calendar
    return calendar.next_working_moment(
        calendar.add_working_days(quiet_since(candidate), policy.after_days)
    )


def is_working_moment(policy: Policy, now: datetime) -> bool:
    return policy.calendar.next_working_moment(now) == now


def is_due(policy: Policy, candidate: ReminderCandidate, now: datetime) -> bool:
    """Whether a reminder goes out at `now`: due by then, and `now` in working hours."""
    due = due_at(policy, candidate)
    return due is not None and due <= now and is_working_moment(policy, now)


def channel_for(candidate: ReminderCandidate, channels: Collection[str]) -> ConversationKey | None:
    """The contact's most recently active conversation on a channel that delivers notices."""
    usable = [(at, key) for key, at in candidate.conversations if key.channel in channels]
    if not usable:
        return None
    return max(usable, key=lambda pair: pair[0])[1]
