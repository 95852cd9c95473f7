"""One contact, two channels: continuing on email what was started on Telegram and the other
way round, proven with a one-time code mailed to the registered address."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_deps, channel_traits
from bot.config import load_config
from bot.contract import ConversationKey, IncomingMessage, OutboundEmail
from bot.conversation.engine import Engine
from tests.conversation.chat import Chat
from tests.conversation.mailbox import Mailbox

ADDRESS = "ana@pasto.gov.co"


@pytest.fixture
def both(store, static, interpreter) -> Engine:
    """One engine for both channels: Telegram replies at once, email through the outbox."""
    deps = build_deps(load_config(env={"CTI_EMAIL_ENABLED": "true"}), static)
    assert deps.mail_enabled
    return Engine(store, deps, interpreter, traits=channel_traits())


async def mailed_code(engine: Engine) -> str:
    async with engine.store.transaction() as tx:
        items = await tx.outbox_for(ADDRESS)
    codes = [i for i in items if isinstance(i, OutboundEmail) and i.kind == "code"]
    assert codes, "no code was mailed"
    found = re.search(r"^\s*(\d{6})\s*$", codes[-1].text, re.MULTILINE)
    assert found is not None
    return found.group(1)


async def test_started_on_telegram_continued_by_email(both):
    telegram = Chat(both, "7001", channel="telegram")
    await telegram.register(email=ADDRESS)
    await telegram.send("a")  # first question answered on Telegram
    mail = Mailbox(both, ADDRESS)
    await mail.send("Buenos días, quiero seguir con el diagnóstico")
    await mail.send("Acepto\n\nAna Pérez\nAlcaldía de Pasto")
    assert "código de 6 dígitos" in mail.text and "a***@pasto.gov.co" in mail.text
    await mail.send("123456")  # a wrong code
    assert "no coincide" in mail.text
    await mail.send(f"El código es {await mailed_code(both)}")
    assert "quedó unida a su registro de la Alcaldía de Pasto" in mail.text
    # The same assessment: the block starts after what was answered on Telegram.
    assert "Personas · Educación" in mail.text and "1) ¿Qué porcentaje" in mail.text
    async with both.store.transaction() as tx:
        by_telegram = await tx.find_conversation(ConversationKey("telegram", "7001"))
        by_email = await tx.find_conversation(ConversationKey("email", ADDRESS))
    assert by_telegram.contact_id == by_email.contact_id is not None


async def test_started_by_email_continued_on_telegram(both):
    mail = Mailbox(both, ADDRESS)
    for line in ("Hola", "acepto", "alcaldía", "Pasto", "sí", "Ana Pérez", "Asesora TIC"):
        await mail.send(line)
    await mail.send(ADDRESS)
    await mail.send("sí")
    telegram = Chat(both, "7002", channel="telegram")
    await telegram.send("hola")
    await telegram.press("Acepto")
    await telegram.send(ADDRESS)  # at "¿alcaldía o gobernación?": the registered address
    assert "código de 6 dígitos" in telegram.text
    await telegram.send(await mailed_code(both))
    assert "quedó unida" in telegram.text and telegram.question_id() == "PER-EDU-01"


async def test_five_wrong_codes_cancel_the_link(both):
    await Chat(both, "7003", channel="telegram").register(email=ADDRESS)
    mail = Mailbox(both, ADDRESS)
    await mail.send("Hola")
    await mail.send("acepto")
    for _ in range(5):
        await mail.send("000000")
    assert "lo anulamos por seguridad" in mail.text
    await mail.send(await mailed_code(both))  # too late: the code is void
    assert "quedó unida" not in mail.text


async def test_without_mail_no_code_is_promised(store, static, interpreter):
    engine = Engine(store, build_deps(load_config(env={}), static), interpreter)
    await Chat(engine, "7005", channel="telegram").register(email=ADDRESS)
    other = Chat(engine, "7006", channel="telegram")
    await other.register(email=ADDRESS)  # registers anew: the code could not be delivered
    assert "Quedó registrado" in other.text


async def test_an_expired_code_is_refused(both):
    await Chat(both, "7004", channel="telegram").register(email=ADDRESS)
    key = ConversationKey("email", ADDRESS)
    start = datetime.now(UTC)
    for n, text in enumerate(("Hola", "acepto")):
        await both.handle(
            IncomingMessage(key, f"<x{n}@p>", text=text, received_at=start, proven=True)
        )
    late = start + timedelta(minutes=16)
    await both.handle(
        IncomingMessage(key, "<x9@p>", text=await mailed_code(both), received_at=late, proven=True)
    )
    async with both.store.transaction() as tx:
        replies = await tx.outbox_for(ADDRESS)
        conversation = await tx.find_conversation(key)
    assert "venció" in "\n".join(r.text for r in replies[-1].replies)
    assert conversation.contact_id is None
