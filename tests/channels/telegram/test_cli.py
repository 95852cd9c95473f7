"""`cti run` as a real process: start-up errors are one Spanish line (no traceback, never the
token); a good start answers on Telegram and SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from tests.channels.telegram.botapi_server import BotApiServer
from tests.channels.telegram.conftest import Person
from tests.processes import finished, one_error_line, start


def environment(tmp_path: Path, server: BotApiServer | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    env.update(
        CTI_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cti.db'}",
        CTI_NLU_BACKEND="rules",  # no classifier training: these tests are about start-up
        CTI_CONSOLE_ENABLED="false",
        CTI_TELEGRAM_ENABLED="true",
        CTI_CONSTANCIA_SECRET="pruebas-" + "c" * 40,
        PTB_TIMEDELTA="true",
    )
    if server is not None:
        env.update(CTI_TELEGRAM_BASE_URL=server.base_url)
    env.update(extra)
    return env


async def test_a_missing_token_is_one_line(tmp_path: Path) -> None:
    status, stderr = await finished(await start(environment(tmp_path, None)))
    assert status == 2
    assert "falta el token" in one_error_line(stderr)
    assert "CTI_TELEGRAM_TOKEN" in stderr
    assert not (tmp_path / "cti.db").exists()  # it failed before opening anything


async def test_a_rejected_token_is_one_line(server: BotApiServer, tmp_path: Path) -> None:
    token = "987654321:AAwrongTokenThatTelegramDoesNotKnow"
    env = environment(tmp_path, server, CTI_TELEGRAM_TOKEN=token)
    status, stderr = await finished(await start(env))
    assert status == 2
    assert "rechazó el token" in one_error_line(stderr)
    assert token not in stderr and "AAwrong" not in stderr  # a secret, even a wrong one
    assert [c.method for c in server.calls] == ["getMe"]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, "CTI_TELEGRAM_WEBHOOK_SECRET"),
        ({"CTI_TELEGRAM_WEBHOOK_SECRET": "con espacios"}, "CTI_TELEGRAM_WEBHOOK_SECRET"),
        ({"CTI_TELEGRAM_WEBHOOK_SECRET": "ok_secret"}, "CTI_TELEGRAM_WEBHOOK_URL"),
    ],
)
async def test_webhook_mode_needs_its_secret_and_url(
    tmp_path: Path, extra: dict[str, str], expected: str
) -> None:
    env = environment(
        tmp_path, None, CTI_TELEGRAM_TOKEN="1:x", CTI_TELEGRAM_MODE="webhook", **extra
    )
    status, stderr = await finished(await start(env))
    assert status == 2
    assert expected in one_error_line(stderr)


async def test_run_answers_and_stops_on_sigterm(server: BotApiServer, tmp_path: Path) -> None:
    env = environment(tmp_path, server, CTI_TELEGRAM_TOKEN=server.token)
    process = await start(env)
    try:
        for _ in range(1200):  # start-up imports and migrates: allow a slow machine a minute
            if server.calls_of("getUpdates") or process.returncode is not None:
                break
            await asyncio.sleep(0.05)
        assert process.returncode is None, await finished(process)
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.say("/start")
        assert "Bienvenido" in ana.text
        assert server.commands["default/"][0]["command"] == "start"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    status, stderr = await finished(process)
    assert status == 0, stderr
    assert "Traceback" not in stderr
    assert server.token not in stderr
