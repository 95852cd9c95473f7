"""A staff decision reaches the official on Telegram through the services of `cti run`: staff
run `cti officials approve` (a separate process on the same database), and the running
assistant delivers the notice to the official's chat. Real servers on loopback (the local Bot
API server, aiosmtpd, pymap), SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess

import pytest

from bot.contract import ConversationKey
from bot.storage.sql import open_store
from nlu.rules import RulesFirst
from tests.channels.email.smtp_server import SmtpServer
from tests.channels.telegram.botapi_server import BotApiServer
from tests.nlu.helpers import embedded, shared_cache
from tests.processes import CTI
from tests.storage.helpers import T0
from tests.tickets.helpers import until
from tests.tickets.services import make_config, running

os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture(scope="module")
def nlu(tmp_path_factory) -> RulesFirst:
    return RulesFirst(embedded(shared_cache(tmp_path_factory)))


def approve(url: str, contact_id: int) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    command = [str(CTI), "officials", "approve", str(contact_id), "--by", "Luisa", "--db", url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


async def test_an_approval_by_staff_reaches_the_officials_telegram_chat(
    database_url, imap, nlu, gazetteer, backend
):
    folder = f"Oficiales{backend}"
    await imap.create(folder)
    async with BotApiServer() as telegram, SmtpServer() as smtp:
        config = make_config(database_url, smtp, imap, folder, telegram)
        async with running(config, nlu, telegram):
            chat = telegram.private_chat(2001, "Beto")
            store = await open_store(database_url, gazetteer, migrate=False)
            try:
                async with store.transaction() as tx:
                    key = ConversationKey("telegram", "2001")
                    conversation = await tx.conversation(key, T0)
                    consent = await tx.record_consent(conversation.id, "habeas-data-v1", T0)
                    beto = await tx.create_contact(
                        "52001", "Beto Gómez", "Enlace TIC", "beto@gmail.com", consent, T0
                    )
                    await tx.save_conversation(conversation.id, {"step": "menu"}, beto.id, T0)
                    await tx.record_membership(beto.id, "requested", T0)
            finally:
                await store.close()

            done = await asyncio.to_thread(approve, database_url, beto.id)
            assert done.returncode == 0, done.stderr
            # `cti run` looks at the outbox on its own (no wake-up reaches it from another
            # process): the notice arrives within the worker's idle interval.
            texts = await until(
                lambda: [m["text"] for m in chat.bot_messages() if "verificó" in m["text"]],
                "the approval on Telegram",
            )
            assert texts == [
                "El equipo de MinTIC verificó que usted actúa por Alcaldía de Pasto (Nariño). "
                "Desde ahora puede responder y enviar el autodiagnóstico de su entidad y ver sus "
                "resultados."
            ]
