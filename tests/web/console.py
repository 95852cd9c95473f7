"""A real `cti web` for the browser tests: a seeded SQLite database, uvicorn on loopback in a
thread, and Debian's chromium driven by Playwright (never a browser Playwright downloads)."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from playwright.sync_api import Page, expect

from bot.analytics.cycle import current_cycle
from bot.config import Config, load_config
from bot.contract import ConversationKey
from bot.scoring import Answer
from bot.storage.api import NewTicket, Tx
from bot.storage.sql import SqlStore, open_store
from bot.territory import Gazetteer
from bot.web.accounts import staff_tx
from bot.web.app import create_app
from bot.web.passwords import hash_password
from dialogues.questionnaire import load_questionnaire

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "clave-de-prueba-larga"
ADMIN, ADVISOR, VIEWER = "admin@mintic.gov.co", "asesora@mintic.gov.co", "consulta@mintic.gov.co"
PASTO, TUMACO = "52001", "52835"
CHAT = "777001"  # the Telegram chat of the official who asked for accompaniment

T = TypeVar("T")


@dataclass(frozen=True)
class Seeded:
    ticket: str
    member_id: int
    pending_id: int


def config_for(db: Path) -> Config:
    return load_config(env={"CTI_DATABASE_URL": f"sqlite+aiosqlite:///{db}"})


def run_store(config: Config, gazetteer: Gazetteer, work: Callable[[Tx], Awaitable[T]]) -> T:
    """Run `work` in one transaction on the console's database, from a synchronous test."""

    async def go() -> T:
        store: SqlStore = await open_store(config.database.url, gazetteer)
        try:
            async with store.transaction() as tx:
                return await work(tx)
        finally:
            await store.close()

    # In a thread of its own: the test's thread may already run an event loop.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result()


async def _contact(tx: Tx, chat: str, name: str, email: str, entity: str) -> Any:
    conversation = await tx.conversation(ConversationKey("telegram", chat), datetime.now(UTC))
    consent = await tx.record_consent(conversation.id, "v1", datetime.now(UTC))
    contact = await tx.create_contact(
        entity, name, "Secretaría TIC", email, consent, datetime.now(UTC)
    )
    await tx.save_conversation(conversation.id, {}, contact.id, datetime.now(UTC))
    return contact


def seed(config: Config, gazetteer: Gazetteer) -> Seeded:
    """Three staff accounts; Pasto with a member who submitted, a pending official and an
    open ticket from Telegram; Tumaco started."""
    questionnaire = load_questionnaire(config.path(config.data.questionnaire))
    now = datetime.now(UTC)
    cycle = current_cycle(config.assessment, now)
    hashed = hash_password(PASSWORD)

    async def work(tx: Tx) -> Seeded:
        staff = staff_tx(tx)
        await staff.add_account(ADMIN, "admin", hashed, now)
        await staff.add_account(ADVISOR, "advisor", hashed, now)
        await staff.add_account(VIEWER, "viewer", hashed, now)
        ana = await _contact(tx, CHAT, "Ana Rosero", "ana.rosero@pasto.gov.co", PASTO)
        await tx.record_membership(ana.id, "joined", now, basis="domain")
        luis = await _contact(tx, "777002", "Luis Benavides", "luis.b@gmail.com", PASTO)
        await tx.record_membership(luis.id, "requested", now)
        first = questionnaire.questions_for("alcaldia")[0]
        a = await tx.open_assessment(
            PASTO, cycle, questionnaire.id, questionnaire.version, ana.id, now
        )
        option = first.options[0].id if first.options else None
        answer = Answer("option", option) if option else Answer("dont_know")
        await tx.save_answer(a.id, first.id, answer, ana.id, now)
        await tx.set_assessment_status(a.id, "submitted", ana.id, now)
        await tx.open_assessment(TUMACO, cycle, questionnaire.id, questionnaire.version, None, now)
        ticket, _ = await tx.create_ticket(
            NewTicket(
                PASTO,
                ana.id,
                "estrategia",
                "Necesitamos apoyo con la estrategia.",
                "",
                "telegram",
                CHAT,
            ),
            now,
            now,
        )
        return Seeded(ticket.number, ana.id, luis.id)

    return run_store(config, gazetteer, work)


class ConsoleServer:
    """`create_app` served by uvicorn on a loopback port, in a thread with its own loop."""

    def __init__(self, config: Config) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        port = self.sock.getsockname()[1]
        # `localhost`: browsers keep Secure cookies for it over plain HTTP.
        self.url = f"http://localhost:{port}"
        self.server = uvicorn.Server(
            uvicorn.Config(create_app(config), log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> ConsoleServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("cti web did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def chromium_path() -> str:
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found is None:
        raise RuntimeError(
            "Debian's chromium is missing: `apt-get install -y --no-install-recommends "
            "chromium` (make chromium, .ci/run)"
        )
    return found


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD, path: str = "/avance"):
    page.goto(base + path)
    expect(page).to_have_url(re.compile(r"/ingresar\?siguiente="))
    page.get_by_label("Correo institucional").fill(email)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
