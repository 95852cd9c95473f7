"""Erasing a person reaches their tickets' thread and mail, and the code mails they asked for,
on SQLite and PostgreSQL: nothing of theirs stays in any table, the entity's request does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.contract import OutboundEmail
from bot.storage.api import NewTicket
from bot.storage.outbox import EMAIL_CODE, code_message_id
from bot.tickets.desk import StaffReply
from tests.privacy.scan import database_cells, found_in_database
from tests.storage.helpers import register
from tests.tickets.helpers import desk_for

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
NAME, EMAIL, CHAT = "Zoila Quintero Arango", "zoila.q@pasto.gov.co", "5123450001"
PHONE = "300 123 4567"
NEVER_CONFIRMED = "zoila.personal@correo.test"
PERSONAL = (NAME, EMAIL, CHAT, PHONE, PHONE.replace(" ", ""), NEVER_CONFIRMED, "Asesora Única")


@pytest.fixture(scope="module")
def static():
    from bot.app import load_static
    from bot.config import load_config

    return load_static(load_config(env={}))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def test_erasure_blanks_ticket_threads_and_mails_and_drops_unconfirmed_codes(store, static):
    desk = desk_for(static)
    async with store.transaction() as tx:
        conversation_id, zoila = await register(
            tx, CHAT, NAME, EMAIL, entity="52001", role="Asesora Única de Planeación"
        )
        other_conversation, luis = await register(tx, "5123450002", "Luis Mora", "luis@x.gov.co")
        tickets = []
        for n, words in enumerate(("la estrategia", "el diagnóstico")):
            new = NewTicket(
                "52001",
                zoila.id,
                "estrategia",
                f"Soy {NAME}, necesito apoyo con {words}. Llámeme al {PHONE} o a {EMAIL}.",
                f"Teléfono: {PHONE}",
                "telegram",
                CHAT,
            )
            ticket, _ = await desk.open(tx, new, zoila, at(n), None)
            tickets.append(ticket)
        # Asked to confirm a new address she never confirmed, and Luis the same for his.
        for cid, recipient in ((conversation_id, NEVER_CONFIRMED), (other_conversation, "l@y.co")):
            await tx.enqueue(
                OutboundEmail(
                    recipient,
                    "Código",
                    f"Hola {NAME if cid == conversation_id else 'Luis'}: 123456",
                    code_message_id(cid, f"<c{cid}@cti>"),
                    kind=EMAIL_CODE,
                ),
                at(2),
            )
    first, second = tickets
    async with store.transaction() as tx:  # the first ticket's mail went out, the second's not
        [routed] = [i for i in await tx.outbox_for(desk.settings.mailbox) if i.id is not None][:1]
        await tx.outbox_sent(routed.id, at(3))
    reply = StaffReply(
        "<r1@mintic.gov.co>",
        "luisa@mintic.gov.co",
        f"Re: [{first.number}]",
        f"Estimada {NAME}: la llamamos al {PHONE} el lunes.",
        in_reply_to=first.routed_message_id,
    )
    async with store.transaction() as tx:
        assert await desk.staff_reply(tx, reply, at(4)) == "relayed"
        ticket = await tx.ticket(second.number, lock=True)
        assert ticket is not None
        await desk.follow_up(tx, ticket, at(5))
    before = await database_cells(store)
    seen = {hit.rpartition(": ")[2] for hit in found_in_database(before, PERSONAL)}
    assert seen == set(PERSONAL) - {PHONE.replace(" ", "")}  # the scan sees what is stored

    async with store.transaction() as tx:
        await tx.erase_contact(zoila.id, at(10))
        kept = [await tx.ticket(t.number) for t in tickets]
        threads = [await tx.ticket_events(t.id) for t in tickets]
        luis_code = await tx.outbox_item(code_message_id(other_conversation, "<c2@cti>"))

    after = await database_cells(store)
    assert found_in_database(after, PERSONAL) == []
    # The entity's requests stay, with their thread (who of MinTIC did what, when).
    assert all(k is not None and "necesito apoyo con" in k.description for k in kept)
    assert [e.kind for e in threads[0]] == ["created", "routed", "staff_reply", "relayed"]
    assert threads[0][2].author == "luisa@mintic.gov.co" and threads[0][2].body == ""
    assert [e.kind for e in threads[1]] == ["created", "routed", "follow_up"]
    # The sent ticket mail keeps its Message-ID (never sent twice), not its text; the queued
    # ones (the second ticket's, its follow-up) are gone.
    mails = {row["message_id"]: row for row in after["outbox"]}
    sent = mails[first.routed_message_id]
    assert sent["status"] == "sent" and sent["body_text"] == "" and sent["body_html"] is None
    assert second.routed_message_id not in mails
    assert luis_code is not None  # another person's code mail is not hers
    async with store.transaction() as tx:
        assert await tx.contact(luis.id) == luis


async def test_erasing_an_unregistered_conversation_drops_the_codes_asked_there(store):
    async with store.transaction() as tx:
        conversation_id, _ = await register(tx, CHAT, NAME, EMAIL)
        await tx.enqueue(
            OutboundEmail(
                NEVER_CONFIRMED,
                "Código",
                "123456",
                code_message_id(conversation_id, "<c@cti>"),
                kind=EMAIL_CODE,
            ),
            T0,
        )
        await tx.enqueue(OutboundEmail(CHAT, "x", "y", "<n@cti>"), T0)
        await tx.delete_conversation(conversation_id)
    outbox = (await database_cells(store))["outbox"]
    assert [row["message_id"] for row in outbox] == ["<n@cti>"]  # mail, not to the chat
