"""The questionnaire by email through the engine: replies are written to the outbox in the
message's own transaction, and questions come a block (subdimension) at a time."""

from __future__ import annotations

import pytest

from bot.app import build_deps, channel_traits
from bot.config import load_config
from bot.contract import ConversationKey, IncomingMessage
from bot.conversation.engine import Engine
from bot.storage.api import StorageError
from bot.storage.engine import make_engine
from bot.storage.sql import SqlStore
from tests.conversation.mailbox import Mailbox, block_size


@pytest.fixture
def email_engine(store, static, interpreter) -> Engine:
    woken: list[int] = []
    engine = Engine(
        store,
        build_deps(load_config(env={}), static),
        interpreter,
        traits=channel_traits(),
        on_outbox=lambda: woken.append(1),
    )
    engine.woken = woken  # type: ignore[attr-defined]
    return engine


async def test_replies_are_queued_threaded_and_the_outbox_woken(email_engine):
    ana = Mailbox(email_engine, "marta@tunja.gov.co")
    notice = await ana.send("Hola", message_id="<primero@tunja.gov.co>")
    assert notice is not None and "Ley 1581" in ana.text
    assert notice.in_reply_to == "<primero@tunja.gov.co>" and notice.subject == "Diagnóstico"
    assert email_engine.woken
    again = await ana.send("Hola", message_id="<primero@tunja.gov.co>")  # the same mail again
    assert again is None  # a duplicate queues nothing


async def test_a_whole_block_is_answered_in_one_email(email_engine, static):
    ana = Mailbox(email_engine, "marta@tunja.gov.co")
    await ana.register()
    first = ana.text
    assert "Personas · Educación" in first and "1) ¿" in first
    size = block_size(first)
    assert size >= 3
    await ana.send("1) b\n2) 45 %\n3) no sé\n4) 5,5")
    text = ana.text
    assert "✓ b)" in text and "✓ 45 %" in text and "✓ No sé" in text and "✓ 5,5 %" in text
    assert "Personas · Habilidades" in text  # the next block
    # A reply with an unclear item: the clear ones are saved, the unclear one asked again.
    await ana.send("1) z\n2) a\n3) omitir\n4) b")
    text = ana.text
    assert "✗ «z» no corresponde a una opción" in text
    assert "la dejamos para después" in text
    assert "no pude entender" in text and block_size(text) == 1


async def test_text_that_is_not_answers_is_understood_as_a_request(email_engine):
    ana = Mailbox(email_engine, "marta@tunja.gov.co")
    await ana.register()
    await ana.send("¿Hasta cuándo hay plazo para hacer el diagnóstico?")
    assert "1 de abril" in ana.text
    assert "Personas · Educación" in ana.text  # and the same block comes back


async def test_results_by_email_attach_the_report(email_engine):
    ana = Mailbox(email_engine, "marta@tunja.gov.co")
    await ana.register()
    await ana.send("1) b\n2) 45\n3) c\n4) 5")
    assert "✓ c)" in ana.text
    await ana.send("resultados")
    names = [a.filename for r in ana.inbox[-1].replies for a in r.attachments]
    assert any(n.endswith(".html") for n in names) and any(n.endswith(".png") for n in names)


async def test_a_database_outage_is_raised_so_the_mail_is_kept(static, interpreter):
    # Nothing listens on this port: every transaction fails to connect.
    store = SqlStore(make_engine("postgresql+asyncpg://cti@127.0.0.1:9/cti"))
    engine = Engine(
        store, build_deps(load_config(env={}), static), interpreter, traits=channel_traits()
    )
    message = IncomingMessage(ConversationKey("email", "marta@tunja.gov.co"), "<x@y>", text="Hola")
    try:
        with pytest.raises(StorageError):
            await engine.handle(message)
        # The same outage on a live channel gets a polite "try again shortly" instead.
        console = IncomingMessage(ConversationKey("console", "c1"), "m1", text="Hola")
        [reply] = await engine.handle(console)
        assert "intente de nuevo" in reply.text
    finally:
        await store.close()


async def test_the_questionnaire_by_spreadsheet(email_engine):
    from bot import spreadsheet
    from bot.contract import Attachment
    from tests.report.helpers import fill

    ana = Mailbox(email_engine, "marta@tunja.gov.co")
    await ana.register()
    await ana.send("excel")
    [sheet] = [a for r in ana.inbox[-1].replies for a in r.attachments]
    assert sheet.filename.endswith(".xlsx")
    filled = fill(sheet.data, {"PER-EDU-01": "a", "PER-EDU-02": 80, "PER-EDU-03": "zz"})
    message = IncomingMessage(
        ConversationKey("email", ana.address),
        "<adjunto@tunja.gov.co>",
        proven=True,
        text="Adjunto el cuestionario",
        attachments=(Attachment("cuestionario-cti.xlsx", spreadsheet.MIME, filled),),
    )
    assert await email_engine.handle(message) == []
    async with email_engine.store.transaction() as tx:
        [reply] = await tx.outbox_for(ana.address, ana.seen)
    text = "\n".join(r.text for r in reply.replies)
    assert "guardé 2 respuesta(s)" in text
    assert "Fila 7 (PER-EDU-03): «zz» no es una de las letras" in text
    # The next block starts at what is still open.
    assert "1) ¿La entidad hace seguimiento" in text
