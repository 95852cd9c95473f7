"""The reminder methods of `Tx` on SQLite and PostgreSQL: candidates, the per-contact schedule,
opting out (which drops queued reminders), erasure, and two schedulers racing on one contact."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.contract import ConversationKey, Notice, OutgoingMessage
from bot.scoring import Answer
from bot.storage.api import ReminderSchedule
from bot.storage.sql import SqlStore
from tests.storage.helpers import MEDELLIN, T0, at, register

PASTO = "52001"
TUNJA = "15001"


def reminder(key: ConversationKey, notice_id: str, kind: str = "reminder") -> Notice:
    return Notice(key, (OutgoingMessage(key, "Recordatorio"),), notice_id, kind=kind)


async def test_candidates_are_consenting_contacts_of_assessments_in_progress(store: SqlStore):
    async with store.transaction() as tx:
        _, ana = await register(tx, "1001", "Ana", "ana@medellin.gov.co")
        _, luis = await register(tx, "1002", "Luis", "luis@medellin.gov.co")
        _, eva = await register(tx, "1003", "Eva", "eva@pasto.gov.co", entity=PASTO)
        _, rosa = await register(tx, "1004", "Rosa", "rosa@tunja.gov.co", entity=TUNJA)
        _, gone = await register(tx, "1005", "Gil", "gil@medellin.gov.co")
        email = await tx.conversation(ConversationKey("email", "ana@medellin.gov.co"), at(30))
        await tx.save_conversation(email.id, {}, ana.id, at(40))
        await tx.update_contact(luis.id, dimensions=("gobernanza",))
        medellin = await tx.open_assessment(MEDELLIN, 2026, "cti-mm-v1", "1.0.0", ana.id, at(10))
        await tx.save_answer(medellin.id, "PER-EDU-01", Answer("dont_know"), luis.id, at(50))
        pasto = await tx.open_assessment(PASTO, 2026, "cti-mm-v1", "1.0.0", eva.id, at(10))
        await tx.set_assessment_status(pasto.id, "submitted", eva.id, at(20))
        await tx.open_assessment(TUNJA, 2025, "cti-mm-v1", "1.0.0", rosa.id, at(10))  # last cycle
        await tx.erase_contact(gone.id, at(60))
    async with store.transaction() as tx:
        found = await tx.reminder_candidates(2026)
        assert await tx.reminder_candidates(2025) != []
        assert [c.contact_id for c in await tx.reminder_candidates(2026, luis.id)] == [luis.id]
        assert await tx.reminder_candidates(2026, eva.id) == []
    assert [c.contact_id for c in found] == [ana.id, luis.id]
    first, second = found
    assert first.entity_code == MEDELLIN and first.assessment_id == medellin.id
    assert first.conversations == (
        (ConversationKey("telegram", "1001"), T0),
        (ConversationKey("email", "ana@medellin.gov.co"), at(40)),
    )
    assert first.entity_activity == at(50)  # Luis's answer
    assert first.schedule == ReminderSchedule(ana.id)
    assert second.dimensions == ("gobernanza",)

    async with store.transaction() as tx:  # a reopened assessment: the event is activity
        await tx.set_assessment_status(pasto.id, "in_progress", eva.id, at(90))
        [reopened] = await tx.reminder_candidates(2026, eva.id)
    assert reopened.entity_activity == at(90)


async def test_the_schedule_counts_reminders_and_keeps_the_preference(store: SqlStore):
    async with store.transaction() as tx:
        _, ana = await register(tx, "1001", "Ana", "ana@medellin.gov.co")
        await tx.open_assessment(MEDELLIN, 2026, "cti-mm-v1", "1.0.0", ana.id, T0)
        assert await tx.reminder_schedule(ana.id) is None
        assert await tx.lock_reminders(ana.id, at(1)) == ReminderSchedule(ana.id)
        await tx.reminder_sent(ana.id, 1, at(2))
        with pytest.raises(LookupError):
            await tx.reminder_sent(ana.id + 100, 1, at(2))
    async with store.transaction() as tx:
        assert await tx.lock_reminders(ana.id, at(3)) == ReminderSchedule(
            ana.id, sent_count=1, unanswered=1, last_sent_at=at(2)
        )
        await tx.reminder_sent(ana.id, 2, at(4))
        await tx.set_reminders(ana.id, False, at(5))
        await tx.set_reminders(ana.id, False, at(6))  # again: the first date stays
        [candidate] = await tx.reminder_candidates(2026)
    assert candidate.schedule == ReminderSchedule(
        ana.id, opted_out_at=at(5), sent_count=2, unanswered=2, last_sent_at=at(4)
    )
    async with store.transaction() as tx:
        await tx.set_reminders(ana.id, True, at(7))  # back on: a fresh run of reminders
        assert await tx.reminder_schedule(ana.id) == ReminderSchedule(
            ana.id, sent_count=2, unanswered=0, last_sent_at=at(4)
        )
        with pytest.raises(LookupError):
            await tx.set_reminders(ana.id + 100, False, at(8))


async def test_opting_out_drops_the_reminders_not_yet_delivered(store: SqlStore):
    telegram = ConversationKey("telegram", "1001")
    email = ConversationKey("email", "ana@medellin.gov.co")
    other = ConversationKey("telegram", "2002")
    async with store.transaction() as tx:
        _, ana = await register(tx, "1001", "Ana", "ana@medellin.gov.co")
        await register(tx, "2002", "Luis", "luis@medellin.gov.co")
        mail = await tx.conversation(email, T0)
        await tx.save_conversation(mail.id, {}, ana.id, T0)
        sent = await tx.enqueue(reminder(telegram, "<r-1>"), T0)
        await tx.outbox_sent(sent, at(1))
        await tx.enqueue(reminder(telegram, "<r-2>"), at(2))
        await tx.enqueue(reminder(email, "<r-3>"), at(2))
        await tx.enqueue(reminder(telegram, "<reply>", kind="conversation"), at(2))
        await tx.enqueue(reminder(other, "<r-luis>"), at(2))
    async with store.transaction() as tx:
        await tx.set_reminders(ana.id, False, at(3))
        left = {}
        for notice_id in ("<r-1>", "<r-2>", "<r-3>", "<reply>", "<r-luis>"):
            found = await tx.outbox_item(notice_id)
            if found is not None:
                left[notice_id] = found[1]
    # Delivered stays (history); other kinds and other people's reminders stay queued.
    assert left == {"<r-1>": "sent", "<reply>": "pending", "<r-luis>": "pending"}


async def test_erasing_the_contact_erases_the_schedule(store: SqlStore):
    async with store.transaction() as tx:
        _, ana = await register(tx, "1001", "Ana", "ana@medellin.gov.co")
        await tx.set_reminders(ana.id, False, T0)
    async with store.transaction() as tx:
        await tx.erase_contact(ana.id, at(1))
    async with store.transaction() as tx:
        assert await tx.reminder_schedule(ana.id) is None
        assert await tx.lock_reminders(ana.id, at(2)) is None


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_contact_held_by_one_scheduler_is_skipped_by_another(store: SqlStore):
    async with store.transaction() as tx:
        _, ana = await register(tx, "1001", "Ana", "ana@medellin.gov.co")
    holding, done = asyncio.Event(), asyncio.Event()

    async def first() -> ReminderSchedule | None:
        async with store.transaction() as tx:
            schedule = await tx.lock_reminders(ana.id, at(1))
            holding.set()
            await done.wait()
            return schedule

    async def second() -> ReminderSchedule | None:
        await holding.wait()
        try:
            async with store.transaction() as tx:
                return await asyncio.wait_for(tx.lock_reminders(ana.id, at(1)), 10)
        finally:
            done.set()

    held, skipped = await asyncio.gather(first(), second())
    assert held == ReminderSchedule(ana.id) and skipped is None


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_an_opt_out_during_a_scheduler_decision_still_drops_its_reminder(store: SqlStore):
    """The scheduler holds the schedule row while it queues; the opt-out waits for it, then
    sees the reminder and drops it. Nothing is delivered after the person said no."""
    key = ConversationKey("telegram", "1001")
    async with store.transaction() as tx:
        _, ana = await register(tx, "1001", "Ana", "ana@medellin.gov.co")
    queued, opting = asyncio.Event(), asyncio.Event()

    async def scheduler() -> None:
        async with store.transaction() as tx:
            assert await tx.lock_reminders(ana.id, at(1)) is not None
            await tx.enqueue(reminder(key, "<reminder-1>"), at(1))
            await tx.reminder_sent(ana.id, 1, at(1))
            queued.set()
            await opting.wait()
            await asyncio.sleep(0.1)  # the opt-out is now waiting on the schedule row

    async def opt_out() -> None:
        await queued.wait()
        async with store.transaction() as tx:
            opting.set()
            await tx.set_reminders(ana.id, False, at(2))

    await asyncio.wait_for(asyncio.gather(scheduler(), opt_out()), 30)
    async with store.transaction() as tx:
        assert await tx.outbox_item("<reminder-1>") is None
        schedule = await tx.reminder_schedule(ana.id)
    assert schedule is not None and schedule.opted_out_at == at(2) and schedule.sent_count == 1


async def test_times_come_back_aware_and_in_utc(store: SqlStore):
    async with store.transaction() as tx:
        _, ana = await register(tx, "1001", "Ana", "ana@medellin.gov.co")
        opened = await tx.open_assessment(MEDELLIN, 2026, "cti-mm-v1", "1.0.0", ana.id, T0)
        await tx.save_answer(opened.id, "PER-EDU-01", Answer("dont_know"), ana.id, at(3600))
        await tx.lock_reminders(ana.id, at(1))
        await tx.reminder_sent(ana.id, 1, T0 + timedelta(days=9))
        [found] = await tx.reminder_candidates(2026)
    assert found.entity_activity == at(3600) and found.entity_activity.utcoffset() == timedelta(0)
    assert found.schedule.last_sent_at == T0 + timedelta(days=9)
