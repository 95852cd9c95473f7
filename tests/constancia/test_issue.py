"""A member submits: the reply carries the constancia (PDF and HTML), and `cti constancia verify`
(the real process, on SQLite and PostgreSQL) confirms it; after a reopening and a new submission
the old code verifies as superseded and the new one as valid. Only a member's submission earns
one."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os
import re
import subprocess
from pathlib import Path

import pypdf

from bot.constancia.code import Keys
from bot.constancia.lookup import Issued, Unverifiable, latest, verify
from bot.scoring import Answer
from tests.constancia.conftest import SECRET
from tests.conversation.chat import Chat, state_of
from tests.processes import CTI
from tests.storage.helpers import T0, at, register

CODE = re.compile(r"código de verificación es (\S+)\.")


def cti(url: str, *args: str, secret: str = SECRET) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    env["CTI_CONSTANCIA_SECRET"] = secret
    return subprocess.run(
        [str(CTI), "constancia", *args, "--db", url],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


async def run(url: str, *args: str, secret: str = SECRET) -> subprocess.CompletedProcess[str]:
    done = await asyncio.to_thread(cti, url, *args, secret=secret)
    assert "Traceback" not in done.stderr, done.stderr
    return done


async def submit(chat: Chat) -> tuple[str, dict[str, bytes]]:
    await chat.send("revisar")
    await chat.press("Enviar diagnóstico")
    await chat.press("Sí, enviar")
    assert "Diagnóstico enviado" in chat.text
    found = CODE.search(chat.text)
    assert found is not None, chat.text
    files = {a.filename: a.data for r in chat.last for a in r.attachments}
    return found.group(1), files


async def test_a_members_submission_carries_a_constancia_the_cli_verifies(
    engine, store, database_url, tmp_path: Path
):
    chat = Chat(engine, "ana")
    await chat.register()
    await chat.send("a")
    first, files = await submit(chat)
    assessment_id = (await state_of(store, chat)).state["assessment_id"]
    pdf_name = next(name for name in files if name.endswith(".pdf"))
    number = pdf_name.removeprefix("constancia-").removesuffix(".pdf")
    assert re.fullmatch(rf"CTI-20\d\d-{assessment_id:06d}", number)
    assert f"constancia-{number}.html" in files and "informe-cti.html" in files
    pdf = files[pdf_name]
    assert pdf.startswith(b"%PDF-")
    text = " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert number in text and first in text and "Alcaldía de Pasto (Nariño)" in text
    assert first.encode() in files[f"constancia-{number}.html"]

    done = await run(database_url, "verify", first)
    assert done.returncode == 0, done.stderr
    assert f"Constancia VÁLIDA N.º {number}" in done.stdout
    assert "Entidad: Alcaldía de Pasto (Nariño) (código DANE 52001)" in done.stdout
    assert "versión 1.0.0" in done.stdout and "Puntaje general:" in done.stdout
    assert "- Personas:" in done.stdout

    # Another secret, or one character changed, and the code is not valid.
    done = await run(database_url, "verify", first, secret="otro-secreto-" + "x" * 30)
    assert done.returncode == 1 and "Código no válido" in done.stdout
    tampered = first[:-1] + ("A" if first[-1] != "A" else "B")
    done = await run(database_url, "verify", tampered)
    assert done.returncode == 1 and "Código no válido" in done.stdout

    # Reopened: the constancia is withdrawn until a new submission, which gets a new code.
    await chat.send("reabrir")
    await chat.press("Reabrir diagnóstico")
    ctx = engine.deps.constancia
    async with store.transaction() as tx:
        withdrawn = await verify(tx, ctx, first)
    assert withdrawn.status == "withdrawn"  # type: ignore[union-attr]
    await chat.send("continuar")
    await chat.send("90")  # question 2 asks for a percentage: other scores than the first's
    second, files = await submit(chat)
    assert second != first and second.startswith(f"{assessment_id}-2-")
    assert f"constancia-{number}-2.pdf" in files

    old = await run(database_url, "verify", first)
    assert old.returncode == 1
    assert f"Constancia REEMPLAZADA N.º {number}:" in old.stdout
    assert "Entidad: Alcaldía de Pasto (Nariño)" in old.stdout  # what it certified then
    new = await run(database_url, "verify", second)
    assert new.returncode == 0 and f"Constancia VÁLIDA N.º {number}-2" in new.stdout

    # The superseded one states what it certified then: other answers, another time.
    def stated(out: str, label: str) -> str:
        return next(line for line in out.splitlines() if line.startswith(label))

    assert stated(old.stdout, "Puntaje general") != stated(new.stdout, "Puntaje general")

    shown = await run(database_url, "show", "52001", "--out", str(tmp_path))
    assert shown.returncode == 0, shown.stderr
    assert second in shown.stdout
    assert (tmp_path / f"constancia-{number}-2.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / f"constancia-{number}-2.html").exists()


async def test_without_a_member_no_constancia_is_issued(engine, store, database_url):
    """Access rules keep a pending official from submitting; were a submission recorded anyway
    (here written straight to storage), it earns no constancia."""
    q = engine.deps.questionnaire
    async with store.transaction() as tx:
        _, pending = await register(tx, "9", "Luis", "luis@gmail.com", entity="52001")
        assert not pending.is_member
        cycle = engine.deps.cycle_of(engine.clock())
        assessment = await tx.open_assessment("52001", cycle, q.id, q.version, pending.id, T0)
        first_question = q.questions_for("alcaldia")[0]
        option = first_question.options[0].id
        await tx.save_answer(assessment.id, first_question.id, Answer("option", option), None, T0)
        await tx.set_assessment_status(assessment.id, "submitted", pending.id, at(1))
        assert await latest(tx, engine.deps.constancia, assessment.id) is None
    done = await run(database_url, "show", "52001")
    assert done.returncode == 2 and "no hay constancia que emitir" in done.stderr
    # Without the secret the commands cannot vouch for anything: one line, nothing else.
    done = await run(database_url, "verify", "1-1-AAAA-AAAA-AAAA-AAAA", secret="")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("Error: ") and len(done.stderr.splitlines()) == 1
    assert "CTI_CONSTANCIA_SECRET" in done.stderr


async def test_no_secret_no_constancia(store, static, interpreter):
    from bot.app import build_deps
    from bot.config import load_config
    from bot.conversation.engine import Engine

    engine = Engine(store, build_deps(load_config(env={}), static), interpreter)
    assert engine.deps.constancia is None
    chat = Chat(engine, "sin-secreto")
    await chat.register()
    await chat.send("a")
    await chat.send("revisar")
    await chat.press("Enviar diagnóstico")
    await chat.press("Sí, enviar")
    assert "Diagnóstico enviado" in chat.text and "constancia" not in chat.text
    assert not any(a.filename.startswith("constancia") for r in chat.last for a in r.attachments)


async def test_a_previous_secret_still_verifies_after_a_rotation(engine, store):
    chat = Chat(engine, "rota")
    await chat.register()
    await chat.send("a")
    code, _ = await submit(chat)
    ctx = engine.deps.constancia
    rotated = dataclasses.replace(ctx, keys=Keys.from_secrets("nuevo-" + "n" * 40, SECRET))
    alone = dataclasses.replace(ctx, keys=Keys.from_secrets("nuevo-" + "n" * 40))
    async with store.transaction() as tx:
        assert (await verify(tx, rotated, code)).status == "valid"  # type: ignore[union-attr]
        assert (await verify(tx, alone, code)).status == "invalid"  # type: ignore[union-attr]
        issued = await latest(tx, ctx, int(code.split("-")[0]))
        # Answered with a questionnaire this installation does not load: said, not guessed.
        unloaded = dataclasses.replace(ctx, questionnaires=lambda qid, version: None)
        assert await verify(tx, unloaded, code) == Unverifiable(
            engine.deps.questionnaire.id, engine.deps.questionnaire.version
        )
    assert isinstance(issued, Issued) and issued.view.code == code
