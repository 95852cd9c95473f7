"""Habeas Data without leftovers, through the real `cti run` at DEBUG (SQLite and PostgreSQL).

Ana registers on Telegram, answers, asks MinTIC for accompaniment with her phone number and
address in the description, gets a staff reply (an email to the assistant's own SMTP listener,
aiosmtpd), writes by email from her address (the assistant asks her to prove it, by mail),
starts changing her address (a code goes to an address she never confirms), downloads her data
and erases it. Afterwards her name, addresses, phone and chat id are in no table and no column
of the database (reflected from the database itself: tables added later are scanned too) and
in no file of the process's `var/` folder (its log, at DEBUG for every library, included), nor
in the bytes of the SQLite database file.
"""

from __future__ import annotations

import asyncio
import random
import re
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import yaml

from bot.config import PROJECT_ROOT
from bot.storage.sql import SqlStore
from tests.channels.email.smtp_server import SmtpServer, free_port
from tests.channels.telegram.botapi_server import BotApiServer
from tests.privacy.scan import database_cells, found_in_database, found_in_files
from tests.reliability.harness import Assistant, Official

US = "asistente@cti.test"
MAILBOX = "ciudadesyterritoriosinteligentes@mintic.gov.co"
ANA_CHAT = 5123400077
ANA_MAIL = "planeacion52001@municipio.gov.co"  # what `Official.register` types for 52001
NEVER_CONFIRMED = "ana.perez.personal@gmail.com"
PHONE = "310 555 0199"
NUMBER = re.compile(r"CTI-\d{4}-\d{5}")
PERSONAL = (
    "Ana Pérez",
    "Jefe de Planeación",
    ANA_MAIL,
    NEVER_CONFIRMED,
    str(ANA_CHAT),
    PHONE,
    PHONE.replace(" ", ""),
)
WAIT = 60.0


class Served(Assistant):
    """`cti run` with Telegram and email (SMTP out, its own SMTP listener in), at DEBUG, with
    `root` at the test's folder: everything it keeps on disk is under `var/` there."""

    def __init__(self, server: BotApiServer, database_url: str, root: Path, smtp: SmtpServer):
        var = root / "var"
        var.mkdir()
        super().__init__(server, database_url, var)
        self.inbound = free_port()
        config = yaml.safe_load(self.config_path.read_text("utf-8"))
        config["root"] = str(root)
        config["data"] = {
            name: str(PROJECT_ROOT / "data" / path)
            for name, path in (
                ("questionnaire", "questionnaire/v1.yml"),
                ("divipola", "divipola.csv"),
                ("aliases", "territory_aliases.yml"),
                ("templates", "templates"),
                ("nlu", "nlu"),
            )
        }
        config["channels"]["email"] = {
            "enabled": True,
            "address": US,
            "inbound": "smtp",
            "smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none"},
            "smtp_inbound": {"listen": "127.0.0.1", "port": self.inbound},
            "outbox": {"idle_seconds": 0.3},
        }
        self.config_path.write_text(yaml.safe_dump(config), encoding="utf-8")

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env.update(CTI_LOG_LEVEL="DEBUG", CTI_MAIL_KEY_SECRET="pruebas-" + "h" * 40)
        return env

    async def mail(self, message: EmailMessage) -> None:
        await aiosmtplib.send(message, hostname="127.0.0.1", port=self.inbound)


async def _mail_to(smtp: SmtpServer, address: str, count: int = 1) -> list[EmailMessage]:
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        found = [r.message for r in smtp.recorder.received if address in r.rcpt_tos]
        if len(found) >= count:
            return found
        assert asyncio.get_running_loop().time() < deadline, f"no mail to {address}"
        await asyncio.sleep(0.05)


async def _until(condition, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.05)


def _email(sender: str, subject: str, text: str, n: int, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = US
    message["Subject"] = subject
    message["Message-ID"] = f"<fuga{n}.{random.randrange(10**9)}@mail.test>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


async def test_after_erasure_no_table_column_or_file_holds_anything_of_hers(
    database_url, store: SqlStore, tmp_path
):
    async with BotApiServer() as server, SmtpServer() as smtp:
        process = Served(server, database_url, tmp_path, smtp)
        await process.start()
        try:

            async def codes(address: str) -> str:
                # The registration code, read as she reads it: in the mail SMTP received.
                [mail] = await _mail_to(smtp, address)
                body = mail.get_body(("plain",))
                assert body is not None
                found = re.search(r"^\s*(\d{6})\s*$", body.get_content(), re.MULTILINE)
                assert found is not None
                return found.group(1)

            chat = server.private_chat(ANA_CHAT, "Ana")
            ana = Official(chat, "52001", random.Random(5), codes=codes)
            await ana.register()
            await ana.answer_one()
            # A request with her number and address in its words, answered by MinTIC.
            await ana.say("necesitamos acompañamiento para formular la estrategia")
            await ana.say(f"Soy Ana Pérez; llámeme al {PHONE} o escríbame a {ANA_MAIL}.")
            await ana.press("Por este chat")
            replies = await ana.press("Sí, enviarla")
            assert any(NUMBER.search(r) for r in replies), replies
            [routed] = await _mail_to(smtp, MAILBOX)
            assert "Ana Pérez" in routed.get_body(("plain",)).get_content()
            staff = _email(
                "Luisa Gómez <luisa.gomez@mintic.gov.co>",
                "RE: " + str(routed["Subject"]),
                f"Estimada Ana Pérez: la llamaremos al {PHONE} el lunes.",
                1,
                In_Reply_To=str(routed["Message-ID"]),
                References=str(routed["Message-ID"]),
            )
            await process.mail(staff)
            await _until(
                lambda: any("la llamaremos" in t for t in ana.sent_texts()), "the staff reply"
            )
            # She writes by email: the assistant asks her, by mail, to prove the address.
            await process.mail(_email(f"Ana Pérez <{ANA_MAIL}>", "Hola", "Buenos días", 2))
            await _mail_to(smtp, ANA_MAIL, count=2)  # her registration code, then the proof
            # A code to an address she never confirms.
            await ana.say("cambiar mi correo")
            await ana.say(NEVER_CONFIRMED)
            await ana.press("Sí, guardar")
            await _mail_to(smtp, NEVER_CONFIRMED)
            await ana.press("Dejarlos como están")
            await ana.say("descargar mis datos")
            assert [c for c in server.calls_of("sendDocument") if c.chat_id == ANA_CHAT]
            before = await database_cells(store)
            assert {h.rpartition(": ")[2] for h in found_in_database(before, PERSONAL)} >= {
                "Ana Pérez",
                ANA_MAIL,
                NEVER_CONFIRMED,
                str(ANA_CHAT),
                PHONE,
            }  # the scan sees them while they are stored
            await ana.say("borrar mis datos")
            replies = await ana.press("Sí, borrar mis datos")
            assert any("fueron borrados" in r for r in replies)
            await _settled(store)  # everything queued went out
        finally:
            await process.stop()

    tables = await database_cells(store)
    assert found_in_database(tables, PERSONAL) == []
    assert tables["tickets"] and tables["ticket_events"]  # the entity's request stays
    # var/ (its log among them) and, on SQLite, the database file itself: deleted rows must
    # not linger in its free pages.
    files = found_in_files(tmp_path, PERSONAL)
    assert files == [], [_lines(process.log_text(), h.rpartition(": ")[2]) for h in files]
    logs = process.log_text()
    assert " DEBUG mail.log: " in logs and " DEBUG telegram." in logs  # both were at DEBUG


async def _settled(store: SqlStore) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        async with store.transaction() as tx:
            if not (await tx.outbox_counts())["pending"]:
                return
        assert asyncio.get_running_loop().time() < deadline, "outbox not drained"
        await asyncio.sleep(0.1)


def _lines(text: str, value: str) -> list[str]:
    return [line[:300] for line in text.splitlines() if value.casefold() in line.casefold()][:5]
