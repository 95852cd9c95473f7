"""Who is due for a reminder and when: the pure rules, by table, on the 2026 calendar (San José
is Monday 23 March; Holy Thursday and Friday are 2 and 3 April)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.contract import ConversationKey
from bot.reminders import rules
from bot.storage.api import ReminderCandidate, ReminderSchedule

BOGOTA = ZoneInfo("America/Bogota")
POLICY = rules.Policy(after_days=5, max_count=3)
TELEGRAM = ConversationKey("telegram", "1001")
EMAIL = ConversationKey("email", "ana@pasto.gov.co")
CONSOLE = ConversationKey("console", "local")


def bogota(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BOGOTA).astimezone(UTC)


def candidate(
    own: datetime | None,
    entity: datetime,
    *,
    sent: datetime | None = None,
    unanswered: int = 0,
    opted_out: datetime | None = None,
    conversations: tuple[tuple[ConversationKey, datetime], ...] | None = None,
) -> ReminderCandidate:
    if conversations is None:
        conversations = ((TELEGRAM, own),) if own else ()
    return ReminderCandidate(
        contact_id=7,
        entity_code="52001",
        assessment_id=3,
        dimensions=(),
        conversations=conversations,
        entity_activity=entity,
        schedule=ReminderSchedule(
            7,
            opted_out_at=opted_out,
            sent_count=unanswered,
            unanswered=unanswered,
            last_sent_at=sent,
        ),
    )


START = bogota(3, 2, 9)  # the assessment's start, before everything below


@pytest.mark.parametrize(
    "case,expected",
    [
        # Quiet since Friday 13 March 10:00: five working days later, same time.
        (candidate(bogota(3, 13, 10), START), bogota(3, 20, 10)),
        # A colleague's answer on Tuesday 17 is later activity: Wednesday 25 (San José skipped).
        (candidate(bogota(3, 13, 10), bogota(3, 17, 10)), bogota(3, 25, 10)),
        # Quiet since Friday 13 at 18:00: due after hours on Friday 20, so Tuesday 24 at 8:00.
        (candidate(bogota(3, 13, 18), START), bogota(3, 24, 8)),
        # Before opening time: the same day at 8:00.
        (candidate(bogota(3, 13, 6, 30), START), bogota(3, 20, 8)),
        # Holy Week: Thursday 26 March + 5 -> Monday 6 April.
        (candidate(bogota(3, 26, 9), START), bogota(4, 6, 9)),
        # After a reminder (Friday 20 at 10:00, unanswered), the next one five working days
        # later: Monday 30 (San José on the 23rd).
        (
            candidate(bogota(3, 13, 10), START, sent=bogota(3, 20, 10), unanswered=1),
            bogota(3, 30, 10),
        ),
        # The third unanswered reminder was the last one...
        (candidate(bogota(3, 13, 10), START, sent=bogota(3, 27, 10), unanswered=3), None),
        # ...even while colleagues keep answering (their activity does not reset the count)...
        (
            candidate(bogota(3, 13, 10), bogota(4, 8, 10), sent=bogota(3, 27, 10), unanswered=3),
            None,
        ),
        # ...until the contact writes again: a new run, counted from that message.
        (
            candidate(bogota(4, 8, 11), START, sent=bogota(3, 27, 10), unanswered=3),
            bogota(4, 15, 11),
        ),
        # Opted out: never.
        (candidate(bogota(3, 13, 10), START, opted_out=bogota(3, 14, 10)), None),
        # No conversation left (only the entity's activity): counted from that.
        (candidate(None, bogota(3, 13, 10)), bogota(3, 20, 10)),
    ],
)
def test_when_the_next_reminder_is_due(case: ReminderCandidate, expected: datetime | None):
    assert rules.due_at(POLICY, case) == expected


def test_the_count_in_a_row_restarts_only_when_the_contact_writes():
    sent = bogota(3, 20, 10)
    assert rules.unanswered(candidate(bogota(3, 13, 10), START, sent=sent, unanswered=2)) == 2
    assert rules.unanswered(candidate(bogota(3, 20, 11), START, sent=sent, unanswered=2)) == 0
    colleague = candidate(bogota(3, 13, 10), bogota(3, 25, 9), sent=sent, unanswered=2)
    assert rules.unanswered(colleague) == 2
    assert rules.unanswered(candidate(bogota(3, 13, 10), START)) == 0


@pytest.mark.parametrize(
    "now,due",
    [
        (bogota(3, 20, 9, 59), False),  # not yet
        (bogota(3, 20, 10), True),
        (bogota(3, 20, 16, 59), True),
        (bogota(3, 20, 17), False),  # closed: the rest of the day waits
        (bogota(3, 21, 10), False),  # Saturday
        (bogota(3, 23, 10), False),  # San José
        (bogota(3, 24, 7, 59), False),
        (bogota(3, 24, 8), True),  # overdue since Friday: goes out at opening time
    ],
)
def test_reminders_go_out_only_in_working_hours(now: datetime, due: bool):
    assert rules.is_due(POLICY, candidate(bogota(3, 13, 10), START), now) is due


def test_a_longer_quiet_period_and_fewer_reminders_are_configurable():
    policy = rules.Policy(after_days=10, max_count=1)
    assert rules.due_at(policy, candidate(bogota(3, 13, 10), START)) == bogota(3, 30, 10)
    once = candidate(bogota(3, 13, 10), START, sent=bogota(3, 30, 10), unanswered=1)
    assert rules.due_at(policy, once) is None


def test_the_reminder_goes_to_the_latest_conversation_that_can_deliver_it():
    talks = (
        (EMAIL, bogota(3, 10, 9)),
        (TELEGRAM, bogota(3, 12, 9)),
        (CONSOLE, bogota(3, 13, 9)),  # the latest, but nobody delivers there
    )
    case = candidate(None, START, conversations=talks)
    assert rules.channel_for(case, {"telegram", "email"}) == TELEGRAM
    assert rules.channel_for(case, {"email"}) == EMAIL
    assert rules.channel_for(case, set()) is None
    console_only = candidate(None, START, conversations=((CONSOLE, bogota(3, 13, 9)),))
    assert rules.channel_for(console_only, {"telegram", "email"}) is None
    # Any channel's message is the contact's activity, the console's too.
    assert rules.own_activity(case) == bogota(3, 13, 9)
