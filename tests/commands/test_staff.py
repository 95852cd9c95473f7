"""`cti staff`: accounts of the web console, from the command line (SQLite file)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import main


def _cti(db: Path, *args: str, stdin: str = "") -> Result:
    env = {"CTI_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    # In a thread: the commands run their own event loop, and the test's may be running.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(CliRunner().invoke, main, list(args), stdin, env).result()


def test_add_reset_disable_and_list(tmp_path: Path):
    db = tmp_path / "cti.db"
    assert _cti(db, "db", "upgrade").exit_code == 0
    added = _cti(
        db, "staff", "add", "Ana@MinTIC.gov.co", "--role", "admin", stdin="clave-muy-larga-1\n"
    )
    assert added.exit_code == 0, added.output
    assert "Cuenta creada: ana@mintic.gov.co (rol admin)" in added.output
    again = _cti(
        db, "staff", "add", "ana@mintic.gov.co", "--role", "viewer", stdin="otra-clave-larga\n"
    )
    assert again.exit_code == 2 and "ya existe una cuenta" in again.output
    short = _cti(db, "staff", "add", "luis@mintic.gov.co", "--role", "viewer", stdin="corta\n")
    assert short.exit_code == 2 and "al menos 12 caracteres" in short.output
    outside = _cti(
        db, "staff", "add", "luis@gmail.com", "--role", "viewer", stdin="clave-muy-larga\n"
    )
    assert outside.exit_code == 2 and "routing.staff_domains" in outside.output
    reset = _cti(db, "staff", "reset", "ana@mintic.gov.co", stdin="clave-nueva-larga\n")
    assert reset.exit_code == 0 and "sesiones abiertas se cerraron" in reset.output
    assert _cti(db, "staff", "disable", "nadie@mintic.gov.co").exit_code == 2
    assert _cti(db, "staff", "disable", "ana@mintic.gov.co").exit_code == 0
    listed = _cti(db, "staff", "list")
    assert listed.output.split("\t")[:3] == ["ana@mintic.gov.co", "admin", "deshabilitada"]
