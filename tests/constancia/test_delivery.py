"""The constancia leaves like the report's files: a document on Telegram (through the local Bot
API server), an attachment of the emailed reply (through the outbox and MIME composition)."""

from __future__ import annotations

import email
import email.policy
import os
from datetime import UTC, datetime

import pytest

from bot.app import channel_traits
from bot.contract import Notice
from bot.conversation.engine import Engine
from channels.email.compose import compose, sender
from channels.email.render import EmailRenderer
from dialogues.messages import Catalog
from tests.channels.telegram.botapi_server import BotApiServer
from tests.channels.telegram.conftest import TEXTS, Person, running
from tests.conversation.chat import Chat

os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture
def backend() -> str:
    """Delivery is the channels' part; storage of the facts is tested on both backends."""
    return "sqlite"


async def test_on_telegram_the_constancia_is_a_pdf_document(engine) -> None:
    async with BotApiServer() as server, running(server, engine, Catalog.load(TEXTS)):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.register()
        await ana.press("a)")  # any answer to the first question
        await ana.say("revisar")
        await ana.press("Enviar diagnóstico")
        await ana.press("Sí, enviar")
        assert "constancia de envío N.º CTI-" in ana.text
        documents = [server.uploads[m["document"]["file_id"]] for m in ana.new if "document" in m]
    names = {d.filename: d for d in documents}
    pdf = next(
        d for name, d in names.items() if name.startswith("constancia-") and name.endswith(".pdf")
    )
    assert pdf.data.startswith(b"%PDF-")
    assert pdf.filename.removesuffix(".pdf") + ".html" in names
    assert "informe-cti.html" in names  # the report still follows


async def test_by_email_the_constancia_is_attached_to_the_reply(engine, store) -> None:
    address = "ana@pasto.gov.co"
    ana = Chat(engine, address, channel="email")
    await ana.register(email=address)
    await ana.send("a")
    # From here on replies leave through the outbox, as `cti run` sends email.
    deferred = Engine(store, engine.deps, engine.interpreter, traits=channel_traits())
    mail = Chat(deferred, address, channel="email")
    await mail.send("revisar")
    await mail.send("enviar")
    await mail.send("sí")
    async with store.transaction() as tx:
        [notice] = [n for n in await tx.outbox_for(address) if isinstance(n, Notice)][-1:]
    assert any("Diagnóstico enviado" in r.text for r in notice.replies)
    outbound = EmailRenderer(engine.deps.templates_dir).render(
        list(notice.replies), address, "<r1@cti.test>"
    )
    message = compose(outbound, sender("asistente@cti.test", "Asistente CTI"), datetime.now(UTC))
    parsed = email.message_from_bytes(bytes(message), policy=email.policy.default)
    parts = {p.get_filename(): p for p in parsed.iter_attachments()}
    [pdf_name] = [n for n in parts if n and n.startswith("constancia-") and n.endswith(".pdf")]
    assert parts[pdf_name].get_content_type() == "application/pdf"
    assert parts[pdf_name].get_content().startswith(b"%PDF-")
    html = parts[pdf_name.removesuffix(".pdf") + ".html"].get_content()
    assert "Constancia de envío del autodiagnóstico" in html
    assert pdf_name in outbound.text  # the mail names its files
