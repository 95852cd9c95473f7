"""The legitimate paths with the mail clients officials and MinTIC's staff really use (Gmail,
Outlook for Windows, Outlook on the web, iPhone Mail), through the running services of
`cti run`: mail lands in a real IMAP server (pymap), the assistant answers through the outbox
and a real SMTP server (aiosmtpd). Each reply is built from a template of that client's
structure (`fixtures/`), the answer typed above the quoted mail, and threads to our signed
Message-ID as the client would. Also the mail that froze every chat (issue 14): «Hola» and
120,000 blank lines, handled while the event loop stays responsive."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest

from channels.email.inbound import InboundMail, body_text, read
from nlu.rules import RulesFirst
from tests.channels.email.clients import CLIENTS, reply
from tests.channels.email.helpers import US, email_config, running
from tests.channels.email.imap_server import ImapServer
from tests.channels.email.smtp_server import SmtpServer
from tests.channels.telegram.botapi_server import BotApiServer
from tests.nlu.helpers import embedded, shared_cache
from tests.tickets.helpers import MAILBOX, to, until, until_settled
from tests.tickets.services import LUISA, NUMBER, make_config, text_of, ticket
from tests.tickets.services import running as running_all

ANA = "ana.perez@pasto.gov.co"
QUESTION = (
    "Pregunta 1 de 4. ¿Cuántas secretarías usan datos?\na) Ninguna\nb) Algunas\n\n"
    "#estado resuelto\nResponda este mensaje"
)


@pytest.fixture(scope="module")
def nlu(tmp_path_factory) -> RulesFirst:
    return RulesFirst(embedded(shared_cache(tmp_path_factory)))


def ours(text: str = QUESTION) -> EmailMessage:
    message = EmailMessage()
    message["Message-ID"] = "<ana.perez.kabcdefghijklmnopqrstuvwxyz234567@cti.test>"
    message["Subject"] = "Autodiagnóstico"
    message.set_content(text)
    return message


@pytest.mark.parametrize("client", CLIENTS)
def test_each_client_s_reply_reads_as_the_answer_alone(client):
    raw = reply(client, f"Ana Pérez <{ANA}>", US, ours(), "1) b\n2) 40")
    mail = read(raw, US)
    assert isinstance(mail, InboundMail)
    assert mail.text == "1) b\n2) 40"
    assert mail.in_reply_to == str(ours()["Message-ID"]) and mail.sender == ANA
    # Some servers keep only the HTML part: it reads the same (Outlook's header block over
    # blank lines, Outlook on the web's quote after its `divRplyFwdMsg`).
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    part = parsed.get_body(("html",))
    assert part is not None
    html_only = EmailMessage()
    html_only.set_content(part.get_content(), subtype="html")
    assert body_text(html_only) == "1) b\n2) 40"


class Writer:
    """Someone answering from `client`: the first mail new, every other one a reply to the
    last mail they received from us, quoting it."""

    def __init__(
        self, client: str, imap: ImapServer, smtp: SmtpServer, folder: str, who: str
    ) -> None:
        self.client, self.imap, self.smtp, self.folder, self.who = client, imap, smtp, folder, who
        self.address = who.rpartition("<")[2].rstrip(">")
        self.last: EmailMessage | None = None

    def inbox(self) -> list[EmailMessage]:
        return [r.message for r in to(self.smtp, self.address)]

    async def write(self, text: str, **quoting: Any) -> None:
        if self.last is None:
            first = EmailMessage()
            first["From"], first["To"], first["Subject"] = self.who, US, "Autodiagnóstico"
            first["Message-ID"] = f"<first.{self.client}@{self.address.partition('@')[2]}>"
            first.set_content(text)
            raw = first.as_bytes()
        else:
            raw = reply(self.client, self.who, US, self.last, text, **quoting)
        await self.imap.deliver(raw, self.folder)

    async def say(self, text: str, **quoting: Any) -> str:
        before = len(self.inbox())
        await self.write(text, **quoting)
        await until(lambda: len(self.inbox()) > before, f"the reply to {text!r}")
        self.last = self.inbox()[before]
        return text_of(self.last)


@pytest.fixture
async def folder(imap, request) -> str:
    name = f"Clientes{abs(hash(request.node.nodeid)) % 10**8}"
    await imap.create(name)
    return name


@pytest.mark.parametrize("client", CLIENTS)
async def test_an_official_registers_and_answers_from_her_mail_client(
    client, database_url, imap, folder, nlu
):
    async with SmtpServer() as smtp:
        ana = Writer(client, imap, smtp, folder, f"Ana Pérez <{ANA}>")
        async with running(email_config(database_url, smtp, imap, folder), nlu):
            assert "responda este mensaje" in await ana.say("Buenos días, quiero el diagnóstico")
            assert "Ley 1581" in await ana.say("Hola, soy yo")
            for line in ("Acepto", "alcaldía", "pasto", "sí", "Ana Pérez", "Secretaria TIC"):
                text = await ana.say(line)
            assert "Nombre: Ana Pérez" in text and f"Correo: {ANA}" in text
            text = await ana.say("Sí")
            assert "Personas · Educación" in text
            # The quote below her answer holds the whole question with its options: read as
            # an answer it would record other letters or ask again.
            text = await ana.say("1) b\n2) 40")
            assert "✓ b)" in text and "✓ 40 %" in text, text
            understood = text.replace("\r\n", "\n").split("\n\n", 1)[0].splitlines()[1:]
            assert understood == ["• 1) ✓ b) Está en formulación", "• 2) ✓ 40 %"], text
            assert "Avance del diagnóstico: 2 de " in text  # two answers stored, no more
        assert len(smtp.recorder.received) == len(ana.inbox())


@pytest.mark.parametrize("client", ["outlook2003", "gmail"])
async def test_a_greeting_paragraph_before_each_answer_hides_none_of_them(
    client, database_url, imap, folder, nlu
):
    """Officials open each mail with a salutation on its own paragraph (36 of 256 real
    replies): the conversation reads what follows, also from Outlook 2003's HTML-only mail
    (read as empty before: its `<head>` holds self-closing `<o:SmartTagType/>` tags)."""
    async with SmtpServer() as smtp:
        ana = Writer(client, imap, smtp, folder, f"Ana Pérez <{ANA}>")
        async with running(email_config(database_url, smtp, imap, folder), nlu):
            assert "responda este mensaje" in await ana.say("Buenos días, quiero el diagnóstico")
            greetings = ("Buenos días,", "Cordial saludo.", "Hola Asistente", "Buenas tardes,")
            steps = ("Hola, soy yo", "Acepto", "alcaldía", "pasto", "sí", "Ana Pérez")
            for n, line in enumerate(steps):
                text = await ana.say(f"{greetings[n % len(greetings)]}\n\n{line}")
                assert "¡Hola!" not in text, (line, text)
            text = await ana.say("Buenos días,\n\nSecretaria TIC")
            assert "Nombre: Ana Pérez" in text and "Cargo: Secretaria TIC" in text, text
            text = await ana.say("Cordial saludo.\n\nSí")
            assert "Personas · Educación" in text
            text = await ana.say("Buenos días,\n\n1) b\n2) 40\n\nCordialmente,\nAna Pérez")
            assert "✓ b)" in text and "✓ 40 %" in text, text


def in_template(lines: list[str]) -> list[str]:
    """The official fills in our «Por ejemplo: 1) 2)» lines inside the quote."""
    at = next(i for i, line in enumerate(lines) if line.rstrip().endswith("Por ejemplo:"))
    answers = {"1)": "1) b", "2)": "2) 40"}
    return [answers.get(line.strip(), line) if i > at else line for i, line in enumerate(lines)]


def under_questions(lines: list[str]) -> list[str]:
    """The official types each answer on the line below its quoted question."""
    edited: list[str] = []
    for line in lines:
        edited.append(line)
        if re.match(r"^\s*1\) .*\(pregunta \d+\)", line):
            edited.append("b")
        elif re.match(r"^\s*2\) .*\(pregunta \d+\)", line):
            edited.append("40")
    return edited


@pytest.mark.parametrize(
    "client,edit",
    [
        ("outlook", in_template),
        ("outlook", under_questions),
        ("gmail", in_template),
        ("gmail", under_questions),
    ],
)
async def test_answers_typed_inside_the_quoted_block_are_read(
    client, edit, database_url, imap, folder, nlu
):
    """Nothing above the quote: the answers are in it, in our template's lines or below each
    question (Outlook quotes without marks, Gmail with «>»)."""
    async with SmtpServer() as smtp:
        ana = Writer(client, imap, smtp, folder, f"Ana Pérez <{ANA}>")
        async with running(email_config(database_url, smtp, imap, folder), nlu):
            await ana.say("Buenos días, quiero el diagnóstico")
            await ana.say("Hola, soy yo")
            for line in ("Acepto", "alcaldía", "pasto", "sí", "Ana Pérez", "Secretaria TIC"):
                await ana.say(line)
            assert "Personas · Educación" in await ana.say("Sí")
            text = await ana.say("", edit=edit, quote_lines=400)
            understood = text.replace("\r\n", "\n").split("\n\n", 1)[0].splitlines()[1:]
            assert understood == ["• 1) ✓ b) Está en formulación", "• 2) ✓ 40 %"], text


class LoopLag:
    """The longest the event loop went without running a 10 ms ticker: how long every other
    chat would have waited."""

    def __init__(self) -> None:
        self.worst = 0.0

    @contextlib.asynccontextmanager
    async def measuring(self) -> AsyncIterator[LoopLag]:
        async def tick() -> None:
            loop = asyncio.get_running_loop()
            while True:
                before = loop.time()
                await asyncio.sleep(0.01)
                self.worst = max(self.worst, loop.time() - before - 0.01)

        task = asyncio.create_task(tick())
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_staff_replies_from_outlook_and_owa_relayed_and_the_official_answers_them(
    database_url, imap, folder, nlu
):
    async with BotApiServer() as telegram, SmtpServer() as smtp:
        config = make_config(database_url, smtp, imap, folder, telegram)
        async with running_all(config, nlu, telegram) as app:
            ana = Writer("gmail", imap, smtp, folder, f"Ana Pérez <{ANA}>")
            await ana.say("Buenos días, quiero hacer el diagnóstico de mi municipio")
            await ana.say("Hola")
            for line in ("Acepto", "alcaldía", "pasto", "sí", "Ana Pérez", "Secretaria TIC"):
                await ana.say(line)
            await ana.say("Sí")
            await ana.say(
                "Necesitamos acompañamiento para interpretar el diagnóstico y priorizar los "
                "proyectos de conectividad rural del municipio este año."
            )
            await ana.say("1")
            text = await ana.say("Sí")
            found = NUMBER.search(text)
            assert found, text
            number = found.group(0)
            [routed] = await until(lambda: to(smtp, MAILBOX), "the email to the mailbox")

            async def staff(client: str, answer: str, who: str = LUISA) -> None:
                await imap.deliver(reply(client, who, US, routed.message, answer), folder)

            # Outlook for Windows: relayed by email, status changed, the quote left out.
            before = len(ana.inbox())
            await staff("outlook", "Buenos días, Ana. La llamaremos el lunes.\n#estado en_atencion")
            await until(lambda: len(ana.inbox()) > before, "the Outlook reply relayed")
            relayed = ana.inbox()[before]
            body = text_of(relayed)
            assert "La llamaremos el lunes." in body and "En atención" in body
            assert "Enviado el:" not in body and "Código DANE" not in body
            assert (await ticket(app, number))[0].status == "en_atencion"

            # Ana answers the relayed message from Gmail: a conversation about her request.
            ana.last = relayed
            text = await ana.say("¿en qué va mi solicitud?")
            assert number in text and "En atención" in text and "La llamaremos el lunes" in text

            # Outlook on the web.
            before = len(ana.inbox())
            await staff("owa", "Ana, le enviamos la guía por este medio.\n#estado resuelto")
            await until(lambda: len(ana.inbox()) > before, "the OWA reply relayed")
            body = text_of(ana.inbox()[before])
            assert "le enviamos la guía" in body and "Resuelta" in body
            assert "Enviado:" not in body and "Código DANE" not in body
            stored, events = await ticket(app, number)
            assert stored.status == "resuelto"
            replies = [e.body for e in events if e.kind == "staff_reply"]
            assert replies == [
                "Buenos días, Ana. La llamaremos el lunes.",
                "Ana, le enviamos la guía por este medio.",
            ]

            # The mail that held every chat for 10 s: «Hola» and 60,000 blank lines (120 KB
            # with CRLF), then text. The reader keeps 64 KB: with 30,000 lines every one of
            # them reaches the `#estado` reading (the old pattern stalled the loop 2 s here,
            # though it runs in a thread: `re` holds the GIL); with 120,000 the cut is what
            # saves the loop. Proven (a staff member's reply to the ticket's keyed mail) and
            # forged (another domain): the loop keeps every other conversation going.
            before = len(ana.inbox())
            flood = "\nGracias por su paciencia.\n#estado en_atencion"
            lag = LoopLag()
            async with lag.measuring():
                await staff("outlook", "Hola" + "\n" * 30_000 + flood)
                await staff("owa", "Hola" + "\n" * 120_000 + flood)
                await staff("gmail", "Hola" + "\n" * 120_000 + flood, "MinTIC <a@mintic-gov.co>")
                await until(lambda: len(ana.inbox()) >= before + 2, "the big replies relayed")
                await until_settled(app.store, imap, folder)
            assert lag.worst < 1.0, f"the event loop stalled {lag.worst:.2f} s"
            first, second = (text_of(m) for m in ana.inbox()[before : before + 2])
            assert "Hola" in first and "Gracias por su paciencia." in first
            assert "En atención" in first and len(first) < 5000
            assert "Hola" in second and len(second) < 5000
            assert (await ticket(app, number))[0].status == "en_atencion"
            _, events = await ticket(app, number)
            kinds = [e.kind for e in events]
            assert kinds.count("rejected") == 1 and kinds.count("staff_reply") == 4
            print(f"worst event-loop lag with the 120 KB replies: {lag.worst * 1000:.0f} ms")
        assert len(to(smtp, MAILBOX)) == 1
        assert not re.search(r"\n{3,}", first + second)
