"""One resolution of the database setting (`database.url`, `CTI_DATABASE_URL`, `--db`) for
every command: the unit table, then through the real `cti` processes from another folder."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bot.config import PROJECT_ROOT
from bot.storage.api import StorageError
from bot.storage.engine import resolve_url

ROOT = Path("/srv/cti")
CTI = Path(sys.executable).parent / "cti"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("sqlite+aiosqlite:///var/cti.db", "sqlite+aiosqlite:////srv/cti/var/cti.db"),
        ("sqlite:///var/cti.db", "sqlite+aiosqlite:////srv/cti/var/cti.db"),
        ("var/cti.db", "sqlite+aiosqlite:////srv/cti/var/cti.db"),
        ("  var/cti.db\n", "sqlite+aiosqlite:////srv/cti/var/cti.db"),
        ("cti.db", "sqlite+aiosqlite:////srv/cti/cti.db"),
        ("/data/cti.db", "sqlite+aiosqlite:////data/cti.db"),
        ("sqlite:////data/cti.db", "sqlite+aiosqlite:////data/cti.db"),
        ("sqlite+aiosqlite://", "sqlite+aiosqlite://"),
        ("sqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
        (":memory:", "sqlite+aiosqlite:///:memory:"),
        ("postgresql://u:p@db/cti", "postgresql+asyncpg://u:p@db/cti"),
        ("postgres://u:p@db/cti", "postgresql+asyncpg://u:p@db/cti"),
        ("postgresql+asyncpg://u:p@db:5433/cti", "postgresql+asyncpg://u:p@db:5433/cti"),
    ],
)
def test_a_setting_resolves_to_one_url(setting: str, expected: str):
    # Compared as parsed URLs: rendering may percent-escape (":memory:" -> "%3Amemory%3A").
    assert make_url(resolve_url(setting, ROOT)) == make_url(expected)


def test_a_plain_path_with_url_characters_stays_one_file():
    url = resolve_url("var/año 2026?#.db", ROOT)
    assert make_url(url).database == "/srv/cti/var/año 2026?#.db"


@pytest.mark.parametrize(
    "setting",
    ["", "   ", "mysql://u:secret@db/cti", "postgresql://u:secret@db:port/cti", "::://secret"],
)
def test_an_unusable_setting_is_a_storage_error_without_the_password(setting: str):
    with pytest.raises(StorageError) as caught:
        resolve_url(setting, ROOT)
    assert "secret" not in str(caught.value)


# --- through the CLI ----------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root of its own (config.yml there), the shipped data by absolute path."""
    root = tmp_path / "project"
    root.mkdir()
    data = {
        name: PROJECT_ROOT / "data" / rel
        for name, rel in {
            "questionnaire": "questionnaire/v1.yml",
            "divipola": "divipola.csv",
            "aliases": "territory_aliases.yml",
            "templates": "templates",
            "nlu": "nlu",
        }.items()
    }
    lines = ["data:", *(f"  {k}: {v}" for k, v in data.items()), "nlu:", "  backend: rules"]
    (root / "config.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _cti(
    project: Path, cwd: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    environ.update(CTI_CONFIG=str(project / "config.yml"), **env)
    return subprocess.run(
        [str(CTI), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ,
        timeout=120,
    )


def _handled(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM processed_messages").fetchone()[0])


def test_chat_accepts_a_plain_file_path(project: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = _cti(project, elsewhere, "chat", "--db", "var/x.db", stdin="hola\n")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.strip()  # the assistant answered
    assert _handled(project / "var" / "x.db") == 1
    assert not (elsewhere / "var").exists()


def test_db_upgrade_and_the_assistant_open_the_same_file(project: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    setting = {"CTI_DATABASE_URL": "sqlite:///var/cti.db"}
    upgraded = _cti(project, elsewhere, "db", "upgrade", **setting)
    assert upgraded.returncode == 0, upgraded.stderr
    database = project / "var" / "cti.db"
    assert str(database) in upgraded.stdout
    assert _handled(database) == 0  # migrated, nothing handled yet

    # `cti chat` builds the app exactly as `cti run` does (bot.app.build_app).
    chatted = _cti(project, elsewhere, "chat", stdin="hola\n", **setting)
    assert chatted.returncode == 0, chatted.stderr
    assert _handled(database) == 1
    assert not (elsewhere / "var").exists()


def test_an_unusable_database_setting_is_one_line(project: Path, tmp_path: Path):
    done = _cti(project, tmp_path, "chat", "--db", "mysql://u:secret@db/cti", stdin="hola\n")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "secret" not in done.stderr
    assert done.stderr.startswith("Error: ") and len(done.stderr.strip().splitlines()) == 1
