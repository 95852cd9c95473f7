"""What the ticket end-to-end tests share: the configuration of every `cti run` service with
the local Bot API server, aiosmtpd and pymap, running them, and reading what they produced."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from email.message import EmailMessage

from bot.app import App, build_app, build_services
from bot.config import PROJECT_ROOT, Config
from bot.runner import run_services
from nlu.rules import RulesFirst
from tests.channels.email.imap_server import ImapServer
from tests.channels.email.smtp_server import SmtpServer
from tests.channels.telegram.botapi_server import BotApiServer
from tests.tickets.helpers import until

US = "asistente@cti.test"
LUISA = "Luisa Gómez <luisa.gomez@mintic.gov.co>"
NUMBER = re.compile(r"CTI-\d{4}-\d{5}")


def make_config(
    url: str, smtp: SmtpServer, imap: ImapServer, folder: str, telegram: BotApiServer
) -> Config:
    return Config.model_validate(
        {
            "root": str(PROJECT_ROOT),
            "database": {"url": url},
            "reminders": {"enabled": False},
            "channels": {
                "console": {"enabled": False},
                "telegram": {
                    "enabled": True,
                    "base_url": telegram.base_url,
                    "messages_per_second": 0,
                    "chat_messages_per_second": 0,  # Telegram's pace is tested in tests/reliability
                },
                "email": {
                    "enabled": True,
                    "address": US,
                    "inbound": "imap",
                    "smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none"},
                    "imap": {
                        "host": "127.0.0.1",
                        "port": imap.port,
                        "security": "none",
                        "username": imap.user,
                        "folder": folder,
                        "idle_seconds": 20,
                    },
                    "outbox": {
                        "idle_seconds": 0.2,
                        "backoff_seconds": 0.2,
                        "backoff_max_seconds": 0.5,
                    },
                },
            },
            "secrets": {
                "imap_password": imap.password,
                "telegram_token": telegram.token,
                "mail_key_secret": "pruebas-" + "k" * 40,
            },
        }
    )


@contextlib.asynccontextmanager
async def running(config: Config, nlu: RulesFirst, telegram: BotApiServer) -> AsyncIterator[App]:
    """Every service `cti run` starts for this configuration, until the block ends."""
    app = await build_app(config, interpreter=nlu)
    stop = asyncio.Event()
    services = build_services(app)
    assert {"telegram", "email-outbox", "email-imap", "ticket-follow-up"} <= set(services)
    task = asyncio.create_task(run_services(services, stop))
    try:
        await until(lambda: bool(telegram.calls_of("getUpdates")) or task.done(), "polling")
        if task.done():
            task.result()
        yield app
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await app.close()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


async def ticket(app: App, number: str):
    async with app.store.transaction() as tx:
        found = await tx.ticket(number)
        assert found is not None
        return found, await tx.ticket_events(found.id)
