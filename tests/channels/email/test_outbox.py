"""The outbox and its worker against a real SMTP server (aiosmtpd) on loopback, on SQLite and
PostgreSQL: delivery, never twice, outages, temporary and permanent refusals, dropped
connections, leases and several workers sharing one outbox."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.contract import Attachment, OutboundEmail
from bot.storage.outbox import StoreOutbox
from channels.email.compose import new_message_id, sender
from channels.email.smtp import SmtpSender, SmtpSettings
from channels.email.worker import OutboxWorker, SendLimits
from channels.outbox import RetryPolicy
from tests.channels.email.smtp_server import SmtpServer

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
FROM = sender("asistente@cti.test", "Asistente CTI – MinTIC")


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_email(n: int = 1, **changes) -> OutboundEmail:
    fields = {
        "recipient": f"funcionaria{n}@municipio.gov.co",
        "subject": f"[CTI-2026-{n:05d}] Solicitud de acompañamiento técnico — Pasto (Nariño)",
        "text": "Texto en español: señor, año, acompañamiento.",
        "html": "<p>Texto en <b>español</b></p>",
        "message_id": new_message_id("asistente@cti.test"),
        "kind": "ticket",
    }
    fields.update(changes)
    return OutboundEmail(**fields)


async def enqueue(store, *emails: OutboundEmail, at: datetime = T0) -> list[int]:
    async with store.transaction() as tx:
        return [await tx.enqueue(e, at) for e in emails]


async def statuses(store) -> dict[str, int]:
    async with store.transaction() as tx:
        return dict(await tx.outbox_counts())


def worker_for(store, server: SmtpServer, clock: Clock, **policy) -> OutboxWorker:
    smtp = SmtpSender(SmtpSettings("127.0.0.1", server.port, "none", timeout=5))
    return OutboxWorker(
        StoreOutbox(store, timedelta(minutes=5)),
        smtp,
        FROM,
        RetryPolicy(**{"max_attempts": 4, "backoff_seconds": 30, **policy}),
        clock=clock,
    )


async def test_an_email_is_delivered_once_with_its_parts(store):
    report = Attachment("informe.html", "text/html", "<html>Informe ñ</html>".encode())
    chart = Attachment("radar.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    email = make_email(
        attachments=(report, chart),
        headers=(("In-Reply-To", "<abc@mail.test>"), ("References", "<abc@mail.test>")),
    )
    await enqueue(store, email)
    clock = Clock()
    async with SmtpServer() as server:
        worker = worker_for(store, server, clock)
        assert await worker.run_once() == 1
        assert await worker.run_once() == 0  # nothing is sent twice
        clock.advance(3600)
        assert await worker.run_once() == 0
        await worker.sender.close()
    assert len(server.recorder.received) == 1
    got = server.recorder.received[0].message
    assert got["Subject"] == email.subject
    assert got["Message-ID"] == email.message_id
    assert got["From"].addresses[0].display_name == "Asistente CTI – MinTIC"
    assert got["To"] == email.recipient
    assert got["Reply-To"] == "asistente@cti.test"
    assert got["In-Reply-To"] == "<abc@mail.test>"
    assert got["Auto-Submitted"] == "auto-generated"
    assert got.get_body(("plain",)).get_content().strip() == email.text
    assert "<b>español</b>" in got.get_body(("html",)).get_content()
    files = {part.get_filename(): part.get_content() for part in got.iter_attachments()}
    assert files["radar.png"] == chart.data
    assert "Informe ñ" in files["informe.html"]
    assert await statuses(store) == {"sent": 1}


async def test_enqueueing_the_same_message_id_twice_stores_one(store):
    email = make_email()
    first, second = await enqueue(store, email, email)
    assert first == second
    assert await statuses(store) == {"pending": 1}


async def test_emails_written_during_an_outage_arrive_after_it(store):
    emails = [make_email(n) for n in range(50)]
    await enqueue(store, *emails)
    clock = Clock()
    server = SmtpServer()  # not started: the port refuses connections
    worker = worker_for(store, server, clock, max_attempts=10)
    worker.batch = 100
    assert await worker.run_once() == 50
    assert await statuses(store) == {"pending": 50}
    assert await worker.run_once() == 0  # all waiting for their next attempt
    await server.start()
    try:
        clock.advance(30)
        while await worker.run_once():
            pass
        await worker.sender.close()
    finally:
        await server.stop()
    assert sorted(server.recorder.message_ids()) == sorted(e.message_id for e in emails)
    assert await statuses(store) == {"sent": 50}


async def test_a_permanent_refusal_fails_at_once_with_an_alert(store, caplog):
    await enqueue(store, make_email())
    clock = Clock()
    async with SmtpServer() as server:
        server.recorder.reply = "550 5.1.1 Mailbox unavailable"
        worker = worker_for(store, server, clock)
        with caplog.at_level(logging.ERROR):
            assert await worker.run_once() == 1
        clock.advance(10 * 3600)
        assert await worker.run_once() == 0  # never retried
        await worker.sender.close()
    assert await statuses(store) == {"failed": 1}
    alerts = [r for r in caplog.records if "ALERTA" in r.getMessage()]
    assert len(alerts) == 1
    assert "funcionaria1@" not in caplog.text  # the address is masked in the log
    assert "f***@municipio.gov.co" in caplog.text


async def test_temporary_refusals_back_off_then_fail_after_the_last_attempt(store, caplog):
    email = make_email()
    await enqueue(store, email)
    clock = Clock()
    async with SmtpServer() as server:
        server.recorder.reply = "451 4.3.0 Try again later"
        worker = worker_for(store, server, clock, max_attempts=3)
        assert await worker.run_once() == 1
        clock.advance(29)
        assert await worker.run_once() == 0  # first wait: 30 s
        clock.advance(1)
        assert await worker.run_once() == 1
        clock.advance(59)
        assert await worker.run_once() == 0  # second wait: 60 s
        clock.advance(1)
        with caplog.at_level(logging.ERROR):
            assert await worker.run_once() == 1  # third and last attempt
        clock.advance(10 * 3600)
        assert await worker.run_once() == 0
        await worker.sender.close()
    async with store.transaction() as tx:
        stored, status = await tx.outbox_item(email.message_id)
    assert status == "failed" and stored.attempts == 3
    assert "ALERTA" in caplog.text
    assert server.recorder.received == []


async def test_a_connection_dropped_after_data_resends_the_same_message_id(store):
    email = make_email()
    await enqueue(store, email)
    clock = Clock()
    async with SmtpServer() as server:
        server.recorder.drop_after_data = 1
        worker = worker_for(store, server, clock)
        assert await worker.run_once() == 1
        assert await statuses(store) == {"pending": 1}  # we never heard the 250
        clock.advance(30)
        assert await worker.run_once() == 1
        await worker.sender.close()
    assert server.recorder.message_ids() == [email.message_id, email.message_id]
    assert await statuses(store) == {"sent": 1}


async def test_a_claim_left_by_a_crashed_worker_is_retried_after_the_lease(store):
    email = make_email()
    await enqueue(store, email)
    queue = StoreOutbox(store, timedelta(minutes=5))
    [claimed] = await queue.claim(T0, 10)  # a worker took it and died
    assert claimed.attempts == 1
    assert await queue.claim(T0 + timedelta(minutes=4), 10) == []
    [again] = await queue.claim(T0 + timedelta(minutes=5), 10)
    assert again.message_id == email.message_id and again.attempts == 2


async def test_several_workers_share_one_outbox_without_sending_twice(store):
    emails = [make_email(n) for n in range(60)]
    await enqueue(store, *emails)
    clock = Clock()
    async with SmtpServer() as server:
        workers = [worker_for(store, server, clock) for _ in range(3)]
        for worker in workers:
            worker.batch = 7

        async def drain(worker: OutboxWorker) -> None:
            # Yield between batches so the other workers claim in between.
            while await worker.run_once():  # noqa: ASYNC110
                await asyncio.sleep(0)

        await asyncio.gather(*(drain(w) for w in workers))
        for worker in workers:
            await worker.sender.close()
    ids = server.recorder.message_ids()
    assert len(ids) == 60 and set(ids) == {e.message_id for e in emails}
    assert await statuses(store) == {"sent": 60}


@pytest.mark.parametrize("attempts,expected", [(1, 30), (2, 60), (3, 120), (9, 3600), (20, 3600)])
def test_backoff_doubles_up_to_the_cap(attempts, expected):
    policy = RetryPolicy(backoff_seconds=30, backoff_max_seconds=3600)
    assert policy.delay(attempts) == timedelta(seconds=expected)


async def test_a_server_without_smtputf8_fails_a_non_ascii_address_at_once(store, caplog):
    # aiosmtpd, like many servers, does not offer SMTPUTF8: no retry can add it.
    await enqueue(store, make_email(recipient="josé.muñoz@municipio.gov.co", kind="message"))
    clock = Clock()
    async with SmtpServer() as server:
        worker = worker_for(store, server, clock)
        with caplog.at_level(logging.ERROR):
            assert await worker.run_once() == 1
        clock.advance(10 * 3600)
        assert await worker.run_once() == 0
        await worker.sender.close()
        assert server.recorder.received == []
    assert await statuses(store) == {"failed": 1}
    assert "ALERTA" in caplog.text and "SMTPUTF8" in caplog.text


async def test_a_code_leaves_no_trace_in_the_outbox_once_sent(store):
    [row] = await enqueue(store, make_email(text="Su código es 123456", html=None, kind="code"))
    async with SmtpServer() as server:
        worker = worker_for(store, server, Clock())
        assert await worker.run_once() == 1
        await worker.sender.close()
        assert "123456" in server.recorder.received[0].message.get_content()
    async with store.transaction() as tx:
        [item] = await tx.outbox_for("funcionaria1@municipio.gov.co")
    assert item.id == row and "123456" not in item.text


async def test_no_address_gets_more_than_its_share_of_mail(store):
    recipient = "funcionaria1@municipio.gov.co"
    await enqueue(store, *(make_email(kind="message") for _ in range(5)))
    clock = Clock()
    async with SmtpServer() as server:
        queue = StoreOutbox(store, timedelta(minutes=5))
        worker = OutboxWorker(
            queue,
            SmtpSender(SmtpSettings("127.0.0.1", server.port, "none", timeout=5)),
            FROM,
            RetryPolicy(),
            clock=clock,
            limits=SendLimits(per_hour=3, per_day=10),
            sent_since=queue.sent_since,
        )
        assert await worker.run_once() == 5
        assert len(server.recorder.received) == 3  # the other two wait, they are not lost
        clock.advance(3601)
        assert await worker.run_once() == 2
        await worker.sender.close()
        assert [r.rcpt_tos for r in server.recorder.received] == [[recipient]] * 5
