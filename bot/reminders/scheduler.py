"""The reminder service of `cti run`: every few minutes, queue the reminders that are due.

Nothing is kept in memory: what is due is computed from the database each time, so a restart
loses nothing and a reminder that fell due while the process was down goes out once, at the
first check in working hours. Each reminder is decided and queued in one transaction of its own
that holds the contact (see `bot.storage.reminders`): it is written to the outbox together with
the count that prevents a second one, and its notice id (`<reminder-{contact}-{n}@domain>`) is
fixed by that count, so even a scheduler racing on a stale count cannot queue it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from bot.contract import TRAITS, ChannelName, ChannelTraits, ConversationKey, Notice
from bot.periodic import every
from bot.reminders import rules
from bot.reminders.message import Situation, compose
from bot.storage.api import ReminderCandidate, StorageError, Store, Tx
from bot.storage.reminders import REMINDER_KIND
from bot.territory import Gazetteer
from dialogues.messages import Catalog
from dialogues.questionnaire import Questionnaires

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Texts:
    """What the reminder's text is made from."""

    catalog: Catalog
    questionnaires: Questionnaires  # a reminder speaks of its assessment's own version
    gazetteer: Gazetteer
    deadline_of: Callable[[int], date | None]  # the cycle's deadline, if MinTIC set one
    traits: Mapping[ChannelName, ChannelTraits] = field(default_factory=lambda: dict(TRAITS))


class ReminderScheduler:
    def __init__(
        self,
        store: Store,
        texts: Texts,
        policy: rules.Policy,
        *,
        channels: frozenset[str],  # those whose delivery worker runs
        cycle_of: Callable[[datetime], int],
        domain: str,  # of the notice ids: the assistant's mail domain
        wake: Callable[[], None] = lambda: None,  # the delivery workers
        check_seconds: float = 300.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.texts, self.policy, self.channels = store, texts, policy, channels
        self.cycle_of, self.domain, self.wake = cycle_of, domain, wake
        self.check_seconds, self.clock = check_seconds, clock

    async def run(self) -> None:
        await every(self.check_seconds, self.run_once, log, "reminders")

    async def run_once(self) -> int:
        """Queue every reminder due now; how many were queued."""
        now = self.clock()
        if not rules.is_working_moment(self.policy, now):
            return 0
        cycle = self.cycle_of(now)
        async with self.store.transaction() as tx:
            candidates = await tx.reminder_candidates(cycle)
        queued = 0
        for candidate in candidates:
            if not self._due(candidate, now):
                continue
            try:
                sent = await self._remind(candidate.contact_id, cycle, now)
            except StorageError:
                raise  # the next contacts would fail too: wait for the next check
            except Exception:
                # One contact's trouble (a bug in the text) must not hold back the others.
                log.exception("reminders: contact %s skipped", candidate.contact_id)
                continue
            if sent:
                queued += 1
                self.wake()
        return queued

    def _due(self, candidate: ReminderCandidate, now: datetime) -> bool:
        return (
            rules.is_due(self.policy, candidate, now)
            and rules.channel_for(candidate, self.channels) is not None
        )

    async def _remind(self, contact_id: int, cycle: int, now: datetime) -> bool:
        """Decide again while holding the contact, and queue the reminder if still due."""
        async with self.store.transaction() as tx:
            schedule = await tx.lock_reminders(contact_id, now)
            if schedule is None:  # erased, or another scheduler has it right now
                return False
            found = await tx.reminder_candidates(cycle, contact_id)
            if not found or not self._due(found[0], now):
                return False
            candidate = found[0]
            key = rules.channel_for(candidate, self.channels)
            assert key is not None
            notice = await self._notice(tx, candidate, schedule.sent_count + 1, key, cycle, now)
            if notice is None:
                return False
            await tx.enqueue(notice, now)
            await tx.reminder_sent(contact_id, rules.unanswered(candidate) + 1, now)
        log.info(
            "reminders: reminder %d for contact %s queued on %s",
            schedule.sent_count + 1,
            contact_id,
            key.channel,
        )
        return True

    async def _notice(
        self,
        tx: Tx,
        candidate: ReminderCandidate,
        number: int,
        key: ConversationKey,
        cycle: int,
        now: datetime,
    ) -> Notice | None:
        texts = self.texts
        contact = await tx.contact(candidate.contact_id)
        entity = texts.gazetteer.get(candidate.entity_code)
        if contact is None or entity is None:
            return None
        deadline = texts.deadline_of(cycle)
        today = now.astimezone(self.policy.calendar.zone).date()
        situation = Situation(
            name=contact.name,
            entity=entity,
            answered=set(await tx.answers(candidate.assessment_id)),
            dimensions=candidate.dimensions,
            deadline=deadline if deadline is not None and deadline >= today else None,
        )
        buttons = texts.traits.get(key.channel, ChannelTraits()).buttons
        questionnaire = texts.questionnaires.of(await tx.assessment(candidate.assessment_id))
        reply = compose(texts.catalog, questionnaire, key, situation, buttons=buttons)
        notice_id = f"<reminder-{candidate.contact_id}-{number}@{self.domain}>"
        return Notice(key, (reply,), notice_id, kind=REMINDER_KIND)
