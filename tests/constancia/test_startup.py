"""`cti run` (the real process) refuses to start a channel that delivers constancias without
their secret, as it does for the other secrets: one Spanish line, before anything is opened."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.processes import finished, one_error_line, start

TELEGRAM = {"CTI_TELEGRAM_ENABLED": "true", "CTI_TELEGRAM_TOKEN": "1:x"}
EMAIL = {"CTI_EMAIL_ENABLED": "true", "CTI_MAIL_KEY_SECRET": "pruebas-" + "s" * 40}


@pytest.mark.parametrize(
    "extra",
    [TELEGRAM, EMAIL, {**TELEGRAM, "CTI_CONSTANCIA_SECRET": "corto"}],
    ids=["telegram", "email", "short"],
)
async def test_run_without_the_constancia_secret_is_one_line(tmp_path: Path, extra) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    env.update(
        CTI_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cti.db'}",
        CTI_NLU_BACKEND="rules",
        CTI_CONSOLE_ENABLED="false",
        PTB_TIMEDELTA="true",
        **extra,
    )
    status, stderr = await finished(await start(env))
    assert status == 2
    line = one_error_line(stderr)
    assert "CTI_CONSTANCIA_SECRET" in line and "al menos 32 caracteres" in line
    assert "corto" not in stderr and "1:x" not in stderr
    assert not (tmp_path / "cti.db").exists()  # it failed before opening anything
