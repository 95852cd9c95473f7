"""Driving the real assistant process (`cti run`) over the local Telegram Bot API server, and
killing it: the pieces the reliability tests share.

    async with BotApiServer() as server:
        process = Assistant(server, database_url, tmp_path)
        await process.start()
        ...
        await process.kill()     # SIGKILL: no clean-up of any kind
        await process.start()
        await process.stop()     # SIGTERM
        process.log_text()       # everything it logged, at INFO
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import re
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.config import PROJECT_ROOT
from bot.contract import OutboundEmail
from bot.storage.api import StoredAnswer
from bot.storage.sql import open_store
from bot.territory import Gazetteer
from dialogues.questionnaire import load_questionnaire
from tests.channels.telegram.botapi_server import BotApiServer, SimChat, buttons

CTI = Path(sys.executable).parent / "cti"
WEBHOOK_SECRET = "reliability-webhook-secret"
QUESTION = re.compile(r"Pregunta (\d+) de (\d+)")
QUESTIONNAIRE = load_questionnaire(PROJECT_ROOT / "data" / "questionnaire" / "v1.yml")


def env_int(name: str, default: int) -> int:
    """Counts come from the environment: small in CI, large by hand (`make reliability`)."""
    return int(os.environ.get(name, default))


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Assistant:
    """`cti run` as a child process with Telegram enabled against `server`."""

    def __init__(
        self,
        server: BotApiServer,
        database_url: str,
        workdir: Path,
        *,
        mode: str = "polling",
        messages_per_second: float = 0,
        chat_messages_per_second: float = 0,
    ) -> None:
        self.server, self.workdir, self.mode = server, workdir, mode
        telegram: dict[str, Any] = {
            "enabled": True,
            "mode": mode,
            "base_url": server.base_url,
            "messages_per_second": messages_per_second,
            "chat_messages_per_second": chat_messages_per_second,
        }
        if mode == "webhook":
            port = free_port()
            telegram["webhook"] = {
                "listen": "127.0.0.1",
                "port": port,
                "path": "/telegram",
                "url": f"http://127.0.0.1:{port}/telegram",
            }
        config = {
            "root": str(PROJECT_ROOT),
            "database": {"url": database_url},
            "nlu": {"backend": "rules"},  # restarts in about a second; NLU is tested elsewhere
            "channels": {
                "console": {"enabled": False},
                "telegram": telegram,
            },
        }
        self.config_path = workdir / "config.yml"
        self.config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
        self.log_path = workdir / "cti.log"
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
        env.update(
            CTI_CONFIG=str(self.config_path),
            CTI_TELEGRAM_TOKEN=self.server.token,
            CTI_LOG_LEVEL="INFO",
            CTI_TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
            CTI_CONSTANCIA_SECRET="pruebas-" + "c" * 40,
            PTB_TIMEDELTA="true",
        )
        return env

    def serving_calls(self) -> int:
        """How often it asked Telegram for updates (polling) or registered its webhook."""
        method = "setWebhook" if self.mode == "webhook" else "getUpdates"
        return len(self.server.calls_of(method))

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        polls = self.serving_calls()
        log = self.log_path.open("ab")
        try:
            self.process = await asyncio.create_subprocess_exec(
                str(CTI),
                "run",
                env=self.environment(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        finally:
            log.close()
        self.starts += 1
        for _ in range(1200):  # until it polls (or set its webhook): up and serving
            if self.serving_calls() > polls and (self.mode != "webhook" or self.server.webhook):
                return
            if self.process.returncode is not None:
                raise AssertionError(f"cti run exited: {self.log_text()[-2000:]}")
            await asyncio.sleep(0.05)
        raise AssertionError("cti run did not start polling in 60 s")

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.kills += 1

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.process.wait(), 60)

    def log_text(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace") if self.log_path.exists() else ""


CodeReader = Callable[[str], Awaitable[str]]


@functools.cache
def project_gazetteer() -> Gazetteer:
    data = PROJECT_ROOT / "data"
    return Gazetteer.load(data / "divipola.csv", data / "territory_aliases.yml")


def outbox_codes(
    database_url: str, gazetteer: Gazetteer | None = None, wait: float = 30.0
) -> CodeReader:
    """Reads the code mailed to an address from the outbox of the process's database, as a
    person reads it in their mail (`cti run` with email off queues it there, unsent)."""

    async def read(address: str) -> str:
        deadline = asyncio.get_running_loop().time() + wait
        store = await open_store(database_url, gazetteer or project_gazetteer())
        try:
            while True:
                async with store.transaction() as tx:
                    items = await tx.outbox_for(address)
                codes = [i for i in items if isinstance(i, OutboundEmail) and i.kind == "code"]
                found = re.search(r"^\s*(\d{6})\s*$", codes[-1].text, re.M) if codes else None
                if found is not None:
                    return found.group(1)
                assert asyncio.get_running_loop().time() < deadline, f"no code for {address}"
                await asyncio.sleep(0.05)
        finally:
            await store.close()

    return read


@dataclass
class Official:
    """One official in a private chat: registers (typing back the code mailed to the address
    given, read by `codes`), then presses answer buttons."""

    chat: SimChat
    code: str  # the DANE code of their entity
    rng: random.Random
    email: str = ""  # planeacion<code>@municipio.gov.co unless given
    kind: str = "Alcaldía"  # the button for the kind of entity: "Alcaldía" or "Gobernación"
    wait: float = 120.0  # an update is confirmed once handled, across restarts
    # question id -> option index or figure, as the person was told it was saved
    saved: dict[str, int | float] = field(default_factory=dict)
    nudges: int = 0
    codes: CodeReader | None = None

    @property
    def server(self) -> BotApiServer:
        return self.chat.server

    def sent_texts(self) -> list[str]:
        return [
            str(c.params.get("text", ""))
            for c in self.server.calls_of("sendMessage")
            if c.chat_id == self.chat.id and c.ok
        ]

    async def act(self, update_id: int) -> list[str]:
        """Wait until the update was handled; the texts the bot sent for it."""
        before = len(self.sent_texts())
        await self.server.processed(update_id, self.wait)
        return self.sent_texts()[before:]

    async def say(self, text: str) -> list[str]:
        return await self.act(self.chat.send(text))

    async def press(self, label_part: str) -> list[str]:
        message_id, keys = self.chat.last_keyboard()
        data = next(d for label, d in keys.items() if label_part.casefold() in label.casefold())
        return await self.act(self.chat.press(message_id, data))

    async def register(self) -> None:
        await self.say("hola")
        await self.press("Acepto")
        await self.press(self.kind)
        await self.say(self.code)
        await self.press("Sí")
        await self.say("Ana Pérez")
        await self.say("Jefe de Planeación")
        email = self.email or f"planeacion{self.code}@municipio.gov.co"
        await self.say(email)
        replies = await self.press("Sí, son correctos")
        if any("código de 6 dígitos" in r for r in replies):
            assert self.codes is not None, "registration mails a code: give the Official `codes`"
            replies = await self.say(await self.codes(email))
        assert any(QUESTION.search(r) for r in replies), replies

    def question_keyboard(self) -> tuple[int, dict[str, str]] | None:
        """The newest question still showing its buttons (options, or "No sé" for a figure)."""
        for message in reversed(self.chat.bot_messages()):
            keys = buttons(message)
            if any(d.startswith(("ans:", "dk:")) for d in keys.values()):
                return message["message_id"], keys
        return None

    async def answer_one(self) -> None:
        """Answer the current question (a random option, or a figure); if the reply was lost
        (the process died between its commit and its reply), ask to continue, as a person
        would."""
        found = self.question_keyboard()
        if found is None:
            await self.say("continuar")
            self.nudges += 1
            return
        message_id, keys = found
        options = [d for d in keys.values() if d.startswith("ans:")]
        if options:
            data = self.rng.choice(options)
            replies = await self.act(self.chat.press(message_id, data))
            _, question_id, option = data.split(":")
            given: int | float = int(option)
        else:
            question_id = next(d for d in keys.values() if d.startswith("dk:")).split(":")[1]
            given = float(self.rng.randint(0, 100))
            replies = await self.say(f"{given:g}")
        if any("✓ Guardado" in r for r in replies):
            self.saved[question_id] = given
        elif not replies:
            await self.say("continuar")
            self.nudges += 1

    def questions_shown(self) -> list[int]:
        return [int(m.group(1)) for t in self.sent_texts() for m in QUESTION.finditer(t)]


async def killer(process: Assistant, kills: int, rng: random.Random, stop: asyncio.Event) -> None:
    """SIGKILL the assistant at random moments, restarting it each time."""
    for _ in range(kills):
        if stop.is_set():
            return
        await asyncio.sleep(rng.uniform(0.2, 1.5))
        await process.kill()
        await asyncio.sleep(rng.uniform(0.0, 0.3))
        await process.start()


def option_index(questionnaire: Any, question_id: str, option_id: str) -> int:
    options = questionnaire.question_index[question_id][2].options or ()
    return [o.id for o in options].index(option_id)


def cycle_now() -> int:
    """The assessment cycle the running assistant uses: this year in Bogotá."""
    return datetime.now(UTC).astimezone(ZoneInfo("America/Bogota")).year


async def entity_answers(
    database_url: str, gazetteer: Gazetteer, code: str
) -> tuple[dict[str, StoredAnswer], list[StoredAnswer]]:
    """An entity's current answers and its whole answer history (oldest first), read from the
    database itself, not from what the bot said."""
    store = await open_store(database_url, gazetteer)
    try:
        async with store.transaction() as tx:
            assessment = await tx.open_assessment(
                code, cycle_now(), QUESTIONNAIRE.id, QUESTIONNAIRE.version, None, datetime.now(UTC)
            )
            return await tx.answers(assessment.id), await tx.answer_history(assessment.id)
    finally:
        await store.close()


def same_answer(stored: StoredAnswer, question_id: str, given: int | float) -> bool:
    """Is the stored answer what an `Official` gave (an option's index, or a figure)?"""
    if isinstance(given, float):
        return stored.answer.kind == "figure" and stored.answer.value == given
    return stored.answer.kind == "option" and (
        option_index(QUESTIONNAIRE, question_id, stored.answer.option or "") == given
    )
