"""What the email tests share: the configuration of the email services and running them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from bot.app import build_app, email_services
from bot.config import PROJECT_ROOT, Config
from bot.runner import run_services
from nlu.rules import RulesFirst
from tests.channels.email.imap_server import ImapServer
from tests.channels.email.smtp_server import SmtpServer

US = "asistente@cti.test"
SECRET = "pruebas-" + "s" * 40  # CTI_MAIL_KEY_SECRET: signs the reply keys


def email_config(database_url: str, smtp: SmtpServer, imap: ImapServer, folder: str) -> Config:
    return Config.model_validate(
        {
            "root": str(PROJECT_ROOT),
            "database": {"url": database_url},
            "channels": {
                "console": {"enabled": False},
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
                    "outbox": {"idle_seconds": 0.5},
                },
            },
            "secrets": {"imap_password": imap.password, "mail_key_secret": SECRET},
        }
    )


@contextlib.asynccontextmanager
async def running(config: Config, nlu: RulesFirst) -> AsyncIterator[None]:
    app = await build_app(config, interpreter=nlu)
    stop = asyncio.Event()
    task = asyncio.create_task(run_services(email_services(app), stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await app.close()
