"""Tickets end to end through the services of `cti run`, with real servers on loopback: the
local Telegram Bot API server, aiosmtpd as the mailbox's SMTP server and pymap as the
assistant's IMAP inbox, on SQLite and PostgreSQL.

A contact asks (on Telegram, or by email) -> the email reaches the mailbox with its headers,
summary and report -> a MinTIC reply arrives by IMAP -> the contact gets it on their channel and
the status changes. Also: SMTP down during the request, two requests at once, a spoofed reply.
"""

from __future__ import annotations

import asyncio
import os
import re
from email.message import EmailMessage
from email.utils import getaddresses

import pytest

from nlu.rules import RulesFirst
from tests.channels.email.imap_server import ImapServer
from tests.channels.email.smtp_server import Received, SmtpServer
from tests.channels.telegram.botapi_server import BotApiServer
from tests.channels.telegram.conftest import Person
from tests.conversation.chat import mailed_code
from tests.nlu.helpers import embedded, shared_cache
from tests.tickets.helpers import MAILBOX, WAIT, to, until, until_settled
from tests.tickets.services import LUISA, NUMBER, US, make_config, running, text_of, ticket

os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture(scope="module")
def nlu(tmp_path_factory) -> RulesFirst:
    return RulesFirst(embedded(shared_cache(tmp_path_factory)))


@pytest.fixture
async def folder(imap, request) -> str:
    name = f"Tickets{abs(hash(request.node.nodeid)) % 10**8}"
    await imap.create(name)
    return name


async def staff_reply(
    imap: ImapServer, folder: str, routed: EmailMessage, text: str, sender: str = LUISA, n: int = 1
) -> None:
    """A reply from Outlook: 'RE:' subject, threading headers, the routed email quoted below."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = US
    reply["Subject"] = "RE: " + str(routed["Subject"])
    reply["Message-ID"] = f"<staff{n}.{abs(hash(text)) % 10**8}@mintic.gov.co>"
    reply["In-Reply-To"] = routed["Message-ID"]
    reply["References"] = routed["Message-ID"]
    quoted = "\n".join("> " + line for line in text_of(routed).splitlines()[:8])
    reply.set_content(
        f"{text}\n\nCordialmente,\n\n-- \nLuisa Gómez\nMinTIC\n\n"
        f"El mar, 1 dic 2026 a las 10:00, Asistente CTI <{US}> escribió:\n{quoted}"
    )
    await imap.deliver(reply.as_bytes(), folder)


async def ask_on_telegram(ana: Person, description: str) -> str:
    await ana.say("necesitamos acompañamiento para formular la estrategia")
    assert "Tema: Formular la estrategia" in ana.text
    await ana.say(description)
    await ana.press("Por este chat")
    assert "Telegram (el chat con el Asistente CTI)" in ana.text
    await ana.press("Sí, enviarla")
    found = NUMBER.search(ana.text)
    assert found and "registrada con el número" in ana.text, ana.text
    return found.group(0)


async def test_a_telegram_request_reaches_the_mailbox_and_the_reply_comes_back(
    database_url, imap, folder, nlu
):
    async with BotApiServer() as telegram, SmtpServer() as smtp:
        telegram.read_code = smtp.code_for
        config = make_config(database_url, smtp, imap, folder, telegram)
        async with running(config, nlu, telegram) as app:
            ana = Person(telegram.private_chat(1001, "Ana"))
            await ana.register()
            await ana.say("b")  # one answer: the mailbox gets a diagnosis to look at
            number = await ask_on_telegram(ana, "Apoyo para la hoja de ruta con las secretarías")

            [routed] = await until(lambda: to(smtp, MAILBOX), "the email to the mailbox")
            email = routed.message
            assert routed.rcpt_tos == [MAILBOX] and routed.mail_from == US
            assert " ".join(str(email["Subject"]).split()) == (
                f"[{number}] Solicitud de acompañamiento técnico — Pasto (Nariño)"
            )
            assert email["Reply-To"] == US and email["X-CTI-Ticket"] == number
            assert getaddresses([email["From"]])[0][1] == US
            # The ticket's reply key: a staff reply must bring it back (the number is sequential).
            assert re.fullmatch(
                rf"<{number.lower()}\.routed\.k[a-z2-7]{{32}}@cti\.test>", email["Message-ID"]
            )
            body = text_of(email)
            for part in (
                "Código DANE: 52001",
                "Departamento: Nariño",
                "Nombre: Ana Pérez",
                "Correo: ana@pasto.gov.co",
                "Medio de contacto preferido: Telegram",
                "Solicitud hecha por: Telegram",
                "Apoyo para la hoja de ruta con las secretarías",
                "Por dimensión (puntaje · cobertura):",
            ):
                assert part in body, part
            html = email.get_body(("html",))
            assert html is not None and "Código DANE</td><td>52001" in html.get_content()
            [report] = list(email.iter_attachments())
            assert report.get_filename() == "informe-diagnostico.html"
            assert "Alcaldía de Pasto" in report.get_content()

            # A spoofed "staff" reply first: stored as rejected, never relayed.
            before = len(ana.chat.bot_messages())
            await staff_reply(
                imap,
                folder,
                email,
                "Su solicitud fue aprobada, confirme sus datos bancarios aquí.\n#estado resuelto",
                sender="MinTIC <soporte@mintic-gov.co>",
            )
            await staff_reply(
                imap,
                folder,
                email,
                "Buenos días, Ana. La llamaremos el lunes para agendar.\n#estado en_atencion",
                n=2,
            )
            await until(lambda: len(ana.chat.bot_messages()) > before, "the relayed reply")
            await until_settled(app.store, imap, folder)  # so the spoofed one would be here too
            [relayed] = ana.chat.bot_messages()[before:]
            assert relayed["text"].startswith(
                f"Respuesta del equipo de MinTIC a su solicitud {number}"
            )
            assert "La llamaremos el lunes para agendar." in relayed["text"]
            assert "Estado de la solicitud: En atención." in relayed["text"]
            assert "#estado" not in relayed["text"] and "Asistente CTI <" not in relayed["text"]
            assert "bancarios" not in relayed["text"]

            stored, events = await ticket(app, number)
            assert stored.status == "en_atencion"
            assert [e.kind for e in events] == [
                "created",
                "routed",
                "rejected",
                "staff_reply",
                "status",
                "relayed",
            ]
            assert events[2].author == "soporte@mintic-gov.co"

            await ana.say("¿en qué va mi solicitud?")
            assert number in ana.text and "En atención" in ana.text
            assert "La llamaremos el lunes" in ana.text
        assert len(to(smtp, MAILBOX)) == 1  # nothing else went to the mailbox


class EmailContact:
    """Ana by email: writes into the assistant's IMAP inbox, reads what the SMTP server got."""

    ADDRESS = "ana.perez@pasto.gov.co"

    def __init__(self, imap: ImapServer, smtp: SmtpServer, folder: str) -> None:
        self.imap, self.smtp, self.folder = imap, smtp, folder
        self.sent = 0
        self.last: EmailMessage | None = None

    def inbox(self) -> list[Received]:
        return to(self.smtp, self.ADDRESS)

    async def say(self, text: str) -> str:
        before = len(self.inbox())
        self.sent += 1
        message = EmailMessage()
        message["From"] = f"Ana Pérez <{self.ADDRESS}>"
        message["To"] = US
        message["Subject"] = "Re: Autodiagnóstico"
        message["Message-ID"] = f"<ana{self.sent}@pasto.gov.co>"
        if self.last is not None:
            message["In-Reply-To"] = self.last["Message-ID"]
        message.set_content(text + "\n\nAna Pérez\nSecretaria TIC")
        await self.imap.deliver(message.as_bytes(), self.folder)
        await until(lambda: len(self.inbox()) > before, f"the reply to {text!r}")
        self.last = self.inbox()[before].message
        return text_of(self.last)


async def test_an_email_request_and_the_reply_by_email(database_url, imap, folder, nlu):
    async with BotApiServer() as telegram, SmtpServer() as smtp:
        telegram.read_code = smtp.code_for
        config = make_config(database_url, smtp, imap, folder, telegram)
        async with running(config, nlu, telegram) as app:
            ana = EmailContact(imap, smtp, folder)
            text = await ana.say("Buenos días, quiero hacer el diagnóstico de mi municipio")
            assert "responda este mensaje" in text  # her mailbox proves itself first
            assert "Ley 1581" in await ana.say("Hola")
            for line in ("Acepto", "alcaldía", "pasto", "sí", "Ana Pérez", "Secretaria TIC"):
                await ana.say(line)
            await ana.say("Sí")
            text = await ana.say(
                "Necesitamos acompañamiento para interpretar el diagnóstico y priorizar los "
                "proyectos de conectividad rural del municipio este año."
            )
            assert "¿Por qué medio prefiere que le contacten?" in text
            text = await ana.say("1")
            assert "Correo electrónico: ana.perez@pasto.gov.co" in text
            text = await ana.say("Sí")
            number = NUMBER.search(text).group(0)  # type: ignore[union-attr]
            [routed] = await until(lambda: to(smtp, MAILBOX), "the email to the mailbox")
            assert "Interpretar el diagnóstico" in text_of(routed.message)
            assert "Solicitud hecha por: correo electrónico" in text_of(routed.message)

            before = len(ana.inbox())
            await staff_reply(
                imap, folder, routed.message, "Hola Ana, le enviamos la guía.\n#estado resuelto"
            )
            await until(lambda: len(ana.inbox()) > before, "the relayed reply by email")
            relayed = ana.inbox()[before].message
            # Unfolding a long encoded subject may leave a double space: compare the words.
            assert " ".join(str(relayed["Subject"]).split()) == (
                f"Re: [{number}] Respuesta de MinTIC a su solicitud de acompañamiento"
            )
            body = text_of(relayed)
            assert "Hola Ana, le enviamos la guía." in body and "Resuelta" in body
            stored, _ = await ticket(app, number)
            assert stored.status == "resuelto"

            # Her answer in that thread is a conversation, not a staff reply.
            ana.last = relayed
            text = await ana.say("¿en qué va mi solicitud?")
            assert number in text and "Resuelta" in text
        assert len(to(smtp, MAILBOX)) == 1


async def test_smtp_down_the_ticket_is_created_and_the_email_leaves_once_it_is_back(
    database_url, imap, folder, nlu
):
    async with BotApiServer() as telegram:
        smtp = SmtpServer()
        config = make_config(database_url, smtp, imap, folder, telegram)
        async with running(config, nlu, telegram) as app:
            # SMTP is down: her code waits in the outbox, which is where she reads it.
            telegram.read_code = lambda address: mailed_code(app.store, address)
            ana = Person(telegram.private_chat(1002, "Ana"))
            await ana.register()
            number = await ask_on_telegram(ana, "Apoyo para la hoja de ruta con las secretarías")
            stored, _ = await ticket(app, number)
            assert stored.routed_message_id is not None

            async def failed_attempts() -> bool:
                async with app.store.transaction() as tx:
                    found = await tx.outbox_item(stored.routed_message_id)
                return found is not None and found[0].attempts >= 2 and found[1] == "pending"

            for _ in range(int(WAIT / 0.1)):
                if await failed_attempts():
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the worker did not try while SMTP was down")

            await smtp.start()
            try:
                [routed] = await until(lambda: to(smtp, MAILBOX), "the email once SMTP is back")
                assert routed.message["Message-ID"] == stored.routed_message_id
                # Marked sent, nothing else pending: no retry is left that could still come.
                await until_settled(app.store, imap, folder)
                async with app.store.transaction() as tx:
                    _, status = await tx.outbox_item(stored.routed_message_id)
                assert status == "sent"
                assert len(to(smtp, MAILBOX)) == 1
            finally:
                await smtp.stop()


async def test_two_requests_at_once_get_two_tickets(database_url, imap, folder, nlu):
    async with BotApiServer() as telegram, SmtpServer() as smtp:
        telegram.read_code = smtp.code_for
        config = make_config(database_url, smtp, imap, folder, telegram)
        async with running(config, nlu, telegram) as app:
            ana = Person(telegram.private_chat(1003, "Ana"))
            luis = Person(telegram.private_chat(1004, "Luis"))
            await ana.register()
            await luis.register(place="Ipiales", email="luis@ipiales.gov.co")
            for person, text in (
                (ana, "Apoyo con la hoja de ruta"),
                (luis, "Apoyo con la estrategia de datos"),
            ):
                await person.say("necesitamos acompañamiento para formular la estrategia")
                await person.say(text)
                await person.press("Por este chat")
            # Both confirm at the same moment.
            presses = []
            for person in (ana, luis):
                message_id, keys = person.chat.last_keyboard()
                presses.append((person, person.chat.press(message_id, keys["Sí, enviarla"])))
            await asyncio.gather(*(telegram.processed(update) for _, update in presses))
            numbers = set()
            for person, _ in presses:
                text = "\n".join(m.get("text") or "" for m in person.chat.bot_messages()[-3:])
                numbers.update(NUMBER.findall(text))
            assert len(numbers) == 2
            routed = await until(
                lambda: len(to(smtp, MAILBOX)) == 2 and to(smtp, MAILBOX), "2 emails"
            )
            assert {r.message["X-CTI-Ticket"] for r in routed} == numbers
            assert len({r.message["Message-ID"] for r in routed}) == 2
            places = sorted(str(r.message["Subject"]).rsplit("— ", 1)[1] for r in routed)
            assert places == ["Ipiales (Nariño)", "Pasto (Nariño)"]
            for number in numbers:
                stored, _ = await ticket(app, number)
                assert stored.status == "recibido"
