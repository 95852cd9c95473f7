"""`cti chat` in a terminal: the console's own words come from data/templates/console.yml."""

from __future__ import annotations

import io
import itertools
import os
import pty
import queue
import re
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from bot.config import PROJECT_ROOT
from bot.contract import ConversationKey, IncomingMessage
from bot.storage.base import consents
from channels.console import Console
from tests.conversation.chat import Chat
from tests.conversation.conftest import backend, engine, interpreter, static  # noqa: F401
from tests.storage.helpers import with_domains

CTI = Path(sys.executable).parent / "cti"
TEXTS = yaml.safe_load((PROJECT_ROOT / "data" / "templates" / "console.yml").read_text("utf-8"))
NOTICE = "Ley 1581"


async def _consents(store) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(consents))).scalar_one())


async def test_a_number_typed_after_declining_is_not_consent(engine, store, tmp_path):  # noqa: F811
    """«1» picks from the options on screen now; after «no acepto» there are none, so it is
    free text (the notice again), not the «Acepto» button of the reply before."""
    out = io.StringIO()
    ids = itertools.count(1)
    console = Console(engine, "decline", tmp_path, lambda k, **_: k, out, lambda: f"c{next(ids)}")
    notice = await console.send("hola")
    assert any(NOTICE in r.text for r in notice) and console.options
    assert [o.label for o in console.options][:2] == ["Acepto", "No acepto"]
    declined = await console.send("no acepto")
    assert "No guardamos ningún dato" in declined[-1].text and console.options == ()
    again = await console.send("1")
    assert any(NOTICE in r.text for r in again)  # asked again, nothing recorded
    assert await _consents(store) == 0
    assert "autorización quedó registrada" not in out.getvalue()
    await console.send("1")  # now «1» is «Acepto» on screen: an explicit choice
    assert await _consents(store) == 1


async def test_the_engine_takes_a_typed_number_for_no_consent_on_any_channel(engine, store):  # noqa: F811
    """Email and Telegram send a typed «1» as text (a button press comes as its option): before
    consent, text is consent only when it says «acepto»."""
    for channel in ("email", "telegram", "console"):
        key = ConversationKey(channel, f"numero-{channel}@x.co" if channel == "email" else "77")
        for n, text in enumerate(("hola", "no acepto", "1")):
            message = IncomingMessage(key, f"{channel}{n}", text=text, proven=True)
            await engine.handle(message)
    assert await _consents(store) == 0


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


def test_with_mail_off_the_code_mail_shows_in_the_terminal_and_registers(tmp_path: Path):
    """Console mail: the code that verifies the address is printed where the person reads, and
    typing it back registers them (marked sent: its text does not stay in the database)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    process = subprocess.Popen(
        [str(CTI), "chat", "--db", str(tmp_path / "chat.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT_ROOT,
        env=environ,
    )
    assert process.stdin is not None and process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(raw.decode("utf-8")) for raw in process.stdout], daemon=True
    ).start()

    seen: list[str] = []

    def until(pattern: str) -> re.Match[str]:
        start = len(seen)
        while True:
            try:
                seen.append(lines.get(timeout=120))
            except queue.Empty:
                raise AssertionError(f"no {pattern!r} in {''.join(seen)}") from None
            if found := re.search(pattern, "".join(seen[start:]), re.MULTILINE):
                return found

    try:
        for line in ("hola", "acepto", "alcaldía", "Tunja", "sí", "Marta Gil", "Asesora TIC"):
            process.stdin.write(f"{line}\n".encode())
        process.stdin.write(b"marta@tunja.gov.co\nsi\n")
        process.stdin.flush()
        until(r"✉ Correo para marta@tunja.gov.co .*Código para verificar su correo")
        code = until(r"^  │ (\d{6})$").group(1)
        process.stdin.write(f"{code}\n".encode())
        process.stdin.close()
        # The first official of Tunja here (no domain loaded): verified, «sin verificar».
        until(r"Su correo quedó verificado.*primera persona de la Alcaldía de Tunja")
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        assert process.stderr is not None
        process.stderr.close()
    database = sqlite3.connect(tmp_path / "chat.db")
    [(status, body)] = database.execute("SELECT status, body_text FROM outbox").fetchall()
    assert (status, body) == ("sent", "")


@pytest.fixture
async def members(store):
    """Pasto's institutional domain, so the official registered here is a member who sees
    results and may submit (tests/storage/helpers.py)."""
    await with_domains(store)


async def test_one_numbered_list_per_answer_and_labels_typed_without_accents(
    engine,  # noqa: F811
    members,
    tmp_path: Path,
):
    """The results (with their offers of accompaniment) followed by the review: only the
    review's options are numbered; the offers are words. «enviar diagnostico» typed without
    the accent is the «Enviar diagnóstico» button."""
    chat = Chat(engine, "lists")  # the same console conversation, registered by the harness
    await chat.register()
    # Low answers in three subdimensions: priorities to offer accompaniment for.
    for answer in ("a", "0", "ir a 5", "a", "ir a 9", "a"):
        await chat.send(answer)
    await chat.send("revisar")
    out = io.StringIO()
    ids = itertools.count(1)
    console = Console(engine, "lists", tmp_path, lambda k, **_: k, out, lambda: f"l{next(ids)}")
    replies = await console.send("resultados")
    shown = out.getvalue()

    assert sum(1 for r in replies if r.options) == 2  # results' offers, then the review's
    assert len(re.findall(r"^  1\. ", shown, re.MULTILINE)) == 1
    assert re.search(r"^  \[Acompañamiento: ", shown, re.MULTILINE)
    assert [o.value for o in console.options] == ["answers:", "submit", "jump", "continue"]
    await console.send("2")
    assert "¿Confirma el envío?" in out.getvalue()
    await console.send("No, todavía no")
    await console.send("enviar diagnostico")
    assert out.getvalue().count("¿Confirma el envío?") == 2
