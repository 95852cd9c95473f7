"""A whole diagnosis by email alone, through the real services of `cti run`: the official's
mail lands in a real IMAP server (pymap), the assistant reads it (IDLE), answers through the
outbox and a real SMTP server (aiosmtpd) receives the replies, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from typing import Any

import pytest

from nlu.rules import RulesFirst
from tests.channels.email.helpers import US, email_config, running
from tests.channels.email.imap_server import ImapServer
from tests.channels.email.smtp_server import SmtpServer
from tests.nlu.helpers import embedded, shared_cache
from tests.storage.helpers import store_with_domains

ANA = "ana.perez@pasto.gov.co"
WAIT = 30.0


@pytest.fixture(scope="module")
def nlu(tmp_path_factory) -> RulesFirst:
    return RulesFirst(embedded(shared_cache(tmp_path_factory)))


class Official:
    """Ana, writing from her mail client and reading what arrives in her mailbox."""

    def __init__(self, imap: ImapServer, smtp: SmtpServer, folder: str) -> None:
        self.imap, self.smtp, self.folder = imap, smtp, folder
        self.read = 0
        self.sent = 0
        self.last: EmailMessage | None = None

    async def write(
        self, text: str, *, attachment: tuple[str, bytes] | None = None, **headers: str
    ) -> None:
        self.sent += 1
        message = EmailMessage()
        message["From"] = f"Ana Pérez <{ANA}>"
        message["To"] = US
        message["Subject"] = headers.pop("Subject", "Re: Autodiagnóstico")
        message["Message-ID"] = f"<ana{self.sent}@pasto.gov.co>"
        if self.last is not None:
            message["In-Reply-To"] = self.last["Message-ID"]
        for name, value in headers.items():
            message[name.replace("_", "-")] = value
        quoted = ""
        if self.last is not None:
            body = self.last.get_body(("plain",))
            assert body is not None
            quoted = "\n\nEl lun, 2 mar 2026, Asistente CTI escribió:\n" + "\n".join(
                "> " + line for line in body.get_content().splitlines()[:20]
            )
        message.set_content(text + "\n\nAna Pérez\nSecretaria TIC" + quoted)
        if attachment is not None:
            name, data = attachment
            message.add_attachment(
                data,
                maintype="application",
                subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                filename=name,
            )
        await self.imap.deliver(message.as_bytes(), self.folder)

    async def receive(self) -> EmailMessage:
        received = self.smtp.recorder.received
        deadline = asyncio.get_running_loop().time() + WAIT
        while len(received) <= self.read:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no reply within {WAIT} s")
            await asyncio.sleep(0.05)
        self.last = received[self.read].message
        self.read += 1
        assert received[self.read - 1].rcpt_tos == [ANA]
        return self.last

    async def say(self, text: str, **kwargs: Any) -> str:
        await self.write(text, **kwargs)
        reply = await self.receive()
        body = reply.get_body(("plain",))
        assert body is not None
        return body.get_content()


async def test_a_whole_diagnosis_by_email(database_url, imap, nlu, request, gazetteer):
    folder = f"Buzon{abs(hash(request.node.nodeid)) % 10**8}"
    await imap.create(folder)
    async with store_with_domains(database_url, gazetteer):
        pass  # pasto.gov.co is the alcaldía's domain: Ana joins at once
    async with SmtpServer() as smtp:
        ana = Official(imap, smtp, folder)
        async with running(email_config(database_url, smtp, imap, folder), nlu):
            # A first mail proves nothing (anyone can write any From:): a fixed invitation
            # to reply, which repeats nothing of what it said.
            text = await ana.say("Buenos días, quiero hacer el diagnóstico de mi municipio")
            assert "responda este mensaje" in text and "diagnóstico" not in text
            text = await ana.say("Hola, soy yo")
            assert "Ley 1581" in text and "acepto" in text
            assert ana.last is not None and ana.last["In-Reply-To"] == "<ana2@pasto.gov.co>"
            assert ana.last["Subject"] == "Re: Autodiagnóstico"
            assert ana.last.get_body(("html",)) is not None

            # A robot answering for her gets no reply (the next reply answers her next mail).
            await ana.write("Estoy fuera de la oficina", Auto_Submitted="auto-replied")
            for line in ("Acepto", "alcaldía", "pasto", "sí", "Ana Pérez", "Secretaria TIC"):
                text = await ana.say(line)
            assert "Nombre: Ana Pérez" in text and f"Correo: {ANA}" in text
            text = await ana.say("Sí")
            assert "Personas · Educación" in text

            text = await ana.say("1) b\n2) 40\n3) no sé\n4) 3,5")
            assert "✓ b)" in text and "✓ 40 %" in text and "Habilidades" in text

            text = await ana.say("excel")
            [sheet] = [p for p in ana.last.iter_attachments() if p.get_filename().endswith(".xlsx")]
            from tests.report.helpers import fill

            filled = fill(sheet.get_content(), {"PER-HDI-01": "c", "PER-HDI-02": "zz"})
            text = await ana.say("Le envío el archivo", attachment=("cuestionario.xlsx", filled))
            assert "guardé 1 respuesta(s)" in text and "(PER-HDI-02): «zz»" in text

            text = await ana.say("resultados")
            names = {p.get_filename() for p in ana.last.iter_attachments()}
            assert any(n.endswith(".html") for n in names) and any(
                n.endswith(".png") for n in names
            )
            assert "Puntaje general" in text or "puntaje" in text.lower()
        assert len(smtp.recorder.received) == ana.read  # nothing sent twice, nothing extra
        ids = smtp.recorder.message_ids()
        assert len(ids) == len(set(ids))
