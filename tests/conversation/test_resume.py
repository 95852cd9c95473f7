"""A crash between any two messages loses nothing: a new engine on the same database resumes.

The same script runs twice: once through one engine, once rebuilding the store and the engine
before every single message (what a restart after kill -9 looks like to the engine). The two
transcripts must be identical, and so must the stored answers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import build_deps
from bot.config import load_config
from bot.contract import ConversationKey, IncomingMessage
from bot.conversation.engine import Engine
from bot.storage.sql import open_store
from nlu.rules import RuleInterpreter
from tests.conversation.chat import mailed_code
from tests.storage.helpers import with_domains

CODE = "<the code mailed to marta@tunja.gov.co>"  # read from the outbox when its turn comes
SCRIPT = [
    "hola",
    "acepto",
    "alcaldía",
    "tunja",
    "sí",
    "Marta Gil",
    "Asesora TIC",
    "marta@tunja.gov.co",
    "sí",
    CODE,
    "a",
    "b",
    "no sé",
    "omitir",
    "c",
    "atrás",
    "d",
    "ayuda",
    "50",
    "zzz",
    "b",
    "revisar",
    "continuar",
    "a",
    "progreso",
    "pausa",
    "continuar",
    "e",
]
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def message(i: int, text: str) -> IncomingMessage:
    return IncomingMessage(
        ConversationKey("console", "resume"), f"r{i}", text=text, received_at=NOW
    )


async def run(url: str, static, *, restart_every_message: bool) -> tuple[list[str], dict]:
    deps = build_deps(load_config(env={}), static)
    transcript: list[str] = []
    store = await with_domains(await open_store(url, static.gazetteer))
    engine = Engine(store, deps, RuleInterpreter())
    for i, text in enumerate(SCRIPT):
        if restart_every_message:
            await store.close()
            store = await open_store(url, static.gazetteer)
            engine = Engine(store, deps, RuleInterpreter())
        if text == CODE:
            text = await mailed_code(store, "marta@tunja.gov.co")
        transcript += [r.text for r in await engine.handle(message(i, text))]
    async with store.transaction() as tx:
        conversation = await tx.find_conversation(ConversationKey("console", "resume"))
        answers = await tx.answers(conversation.state["assessment_id"])
    await store.close()
    return transcript, {q: a.answer for q, a in answers.items()}


async def test_restart_before_every_message_changes_nothing(tmp_path, static):
    steady = await run(
        f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", static, restart_every_message=False
    )
    restarted = await run(
        f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", static, restart_every_message=True
    )
    assert restarted == steady
    transcript, answers = steady
    assert len(answers) >= 6
    assert any("✓ Guardado" in t for t in transcript)


async def test_a_failed_transaction_keeps_nothing_and_can_be_retried(tmp_path, static):
    """If the process dies before commit the message is not claimed: resending it works."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"
    deps = build_deps(load_config(env={}), static)
    store = await with_domains(await open_store(url, static.gazetteer))
    engine = Engine(store, deps, RuleInterpreter())
    for i, text in enumerate(SCRIPT[:10]):
        if text == CODE:
            text = await mailed_code(store, "marta@tunja.gov.co")
        await engine.handle(message(i, text))

    class Boom(Exception):
        pass

    original = store.transaction

    def exploding():
        class Tx:
            async def __aenter__(self):
                self.inner = original()
                tx = await self.inner.__aenter__()

                async def save_answer(*args, **kwargs):
                    raise Boom("crash before commit")

                tx.save_answer = save_answer
                return tx

            async def __aexit__(self, *exc):
                return await self.inner.__aexit__(*exc)

        return Tx()

    store.transaction = exploding
    replies = await engine.handle(message(10, "a"))
    assert "tuve un problema" in replies[0].text  # the user is told; nothing claimed saved
    store.transaction = original
    replies = await engine.handle(message(10, "a"))  # the channel redelivers the same id
    assert "✓ Guardado" in replies[0].text
    await store.close()
