"""Habeas Data end to end through the real `cti run` process, at DEBUG, on both channels.

Ana registers on Telegram, answers, mentions her phone number, corrects her name and downloads
her data there; then writes by email from her registered address, proves it with the code the
assistant mails her, downloads her data as an attachment and erases everything by email. Luis
does the same on Telegram alone. Afterwards:
- while Ana is registered, every stored personal field traces back to a consent in force;
- no table holds anything of theirs (names, old and new, role, addresses, chat ids, phone),
  while their entity's answers keep their values with no author;
- the logs, at DEBUG and for every library, never show the bot token, the SMTP or IMAP
  password, a full email address or the phone number.
Real servers on loopback: the local Bot API server, aiosmtpd (with AUTH) and pymap (IMAP).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import warnings
from email.message import EmailMessage
from typing import Any

import yaml
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from bot.config import PROJECT_ROOT
from bot.conversation.flows.privacy import EXPORT_FILENAME
from bot.storage.sql import SqlStore
from tests.channels.email.imap_server import ImapServer
from tests.channels.email.smtp_server import SmtpServer
from tests.channels.telegram.botapi_server import TOKEN, BotApiServer
from tests.privacy.scan import database_cells
from tests.privacy.trace import untraceable
from tests.reliability.harness import Assistant, Official
from tests.storage.helpers import dump_tables

US = "asistente@cti.test"
SMTP_USER, SMTP_PASSWORD = "asistente-smtp", "SmtpClave-Secreta-987"
ANA_CHAT, LUIS_CHAT = 5123456789, 5987654321
ANA_MAIL = "planeacion52001@municipio.gov.co"  # what `Official.register` types for 52001
LUIS_MAIL = "planeacion05001@municipio.gov.co"
PHONE = "300 123 4567"
MAILBOX = "ciudadesyterritoriosinteligentes@mintic.gov.co"
WAIT = 60.0


class AuthSmtpServer(SmtpServer):
    """The loopback SMTP server, demanding a login (AUTH PLAIN/LOGIN, no TLS on loopback)."""

    def _session(self) -> SMTP:
        def check(server: SMTP, session: Any, envelope: Any, mechanism: str, data: Any):
            ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
                SMTP_USER.encode(),
                SMTP_PASSWORD.encode(),
            )
            return AuthResult(success=ok)

        with warnings.catch_warnings():  # AUTH without TLS: only ever on loopback here
            warnings.simplefilter("ignore", UserWarning)
            session = SMTP(
                self.recorder,
                hostname="smtp.test",
                authenticator=check,
                auth_required=True,
                auth_require_tls=False,
            )
        self._sessions.append(session)
        return session


class Both(Assistant):
    """`cti run` with Telegram and email (IMAP in, SMTP out), logging at DEBUG."""

    def __init__(self, server, database_url, workdir, smtp: SmtpServer, imap, folder):
        super().__init__(server, database_url, workdir)
        self.imap = imap
        config = yaml.safe_load(self.config_path.read_text("utf-8"))
        config["channels"]["email"] = {
            "enabled": True,
            "address": US,
            "inbound": "imap",
            "smtp": {
                "host": "127.0.0.1",
                "port": smtp.port,
                "security": "none",
                "username": SMTP_USER,
            },
            "imap": {
                "host": "127.0.0.1",
                "port": imap.port,
                "security": "none",
                "username": imap.user,
                "folder": folder,
                "idle_seconds": 20,
            },
            "outbox": {"idle_seconds": 0.5},
        }
        config["root"] = str(PROJECT_ROOT)
        self.config_path.write_text(yaml.safe_dump(config), encoding="utf-8")

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env.update(
            CTI_LOG_LEVEL="DEBUG",
            CTI_SMTP_PASSWORD=SMTP_PASSWORD,
            CTI_IMAP_PASSWORD=self.imap.password,
            CTI_MAIL_KEY_SECRET="pruebas-" + "p" * 40,
        )
        return env


class Mailbox:
    """Ana's mail client: writes to the assistant through IMAP, reads what SMTP received."""

    def __init__(self, imap: ImapServer, smtp: SmtpServer, folder: str, address: str) -> None:
        self.imap, self.smtp, self.folder, self.address = imap, smtp, folder, address
        self.read = 0
        self.sent = 0
        self.last_id: str | None = None  # she answers the last mail she got, as clients do

    async def write(self, text: str) -> None:
        self.sent += 1
        message = EmailMessage()
        message["From"] = f"Ana <{self.address}>"
        message["To"] = US
        message["Subject"] = "Autodiagnóstico"
        message["Message-ID"] = f"<privacidad{self.sent}.{random.randrange(10**9)}@mail.test>"
        if self.last_id is not None:
            message["In-Reply-To"] = self.last_id
        message.set_content(text)
        await self.imap.deliver(message.as_bytes(), self.folder)

    async def receive(self, count: int = 1) -> list[EmailMessage]:
        received = self.smtp.recorder.received
        deadline = asyncio.get_running_loop().time() + WAIT
        while len(received) < self.read + count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no reply within {WAIT} s")
            await asyncio.sleep(0.05)
        new = received[self.read : self.read + count]
        self.read += count
        assert all(r.rcpt_tos == [self.address] for r in new)
        self.last_id = str(new[-1].message["Message-ID"])
        return [r.message for r in new]

    async def say(self, text: str, count: int = 1) -> str:
        await self.write(text)
        return "\n".join(_text(m) for m in await self.receive(count))


async def _code_to(smtp: SmtpServer, address: str) -> str:
    """The one-time code in the first mail SMTP received for `address`."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        for mail in smtp.recorder.received:
            if mail.rcpt_tos == [address]:
                found = re.search(r"^\s*(\d{6})\s*$", _text(mail.message), re.MULTILINE)
                assert found is not None
                return found.group(1)
        assert asyncio.get_running_loop().time() < deadline, f"no code for {address}"
        await asyncio.sleep(0.05)


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


def _export(raw: bytes) -> dict[str, Any]:
    return json.loads(raw.decode("utf-8"))


async def test_export_rectify_erase_on_telegram_and_email_leave_nothing(
    database_url, store: SqlStore, imap, tmp_path, request
):
    folder = f"Privacidad{abs(hash(request.node.nodeid)) % 10**8}"
    await imap.create(folder)
    async with BotApiServer() as server, AuthSmtpServer() as smtp:
        process = Both(server, database_url, tmp_path, smtp, imap, folder)
        await process.start()
        try:
            rng = random.Random(7)

            async def codes(address: str) -> str:
                return await _code_to(smtp, address)

            ana = Official(server.private_chat(ANA_CHAT, "Ana"), "52001", rng, codes=codes)
            await ana.register()
            await ana.answer_one()
            await ana.answer_one()
            await ana.say(f"mi celular es {PHONE}")
            await ana.say("corregir mis datos")
            await ana.press("Nombre")
            await ana.say("Ana María Pérez Rojas")
            replies = await ana.press("Sí, guardar")
            assert any("quedó corregido: Ana María Pérez Rojas" in r for r in replies)
            await ana.say("descargar mis datos")
            [document] = [c for c in server.calls_of("sendDocument") if c.chat_id == ANA_CHAT]
            upload = next(iter(document.files.values()))
            assert upload.filename == EXPORT_FILENAME
            copy = _export(upload.data)
            assert copy["registro"]["nombre"] == "Ana María Pérez Rojas"
            assert len(copy["respuestas"]) == 2

            mail = Mailbox(imap, smtp, folder, ANA_MAIL)
            mail.read = len(smtp.recorder.received)  # her registration code, read already
            assert "responda este mensaje" in await mail.say("Buenos días")  # proof first
            assert "Ley 1581" in await mail.say("Hola")
            text = await mail.say("Acepto", count=2)  # the reply and the code, in either order
            code = re.search(r"\b(\d{6})\b", text)
            assert code is not None and "código" in text
            assert "quedó unida a su registro" in await mail.say(code.group(1))
            await mail.write("descargar mis datos")
            [reply] = await mail.receive()
            [attached] = [
                p for p in reply.iter_attachments() if p.get_filename() == EXPORT_FILENAME
            ]
            copy = _export(attached.get_content())
            assert {c["canal"] for c in copy["canales"]} == {"telegram", "email"}
            assert untraceable(await dump_tables(store), MAILBOX) == []
            assert "borrar" in await mail.say("borrar mis datos")
            assert "fueron borrados" in await mail.say("sí")

            luis = Official(server.private_chat(LUIS_CHAT, "Luis"), "05001", rng, codes=codes)
            await luis.register()
            await luis.answer_one()
            await luis.say("cambiar mi correo")
            await luis.say("luis.mora@medellin.gov.co")
            await luis.press("Sí, guardar")  # a code goes to the new address first
            replies = await luis.say(await _code_to(smtp, "luis.mora@medellin.gov.co"))
            assert any("quedó corregido" in r for r in replies)
            await luis.say("descargar mis datos")
            await luis.say("borrar mis datos")
            replies = await luis.press("Sí, borrar mis datos")
            assert any("fueron borrados" in r for r in replies)
            # Ana writes on Telegram again: she is a stranger now, asked for consent.
            assert any("Ley 1581" in r for r in await ana.say("hola"))
        finally:
            await process.stop()
        await asyncio.sleep(0)

    tables = await database_cells(store)  # every table the database has, not only our models
    everything = str(tables)
    personal = (
        "Ana Pérez",
        "Ana María Pérez Rojas",
        "Jefe de Planeación",
        ANA_MAIL,
        LUIS_MAIL,
        "luis.mora@medellin.gov.co",
        str(ANA_CHAT),
        str(LUIS_CHAT),
        PHONE,
        PHONE.replace(" ", ""),
    )
    for value in personal:
        assert value not in everything, (value, _where(tables, value))
    assert tables["contacts"] == [] and tables["conversations"] == []
    assert all(c["revoked_at"] is not None for c in tables["consents"])
    answers = tables["answers"]
    assert len(answers) == 3 and all(a["contact_id"] is None for a in answers)
    assert all(a["kind"] in ("option", "figure") for a in answers)

    logs = process.log_text()
    assert " DEBUG " in logs and "telegram" in logs  # it did log, at DEBUG
    for secret in (TOKEN, SMTP_PASSWORD, imap.password):
        assert secret not in logs, secret
    for value in (ANA_MAIL, LUIS_MAIL, "luis.mora@medellin.gov.co", PHONE, "3001234567"):
        assert value not in logs, (value, _lines(logs, value))


def _where(tables: dict[str, list[dict[str, Any]]], value: str) -> list[str]:
    return [
        f"{name}.{column}"
        for name, rows in tables.items()
        for row in rows
        for column, cell in row.items()
        if value in str(cell)
    ]


def _lines(text: str, value: str) -> list[str]:
    return [line[:300] for line in text.splitlines() if value in line][:5]
