"""`cti db upgrade` and `cti db current` (how the URL is read: test_database_url.py)."""

from __future__ import annotations

import socket

from click.testing import CliRunner

from bot.commands.db import db
from bot.storage.migrate import head_revision


def test_upgrade_then_current(empty_database_url: str):
    runner = CliRunner(env={"CTI_DATABASE_URL": empty_database_url})
    before = runner.invoke(db, ["current"])
    assert before.exit_code == 0, before.output
    assert "ninguna (base vacía)" in before.output and "cti db upgrade" in before.output

    for _ in range(2):  # the second run finds nothing to do and says the same
        upgraded = runner.invoke(db, ["upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        assert "1103 alcaldías, 32 gobernaciones" in upgraded.output
        assert f"revisión {head_revision()}" in upgraded.output

    after = runner.invoke(db, ["current"])
    assert after.exit_code == 0, after.output
    assert f"revisión {head_revision()} (la más reciente)" in after.output


def test_unreachable_database_is_one_clear_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://cti:clave@127.0.0.1:{port}/cti"
    for command in ("upgrade", "current"):
        result = CliRunner(env={"CTI_DATABASE_URL": url}).invoke(db, [command])
        assert result.exit_code == 1
        assert "No fue posible usar la base de datos" in result.output
        assert "clave" not in result.output
