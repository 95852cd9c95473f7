"""Who may act for an entity (issue 15), through every service `cti run` starts: the local Bot
API server, aiosmtpd for the mail that leaves (codes, approval requests) and pymap for the mail
that comes in. The attacks of the issue fail; officials vouched for by MinTIC's roster or the
alcaldía's domain join at once; a Gmail official is approved by a colleague's button; a revoked
official loses access mid-conversation."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest

from bot.storage.api import RosterEntry
from nlu.rules import RulesFirst
from tests.channels.email.smtp_server import SmtpServer
from tests.channels.telegram.botapi_server import BotApiServer
from tests.channels.telegram.conftest import Person
from tests.nlu.helpers import embedded, shared_cache
from tests.storage.helpers import store_with_domains
from tests.tickets.helpers import to, until
from tests.tickets.services import US, make_config, running, text_of

os.environ.setdefault("PTB_TIMEDELTA", "true")
ANA, EVA, PEDRO, LUIS, MALLORY = 2001, 2002, 2003, 2004, 2005


@pytest.fixture(scope="module")
def nlu(tmp_path_factory) -> RulesFirst:
    return RulesFirst(embedded(shared_cache(tmp_path_factory)))


@pytest.fixture
async def folder(imap, request) -> str:
    name = f"Oficiales{abs(hash(request.node.nodeid)) % 10**8}"
    await imap.create(name)
    return name


def everything_said(person: Person) -> str:
    return "\n".join(
        str(m.get("text") or m.get("caption") or "") for m in person.chat.bot_messages()
    )


async def register(person: Person, place: str, name: str, email: str) -> str:
    await person.say("hola")
    await person.press("Acepto")
    await person.press("Alcaldía")
    await person.say(place)
    await person.press("Sí")
    await person.say(name)
    await person.say("Profesional TIC")
    await person.say(email)
    await person.press("Sí, son correctos")
    assert "le enviamos un código de 6 dígitos" in person.text, person.text
    assert person.server.read_code is not None
    await person.say(await person.server.read_code(email))
    return person.text


async def test_who_acts_for_an_entity_through_the_running_service(
    database_url, gazetteer, imap, folder, nlu
):
    async with store_with_domains(database_url, gazetteer) as store, store.transaction() as tx:
        entry = RosterEntry("05001", "Luis Mora", "luis.mora.tic@gmail.com", "Secretario TIC")
        await tx.load_roster([entry], datetime.now(UTC))
    async with BotApiServer() as telegram, SmtpServer() as smtp:
        telegram.read_code = smtp.code_for
        config = make_config(database_url, smtp, imap, folder, telegram)
        async with running(config, nlu, telegram) as app:
            # The alcaldía's domain: Ana joins at once and answers.
            ana = Person(telegram.private_chat(ANA, "Ana"))
            text = await register(ana, "Pasto", "Ana Pérez", "ana.perez@pasto.gov.co")
            assert "Quedó registrado(a) por la Alcaldía de Pasto" in text
            assert "Pregunta 1 de" in text
            await ana.say("b")
            assert "✓ Guardado" in ana.text

            # MinTIC's roster: Luis, with Gmail, joins Medellín at once.
            luis = Person(telegram.private_chat(LUIS, "Luis"))
            text = await register(luis, "Medellín", "Luis Mora", "luis.mora.tic@gmail.com")
            assert "Quedó registrado(a) por la Alcaldía de Medellín" in text

            # The sharing/submission attack: a Gmail impostor for Pasto sees no name, no
            # answers, no results, and cannot submit.
            eva = Person(telegram.private_chat(EVA, "Eva"))
            text = await register(eva, "Pasto", "Eva Ríos", "eva.rios.pasto@gmail.com")
            assert "pendiente de aprobación" in text
            for attempt in ("continuar", "resultados", "revisar", "enviar", "progreso", "excel"):
                await eva.say(attempt)
                assert "pendiente de aprobación" in eva.text, (attempt, eva.text)
            said = everything_said(eva)
            assert "Ana" not in said and "dada por" not in said and "Pregunta" not in said
            assert not [c for c in telegram.calls_of("sendDocument") if c.chat_id == EVA]
            assert not [c for c in telegram.calls_of("sendPhoto") if c.chat_id == EVA]

            # Ana gets the request on Telegram, with name, role and verified email, and
            # declines it with one button.
            request = await until(
                lambda: [m for m in ana.chat.bot_messages() if "Eva Ríos" in str(m.get("text"))],
                "the approval request in Ana's chat",
            )
            assert "eva.rios.pasto@gmail.com" in request[-1]["text"]
            assert "Profesional TIC" in request[-1]["text"]
            await ana.press("Rechazar a Eva Ríos")
            assert "la solicitud de Eva Ríos fue rechazada" in ana.text
            await until(lambda: "no fue aprobada" in everything_said(eva), "Eva told")

            # A Gmail official approved by a colleague's button.
            pedro = Person(telegram.private_chat(PEDRO, "Pedro"))
            text = await register(pedro, "Pasto", "Pedro Ruiz", "pedro.ruiz.pasto@gmail.com")
            assert "pendiente de aprobación" in text and "Ana" not in everything_said(pedro)
            await until(
                lambda: any("Pedro Ruiz" in str(m.get("text")) for m in ana.chat.bot_messages()),
                "the second request",
            )
            await ana.press("Aprobar a Pedro Ruiz")
            assert "Pedro Ruiz ya puede actuar por la Alcaldía de Pasto" in ana.text
            await until(lambda: "aprobó su registro" in everything_said(pedro), "Pedro told")
            await pedro.say("continuar")
            assert "Pregunta" in pedro.text
            await pedro.say("no sé")
            assert "✓ Guardado" in pedro.text

            # Revoked by staff (recorded as `cti officials revoke` does): from the next message.
            async with app.store.transaction() as tx:
                member = await tx.contact_by_email("pedro.ruiz.pasto@gmail.com")
                assert member is not None and member.is_member
                await tx.record_membership(
                    member.id, "revoked", datetime.now(UTC), basis="staff", actor_staff="luisa"
                )
            await pedro.say("40")
            assert "fue retirado" in pedro.text and "✓ Guardado" not in pedro.text
            await pedro.say("resultados")
            assert "fue retirado" in pedro.text

            async with app.store.transaction() as tx:
                events = await tx.membership_events(entity_code="52001")
            ana_id = next(e.contact_id for e in events if e.basis == "domain")
            assert [(e.kind, e.basis, e.actor_contact_id) for e in events] == [
                ("joined", "domain", None),
                ("requested", "", None),
                ("declined", "member", ana_id),
                ("requested", "", None),
                ("approved", "member", ana_id),
                ("revoked", "staff", None),
            ]


class MailClient:
    """The mayor's mail client: writes through IMAP, reads what SMTP received for him."""

    def __init__(self, imap: Any, smtp: SmtpServer, folder: str, address: str) -> None:
        self.imap, self.smtp, self.folder, self.address = imap, smtp, folder, address
        self.read, self.sent = len(to(smtp, address)), 0
        self.last_id: str | None = None

    async def say(self, text: str) -> str:
        self.sent += 1
        message = EmailMessage()
        message["From"] = f"Alcalde <{self.address}>"
        message["To"] = US
        message["Subject"] = "Diagnóstico"
        message["Message-ID"] = f"<alcalde{self.sent}.{random.randrange(10**9)}@pasto.gov.co>"
        if self.last_id is not None:
            message["In-Reply-To"] = self.last_id
        message.set_content(text)
        await self.imap.deliver(message.as_bytes(), self.folder)
        [reply] = (await until(lambda: to(self.smtp, self.address)[self.read :], "a reply"))[:1]
        self.read += 1
        self.last_id = str(reply.message["Message-ID"])
        return text_of(reply.message)


async def test_the_pre_registration_capture_fails_through_the_running_service(
    database_url, gazetteer, imap, folder, nlu
):
    async with store_with_domains(database_url, gazetteer):
        pass
    async with BotApiServer() as telegram, SmtpServer() as smtp:
        config = make_config(database_url, smtp, imap, folder, telegram)
        async with running(config, nlu, telegram) as app:
            # Mallory types the mayor's address on Telegram; the code goes to the mayor.
            mallory = Person(telegram.private_chat(MALLORY, "Mallory"))
            await mallory.say("hola")
            await mallory.press("Acepto")
            await mallory.press("Alcaldía")
            await mallory.say("Pasto")
            await mallory.press("Sí")
            await mallory.say("Mallory")
            await mallory.say("Alcalde")
            await mallory.say("alcalde@pasto.gov.co")
            await mallory.press("Sí, son correctos")
            assert "le enviamos un código de 6 dígitos" in mallory.text
            await mallory.say("000000")
            assert "no coincide" in mallory.text
            await until(lambda: to(smtp, "alcalde@pasto.gov.co"), "the code in the mayor's mail")

            # The real mayor writes by email later: nothing of Mallory's is there.
            mayor = MailClient(imap, smtp, folder, "alcalde@pasto.gov.co")
            assert "responda este mensaje" in await mayor.say("Buenos días")
            assert "Ley 1581" in await mayor.say("Hola")
            text = await mayor.say("Acepto")
            assert "ya está registrado" not in text and "código" not in text
            for line in ("alcaldía", "Pasto", "sí", "Germán Chamorro", "Alcalde"):
                text = await mayor.say(line)
            assert "Correo: alcalde@pasto.gov.co" in text
            text = await mayor.say("Sí")
            assert "Quedó registrado(a) por la Alcaldía de Pasto" in text
            async with app.store.transaction() as tx:
                contacts = await tx.contacts_of_entity("52001")
            assert [(c.name, c.status) for c in contacts] == [("Germán Chamorro", "member")]
            await mallory.say("continuar")
            assert "Pregunta" not in mallory.text and "Germán" not in everything_said(mallory)
