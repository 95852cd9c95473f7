"""The `cti` process itself: what it creates on disk is readable by its owner only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

CTI = Path(sys.executable).parent / "cti"


def _cti(tmp_path: Path, *args: str, stdin: str = "") -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    done = subprocess.run(
        [str(CTI), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**environ, "CTI_NLU_BACKEND": "rules"},
        timeout=120,
        umask=0o022,  # a shell's usual umask: `cti` must narrow it itself
    )
    assert done.returncode == 0, done.stderr


def _modes(root: Path) -> dict[str, int]:
    return {
        str(path.relative_to(root)): stat.S_IMODE(path.stat().st_mode)
        for path in (root, *root.rglob("*"))
    }


def test_database_reports_and_files_are_created_for_the_owner_only(tmp_path: Path):
    var = tmp_path / "var"
    _cti(tmp_path, "questionnaire", "sample", "--seed", "3", "--out", str(var / "a.yml"))
    _cti(
        tmp_path,
        "report",
        "--answers",
        str(var / "a.yml"),
        "--entity",
        "05001",
        "--out",
        str(var / "informes"),
    )
    # A conversation that consents writes the database (and its WAL journal).
    script = "hola\nacepto\n"
    _cti(
        tmp_path,
        "chat",
        "--db",
        str(var / "db" / "cti.db"),
        "--files",
        str(var / "chat"),
        stdin=script,
    )
    modes = _modes(var)
    assert {"a.yml", "db/cti.db", "informes/report.html"} <= set(modes), sorted(modes)
    loose = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode & 0o077 or mode & 0o700 not in (0o600, 0o700)
    }
    assert loose == {}, loose
