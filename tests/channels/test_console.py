"""`cti chat` in a terminal: the console's own words come from data/templates/console.yml."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT

CTI = Path(sys.executable).parent / "cti"
TEXTS = yaml.safe_load((PROJECT_ROOT / "data" / "templates" / "console.yml").read_text("utf-8"))


def test_an_interactive_session_greets_and_says_goodbye_in_the_catalogs_words(tmp_path: Path):
    parent, child = pty.openpty()  # stdin a terminal: `cti chat` runs interactively
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    try:
        process = subprocess.Popen(
            [str(CTI), "chat", "--db", str(tmp_path / "chat.db")],
            stdin=child,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=PROJECT_ROOT,
            env=environ,
        )
        os.write(parent, b"\x04")  # Ctrl+D, read by the first prompt after the greeting
        out, err = process.communicate(timeout=120)
    finally:
        os.close(parent)
        os.close(child)
    assert process.returncode == 0, err.decode()
    text = out.decode("utf-8")
    assert text.startswith("Asistente CTI — escriba su mensaje (Ctrl+D para salir).\n\n")
    assert text.startswith(TEXTS["console.welcome"] + "\n\n")
    assert text.endswith("\nHasta pronto. Su avance quedó guardado.\n")
    assert text.endswith("\n" + TEXTS["console.goodbye"] + "\n")
    greeting = text.split("\n\n", 2)[1]
    assert greeting.strip()  # the assistant answered the «hola» sent for the user
