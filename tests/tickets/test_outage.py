"""Tickets and the SMTP server misbehaving, through the real outbox worker and aiosmtpd: many
tickets queued during an outage leave once each when it ends; a permanent refusal is final."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App, build_app, email_services
from bot.config import PROJECT_ROOT, Config
from bot.runner import run_services
from bot.storage.api import NewTicket
from channels.email.worker import OutboxWorker
from nlu.rules import RuleInterpreter
from tests.channels.email.smtp_server import SmtpServer
from tests.tickets.helpers import MAILBOX, to, until

US = "asistente@cti.test"
# Entities of Nariño, one request each (distinct entities: nothing merges).
CODES = [
    "52001", "52019", "52022", "52036", "52051", "52079", "52083", "52110", "52203", "52207",
    "52210", "52215", "52224", "52227", "52233", "52240", "52250", "52254", "52256", "52258",
    "52260", "52287", "52317", "52320", "52323", "52352", "52354", "52356", "52378", "52381",
    "52385", "52390", "52399", "52405", "52411", "52418", "52427", "52435", "52473", "52480",
    "52490", "52506", "52520", "52540", "52560", "52565", "52573", "52585", "52612", "52621",
]  # fmt: skip


def config(url: str, smtp: SmtpServer) -> Config:
    return Config.model_validate(
        {
            "root": str(PROJECT_ROOT),
            "database": {"url": url},
            "channels": {
                "console": {"enabled": False},
                "email": {
                    "enabled": True,
                    "address": US,
                    "inbound": "none",
                    "smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none"},
                    "outbox": {
                        "idle_seconds": 0.2,
                        "backoff_seconds": 0.2,
                        "backoff_max_seconds": 0.5,
                        "batch": 20,
                    },
                },
            },
            "secrets": {"mail_key_secret": "pruebas-" + "o" * 40},
        }
    )


@contextlib.asynccontextmanager
async def outbox_running(cfg: Config) -> AsyncIterator[tuple[App, OutboxWorker]]:
    """The app with its outbox worker running; the worker too, for checks run once on demand."""
    app = await build_app(cfg, interpreter=RuleInterpreter())
    services = email_services(app)
    worker = services["email-outbox"]
    assert isinstance(worker, OutboxWorker)
    stop = asyncio.Event()
    task = asyncio.create_task(run_services(services, stop))
    try:
        yield app, worker
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await app.close()


async def run_once_later(worker: OutboxWorker) -> int:
    """One pass of the worker as if a day had gone by: past every lease and every backoff."""
    now = worker.clock
    worker.clock = lambda: now() + timedelta(days=1)
    try:
        return await worker.run_once()
    finally:
        worker.clock = now


async def until_nothing_pending(app: App) -> None:
    """Until every queued email was sent or given up (the worker marks it after SMTP's 250)."""
    for _ in range(600):
        async with app.store.transaction() as tx:
            if not (await tx.outbox_counts())["pending"]:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("emails still pending")


async def open_tickets(app: App, codes: list[str]) -> list[str]:
    desk = app.engine.deps.desk
    assert desk is not None
    numbers = []
    for code in codes:
        now = datetime.now(UTC)
        async with app.store.transaction() as tx:
            new = NewTicket(code, None, "estrategia", f"Apoyo para {code}", "", "email", "")
            ticket, created = await desk.open(tx, new, None, now, None)
        assert created
        numbers.append(ticket.number)
        for wake in app.wakers:
            wake()
    return numbers


@pytest.mark.slow
async def test_fifty_tickets_during_an_outage_arrive_once_each(database_url):
    smtp = SmtpServer()  # not started: down
    async with outbox_running(config(database_url, smtp)) as (app, worker):
        numbers = await open_tickets(app, CODES)
        assert len(set(numbers)) == 50
        await worker.run_once()  # one attempt awaited here (the service makes others), failing
        async with app.store.transaction() as tx:
            counts = await tx.outbox_counts()
        assert counts == {"pending": 50}
        await smtp.start()
        try:
            await until(lambda: len(to(smtp, MAILBOX)) >= 50, "50 emails", wait=60)
            await until_nothing_pending(app)
            # Nothing is left to send even after every lease and backoff: no duplicate can come.
            assert await run_once_later(worker) == 0
            received = to(smtp, MAILBOX)
            assert len(received) == 50
            ids = [r.message["Message-ID"] for r in received]
            assert len(set(ids)) == 50
            assert {r.message["X-CTI-Ticket"] for r in received} == set(numbers)
            async with app.store.transaction() as tx:
                assert await tx.outbox_counts() == {"sent": 50}
        finally:
            await smtp.stop()


async def test_a_permanent_refusal_fails_the_email_once_with_an_alert(database_url, caplog):
    async with SmtpServer() as smtp:
        smtp.recorder.reply = "550 5.1.1 mailbox unavailable"
        async with outbox_running(config(database_url, smtp)) as (app, worker):
            with caplog.at_level(logging.ERROR, logger="channels.email.worker"):
                [number] = await open_tickets(app, ["52001"])
                async with app.store.transaction() as tx:
                    routed = (await tx.ticket(number)).routed_message_id

                async def status() -> tuple[str, int]:
                    async with app.store.transaction() as tx:
                        item, state = await tx.outbox_item(routed)
                    return state, item.attempts

                for _ in range(200):
                    if (await status())[0] == "failed":
                        break
                    await asyncio.sleep(0.05)
                # No retry may follow, however late the worker looks again.
                assert await run_once_later(worker) == 0
                assert await status() == ("failed", 1)
            alerts = [r for r in caplog.records if "ALERTA outbox" in r.getMessage()]
            assert len(alerts) == 1 and routed in alerts[0].getMessage()
            assert "550" in alerts[0].getMessage()
        assert to(smtp, MAILBOX) == []
