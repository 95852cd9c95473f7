"""`cti run` with email enabled but misconfigured: one Spanish line, no traceback, no secret."""

from __future__ import annotations

import os
from pathlib import Path

from bot.config import PROJECT_ROOT
from tests.processes import finished, one_error_line, start


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    env.update(
        CTI_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cti.db'}",
        CTI_NLU_BACKEND="rules",
        CTI_CONSOLE_ENABLED="false",
        CTI_EMAIL_ENABLED="true",
        CTI_MAIL_KEY_SECRET="pruebas-" + "s" * 40,
        CTI_CONSTANCIA_SECRET="pruebas-" + "c" * 40,
    )
    env.update(extra)
    return env


async def test_imap_without_credentials_is_one_line(tmp_path: Path) -> None:
    status, stderr = await finished(await start(environment(tmp_path)))
    assert status != 0
    assert "CTI_IMAP_PASSWORD" in one_error_line(stderr)


async def test_email_without_the_reply_key_secret_is_one_line(tmp_path: Path) -> None:
    status, stderr = await finished(await start(environment(tmp_path, CTI_MAIL_KEY_SECRET="")))
    assert status != 0
    assert "CTI_MAIL_KEY_SECRET" in one_error_line(stderr)


async def test_an_smtp_listener_open_to_the_network_needs_authentication(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(
        f"root: {PROJECT_ROOT}\n"
        "channels:\n  console: {enabled: false}\n  email:\n    enabled: true\n"
        "    inbound: smtp\n    smtp_inbound: {listen: 0.0.0.0, port: 2599}\n",
        encoding="utf-8",
    )
    env = environment(tmp_path, CTI_CONFIG=str(config))
    status, stderr = await finished(await start(env))
    assert status != 0
    assert "channels.email.authentication" in one_error_line(stderr)
