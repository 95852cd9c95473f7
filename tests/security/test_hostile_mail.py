"""Hostile mail through the running email service of `cti run` (IMAP reader, or the SMTP
listener), with real servers on loopback: robots, bounces, lists, our own mail coming back,
oversized mail, MIME bombs and malformed senders get no reply and change nothing in the
database, each logged with its reason; a stranger posing as MinTIC staff about a ticket gets
only what any stranger gets (the consent notice), and the ticket does not move.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime
from email.message import EmailMessage

import aiosmtplib
import pytest
from sqlalchemy import insert

from bot.config import Config
from bot.storage.base import tickets
from bot.storage.sql import SqlStore
from nlu.rules import RulesFirst
from tests.channels.email.helpers import US, email_config, running
from tests.channels.email.smtp_server import SmtpServer, free_port
from tests.nlu.helpers import embedded, shared_cache
from tests.storage.helpers import dump_tables

MAX_BYTES = 1_000_000
WAIT = 60.0
ANA = "ana.perez@pasto.gov.co"
SPOOFER = "soporte@mintic-gov.co.ru"


@pytest.fixture(scope="module")
def nlu(tmp_path_factory) -> RulesFirst:
    return RulesFirst(embedded(shared_cache(tmp_path_factory)))


async def outbox_counts(store: SqlStore) -> Counter[str]:
    async with store.transaction() as tx:
        return await tx.outbox_counts()


def mail(sender: str = "jefe@pasto.gov.co", text: str = "Hola", **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = US
    message["Subject"] = headers.pop("Subject", "Autodiagnóstico")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


def nested(depth: int) -> bytes:
    """A MIME tree `depth` levels deep, one text part at the bottom."""
    head = f"From: jefe@pasto.gov.co\r\nTo: {US}\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth)
    )
    closing = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(depth)))
    return (head + opening + "Content-Type: text/plain\r\n\r\nhola\r\n" + closing).encode()


def wide(parts: int) -> bytes:
    """One multipart with `parts` tiny parts: parsing each costs the parser ~0.7 ms."""
    head = (
        f"From: jefe@pasto.gov.co\r\nTo: {US}\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
    )
    return (head + "--B\r\nContent-Type: text/plain\r\n\r\nx\r\n" * parts + "--B--\r\n").encode()


def bounce() -> bytes:
    report = EmailMessage()
    report["From"] = "MAILER-DAEMON@pasto.gov.co"
    report["To"] = US
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Return-Path"] = "<>"
    report.set_content("This is the mail system at host pasto.gov.co.")
    status = EmailMessage()
    status.set_content("Reporting-MTA: dns; pasto.gov.co\n\nFinal-Recipient: rfc822; x@y.co\n")
    report.add_attachment(status)
    report.replace_header(
        "Content-Type", 'multipart/report; report-type=delivery-status; boundary="R"'
    )
    return report.as_bytes()


def hostile(inbound: str) -> dict[str, bytes]:
    """What must get no answer, by the reason the log gives. The test IMAP server (pymap)
    parses what it stores and chokes on the deepest tree, so that one goes by SMTP only."""
    big = mail(text="x")
    big.add_attachment(
        b"\x00" * MAX_BYTES, maintype="application", subtype="octet-stream", filename="grande.bin"
    )
    return {
        "auto_reply": mail(
            text="Estoy fuera de la oficina", Auto_Submitted="auto-replied"
        ).as_bytes(),
        "auto_reply ": mail(Subject="Respuesta automática: Autodiagnóstico").as_bytes(),
        "auto_reply  ": mail(X_Autoreply="yes").as_bytes(),
        "bounce": bounce(),
        "list": mail(List_Id="<planeacion.lists.pasto.gov.co>", Precedence="list").as_bytes(),
        "loop": mail(X_Loop=US).as_bytes(),
        "loop ": mail(sender=f"Asistente <{US}>").as_bytes(),
        "oversized": big.as_bytes(),
        "mime_bomb": nested(50),
        "mime_bomb ": nested(2000 if inbound == "smtp" else 200),
        "mime_bomb  ": wide(20_000 if inbound == "smtp" else 2_000),
        "no_sender": mail(sender="<<<>>>").as_bytes(),
    }


async def _send_smtp(port: int, raw: bytes) -> str:
    for _ in range(200):
        try:
            await aiosmtplib.send(
                raw,
                sender="relay@pasto.gov.co",
                recipients=[US],
                hostname="127.0.0.1",
                port=port,
                timeout=30,
            )
            return "250"  # accepted (a refusal raises, with its code)
        except aiosmtplib.SMTPConnectError:
            await asyncio.sleep(0.05)
        except aiosmtplib.SMTPResponseException as exc:
            return f"{exc.code} {exc.message}"
    raise AssertionError("the SMTP listener never answered")


@pytest.mark.parametrize("inbound", ["imap", "smtp"])
async def test_hostile_mail_gets_no_reply_and_changes_nothing(
    inbound, database_url, store: SqlStore, imap, nlu, request, caplog
):
    folder = f"Hostil{abs(hash(request.node.nodeid)) % 10**8}"
    await imap.create(folder)
    at = datetime(2026, 3, 2, 15, tzinfo=UTC)
    async with store.engine.begin() as conn:
        await conn.execute(
            insert(tickets).values(
                number="CTI-2026-00001",
                entity_code="52001",
                contact_id=None,
                topic="datos",
                description="Apoyo con datos abiertos",
                contact_means="",
                status="open",
                created_at=at,
                updated_at=at,
            )
        )
    before = await dump_tables(store)
    spoofed = mail(
        sender=f"Soporte MinTIC <{SPOOFER}>",
        text="Su solicitud quedó cerrada. Envíe su clave para reabrirla.",
        Subject="Re: [CTI-2026-00001] Solicitud de acompañamiento",
        In_Reply_To="<ticket-CTI-2026-00001@asistente-cti>",
        X_CTI_Ticket="CTI-2026-00001",
    )
    legit = mail(sender=f"Ana <{ANA}>", text="Buenos días")
    port = free_port()
    async with SmtpServer() as smtp:
        config: Config = email_config(database_url, smtp, imap, folder)
        email = config.channels.email.model_copy(
            update={
                "inbound": inbound,
                "max_message_bytes": MAX_BYTES,
                "smtp_inbound": config.channels.email.smtp_inbound.model_copy(
                    update={"port": port}
                ),
            }
        )
        config = config.model_copy(
            update={"channels": config.channels.model_copy(update={"email": email})}
        )
        with caplog.at_level(logging.INFO, logger="channels.email"):
            async with running(config, nlu):
                answers = []
                for raw in [*hostile(inbound).values(), spoofed.as_bytes(), legit.as_bytes()]:
                    if inbound == "imap":
                        await imap.deliver(raw, folder)
                    else:
                        answers.append(await _send_smtp(port, raw))
                received = smtp.recorder.received
                deadline = asyncio.get_running_loop().time() + WAIT
                while not received or (inbound == "imap" and await imap.unseen(folder)):
                    assert asyncio.get_running_loop().time() < deadline, len(received)
                    await asyncio.sleep(0.1)
                # Every mail was handled (unseen, or the listener's answer); once nothing is
                # left in the outbox, whatever they caused went out: what has not, never will.
                while (counts := await outbox_counts(store))["pending"]:
                    assert asyncio.get_running_loop().time() < deadline, counts
                    await asyncio.sleep(0.05)
    assert counts == {"sent": 1}
    if inbound == "smtp":
        # Accepted and dropped: a 4xx would have the relay retry a robot's mail for days.
        # Oversized mail is refused by size (552), so the relay bounces it to its sender.
        assert [a.split()[0] for a in answers] == ["250"] * 7 + ["552"] + ["250"] * 6, answers
    # Only Ana is answered (with the fixed invitation to reply: a first mail proves nothing):
    # the forged staff reply is taken by the ticket desk, which records that it was refused
    # (who, which message, why; not what it said) and answers nothing.
    assert [r.rcpt_tos for r in received] == [[ANA]]

    after = await dump_tables(store)
    assert after["tickets"] == before["tickets"]  # the status did not move
    [event] = after["ticket_events"]
    assert event["kind"] == "rejected" and event["author"] == SPOOFER
    assert event["body"] == "no_key" and event["status"] is None
    assert after["conversations"] == [] and after["contacts"] == []  # nobody consented
    assert len(after["processed_messages"]) == 1  # the refused reply; Ana's mail stored nothing
    [invite] = after["outbox"]
    assert invite["kind"] == "mail-invite" and "Buenos días" not in invite["body_text"]
    logged = caplog.text
    reasons = {r.strip() for r in hostile(inbound)}
    if inbound == "smtp":
        reasons.discard("oversized")  # never reaches us: refused during the SMTP dialogue
    for reason in reasons:
        assert f"email ignored ({reason}" in logged, reason


def test_a_mime_bomb_is_refused_before_it_is_parsed():
    from channels.email.inbound import Rejected, read

    # 200,000 parts in 7 MB: parsing them held the event loop for about two minutes.
    assert read(wide(200_000), US) == Rejected("mime_bomb", "200001 delimiter lines")
    assert read(nested(20_000), US) == Rejected("mime_bomb", "40000 delimiter lines")
    shallow = read(nested(12), US)  # parsed, then measured: too deep
    assert shallow == Rejected("mime_bomb", "13 parts, depth 12")
