"""`cti run` with email enabled but misconfigured: one Spanish line, no traceback, no secret."""

from __future__ import annotations

import os
from pathlib import Path

from tests.processes import finished, one_error_line, start


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    env.update(
        CTI_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cti.db'}",
        CTI_NLU_BACKEND="rules",
        CTI_CONSOLE_ENABLED="false",
        CTI_EMAIL_ENABLED="true",
    )
    env.update(extra)
    return env


async def test_imap_without_credentials_is_one_line(tmp_path: Path) -> None:
    status, stderr = await finished(await start(environment(tmp_path)))
    assert status != 0
    assert "CTI_IMAP_PASSWORD" in one_error_line(stderr)
