"""The attacks of issue 14, replayed against the running email service of `cti run` (IMAP
reader, outbox worker, aiosmtpd as the SMTP server), on SQLite and PostgreSQL: each once
succeeded with nothing but an SMTP client and a forged From:; now each changes nothing.

- takeover: «corregir mi correo», the attacker's address, «sí», from a forged From: Ana;
- erasure: «borrar mis datos», «sí», from a forged From: Ana;
- consent and echo: a forged From: tesorero@ with a phishing text gets only a fixed invitation
  (at most one a day), which repeats nothing of what it said;
- phishing as staff: a plain mail from the programme's mailbox address with the ticket's
  (sequential) number in the subject, a subdomain of the Ministry, a look-alike Message-ID.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from sqlalchemy import insert

from bot.storage.base import tickets
from bot.storage.sql import SqlStore
from nlu.rules import RulesFirst
from tests.channels.email.helpers import US, email_config, running
from tests.channels.email.smtp_server import SmtpServer
from tests.nlu.helpers import embedded, shared_cache
from tests.storage.helpers import dump_tables, register

ANA = "ana.perez@pasto.gov.co"
ATTACKER = "atacante@evil.example"
PHISH = "URGENTE su cuenta SIIF será suspendida, valide en https://mintic-gov.co.example/validar"
WAIT = 30.0


@pytest.fixture(scope="module")
def nlu(tmp_path_factory) -> RulesFirst:
    return RulesFirst(embedded(shared_cache(tmp_path_factory)))


def forged(sender: str, text: str, n: int, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = US
    message["Subject"] = headers.pop("Subject", "Re: Autodiagnóstico")
    message["Message-ID"] = f"<forged{n}@evil.example>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message.as_bytes()


async def test_forged_senders_change_nothing(database_url, store: SqlStore, imap, nlu, request):
    folder = f"Falsos{abs(hash(request.node.nodeid)) % 10**8}"
    await imap.create(folder)
    at = datetime(2026, 3, 2, 15, tzinfo=UTC)
    async with store.transaction() as tx:
        _, ana = await register(tx, "1001", "Ana Pérez", ANA, entity="52001")
    async with store.engine.begin() as conn:
        await conn.execute(
            insert(tickets).values(
                number="CTI-2026-00001",
                entity_code="52001",
                contact_id=ana.id,
                topic="estrategia",
                description="Apoyo para la estrategia",
                contact_means="",
                channel="telegram",
                address="1001",
                status="recibido",
                created_at=at,
                updated_at=at,
                routed_message_id="<cti-2026-00001.routed@cti.test>",  # from before reply keys
            )
        )
    before = await dump_tables(store)
    attacks = [
        forged(f"Ana Pérez <{ANA}>", "corregir mi correo", 1),
        forged(ANA, ATTACKER, 2),
        forged(ANA, "sí", 3),
        forged(ANA, "borrar mis datos", 4),
        forged(ANA, "sí", 5),
        forged("tesorero@pasto.gov.co", PHISH, 6, Subject=PHISH),
        forged("tesorero@pasto.gov.co", "acepto", 7),
        forged(
            "MinTIC <ciudadesyterritoriosinteligentes@mintic.gov.co>",
            f"Su solicitud quedó cerrada. {PHISH}\n#estado cerrado",
            8,
            Subject="Re: [CTI-2026-00001] Solicitud de acompañamiento técnico",
        ),
        forged(
            "soporte@anything.mintic.gov.co",
            f"{PHISH}\n#estado resuelto",
            9,
            In_Reply_To="<cti-2026-00001.routed@cti.test>",
        ),
    ]
    async with SmtpServer() as smtp:
        config = email_config(database_url, smtp, imap, folder)
        async with running(config, nlu):
            for raw in attacks:
                await imap.deliver(raw, folder)
            received = smtp.recorder.received
            deadline = asyncio.get_running_loop().time() + WAIT
            while len(received) < 2 or await imap.unseen(folder):
                assert asyncio.get_running_loop().time() < deadline, len(received)
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # anything else would have gone out by now

    # One fixed invitation to each forged address, none to the Ministry's, nothing echoed.
    assert sorted(r.rcpt_tos[0] for r in received) == [ANA, "tesorero@pasto.gov.co"]
    for mail in received:
        body = mail.message.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        assert "responda este mensaje" in text
        for echoed in ("SIIF", "https://", "corregir", ATTACKER):
            assert echoed not in text and echoed not in str(mail.message["Subject"])

    after = await dump_tables(store)
    assert after["contacts"] == before["contacts"]  # Ana's address and registration intact
    assert after["conversations"] == before["conversations"]  # no email conversation at all
    assert after["consents"] == before["consents"]  # nobody consented in someone's name
    assert after["tickets"] == before["tickets"]  # the status did not move
    events = after["ticket_events"]
    assert [(e["kind"], e["body"]) for e in events] == [("rejected", "no_key")] * 2
    assert all(PHISH not in str(row) for rows in after.values() for row in rows)
