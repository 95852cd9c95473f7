"""Staff replies through the desk, on SQLite and PostgreSQL: matched by the ticket's reply key
in the threading headers (the number alone is refused), stored in the thread, relayed to the
contact's channel, `#estado` applied, long text cut; duplicates, outsiders, subdomains not
listed, unauthenticated mail and the contact's own mail are told apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.contract import ConversationKey, Notice
from bot.tickets.desk import MAX_RELAY_CHARS, StaffReply
from bot.tickets.mail import follow_up_id
from tests.tickets.helpers import desk_for, open_ticket

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=3)


@pytest.fixture(scope="module")
def static():
    from bot.app import load_static
    from bot.config import load_config

    return load_static(load_config(env={}))


async def notices_to(store, address: str) -> list[Notice]:
    async with store.transaction() as tx:
        return [i for i in await tx.outbox_for(address) if isinstance(i, Notice)]


async def reply(store, desk, **fields) -> str:
    values = {
        "message_id": "<r1@mintic.gov.co>",
        "sender": "luisa@mintic.gov.co",
        "subject": "",
        "text": "Buenos días, los llamaremos el lunes.",
    }
    async with store.transaction() as tx:
        return await desk.staff_reply(tx, StaffReply(**{**values, **fields}), LATER)


async def test_a_staff_reply_is_stored_relayed_and_sets_the_status(store, static):
    desk = desk_for(static)
    ticket, _ = await open_ticket(store, desk, T0)
    outcome = await reply(
        store,
        desk,
        subject=f"RE: [{ticket.number}] Solicitud de acompañamiento técnico — Pasto (Nariño)",
        text="Buenos días, los llamaremos el lunes.\n#estado en_atencion",
        in_reply_to=ticket.routed_message_id,
    )
    assert outcome == "relayed"
    [notice] = await notices_to(store, "1001")
    assert notice.key == ConversationKey("telegram", "1001") and notice.kind == "ticket-relay"
    [message] = notice.replies
    assert message.text.startswith(f"Respuesta del equipo de MinTIC a su solicitud {ticket.number}")
    assert "los llamaremos el lunes." in message.text and "#estado" not in message.text
    assert "Estado de la solicitud: En atención." in message.text
    async with store.transaction() as tx:
        stored = await tx.ticket(ticket.number)
        events = await tx.ticket_events(ticket.id)
    assert stored.status == "en_atencion" and stored.last_staff_reply_at == LATER
    assert [e.kind for e in events] == ["created", "routed", "staff_reply", "status", "relayed"]
    assert (
        events[2].author == "luisa@mintic.gov.co" and events[2].message_id == "<r1@mintic.gov.co>"
    )

    # The same mail handed in again (IMAP redelivery) changes nothing.
    again = await reply(
        store, desk, subject=f"Re: [{ticket.number}]", in_reply_to=ticket.routed_message_id
    )
    assert again == "duplicate"
    assert len(await notices_to(store, "1001")) == 1


async def test_threading_headers_find_the_ticket_without_the_tag(store, static):
    desk = desk_for(static)
    ticket, _ = await open_ticket(store, desk, T0)
    outcome = await reply(
        store,
        desk,
        subject="Re: su solicitud",
        in_reply_to=ticket.routed_message_id,
        text="Resuelto con la llamada de hoy.\n#estado resuelto",
    )
    assert outcome == "relayed"
    async with store.transaction() as tx:
        assert (await tx.ticket(ticket.number)).status == "resuelto"
    # A reply to the follow-up (its key in References only) finds its ticket too.
    other, _ = await open_ticket(store, desk, T0, description="Otra solicitud distinta")
    key = desk.keys.for_ticket(other.number)
    outcome = await reply(
        store,
        desk,
        message_id="<r2@mintic.gov.co>",
        references=("<abc@x>", follow_up_id(other.number, desk.mail.domain, key)),
    )
    assert outcome == "relayed"


async def rejected_for(store, desk, ticket, **fields) -> str:
    """Send a reply that must be refused; the reason recorded in the thread."""
    values = {"text": "Su solicitud fue resuelta, valide aquí.\n#estado cerrado"}
    assert await reply(store, desk, **{**values, **fields}) == "rejected"
    async with store.transaction() as tx:
        stored = await tx.ticket(ticket.number)
        events = await tx.ticket_events(ticket.id)
    assert stored.status == "recibido" and stored.last_staff_reply_at is None
    assert events[-1].kind == "rejected" and events[-1].status is None
    return events[-1].body  # a reason of ours: what the mail said is not kept


async def test_only_the_tickets_key_from_an_exact_staff_domain_is_relayed(store, static):
    desk = desk_for(static)
    ticket, _ = await open_ticket(store, desk, T0)
    routed = ticket.routed_message_id
    look_alike = f"<{ticket.number.lower()}.routed@cti.test>"  # the number is sequential
    refusals = [
        await rejected_for(
            store, desk, ticket, message_id="<x1@m>", subject=f"Re: [{ticket.number}]"
        ),
        await rejected_for(store, desk, ticket, message_id="<x2@m>", in_reply_to=look_alike),
        await rejected_for(
            store, desk, ticket, message_id="<x3@m>", sender="a@mintic-gov.co", in_reply_to=routed
        ),
        await rejected_for(
            store, desk, ticket, message_id="<x4@m>", sender="a@x.mintic.gov.co", in_reply_to=routed
        ),
        await rejected_for(
            store, desk, ticket, message_id="<x5@m>", in_reply_to=routed, authenticated=False
        ),
    ]
    assert refusals == ["no_key", "no_key", "not_staff", "not_staff", "not_authenticated"]
    assert await notices_to(store, "1001") == []


async def test_configured_staff_domains_are_trusted(store, static):
    desk = desk_for(static, staff_domains=("mintic.gov.co", "operador.com.co"))
    ticket, _ = await open_ticket(store, desk, T0)
    outcome = await reply(
        store, desk, sender="ing@operador.com.co", in_reply_to=ticket.routed_message_id
    )
    assert outcome == "relayed"


async def test_a_long_reply_reaches_the_contact_cut_with_a_note(store, static):
    desk = desk_for(static)
    ticket, _ = await open_ticket(store, desk, T0)
    long = "Párrafo de la respuesta.\n" * 2000  # 50 KB
    outcome = await reply(store, desk, text=long, in_reply_to=ticket.routed_message_id)
    assert outcome == "relayed"
    [notice] = await notices_to(store, "1001")
    [message] = notice.replies
    assert MAX_RELAY_CHARS < len(message.text) < MAX_RELAY_CHARS + 1000
    assert "el texto completo llegó al buzón de MinTIC" in message.text


async def test_the_contact_writing_in_the_thread_goes_to_the_conversation(store, static):
    desk = desk_for(static)
    ticket, _ = await open_ticket(store, desk, T0, channel="email", address="ana@pasto.gov.co")
    outcome = await reply(
        store, desk, sender="ana@pasto.gov.co", subject=f"Re: [{ticket.number}] Respuesta"
    )
    assert outcome == "from_contact"
    assert await reply(store, desk, subject="Re: Autodiagnóstico") == "not_a_ticket"


async def test_a_request_made_on_the_console_is_answered_by_email(store, static):
    desk = desk_for(static)
    ticket, _ = await open_ticket(store, desk, T0, channel="console", address="local")
    assert await reply(store, desk, in_reply_to=ticket.routed_message_id) == "relayed"
    [notice] = await notices_to(store, "ana@pasto.gov.co")
    assert notice.key == ConversationKey("email", "ana@pasto.gov.co")
    assert (
        notice.subject == f"[{ticket.number}] Respuesta de MinTIC a su solicitud de acompañamiento"
    )
    # Her answer to that email is hers to the assistant, not a rejected staff reply.
    outcome = await reply(
        store,
        desk,
        message_id="<ana1@pasto.gov.co>",
        sender="ana@pasto.gov.co",
        subject=f"Re: {notice.subject}",
    )
    assert outcome == "from_contact"


async def test_a_status_set_by_staff_is_told_to_the_contact(store, static):
    desk = desk_for(static)
    ticket, _ = await open_ticket(store, desk, T0)
    async with store.transaction() as tx:
        assert await desk.set_status(tx, ticket, "en_atencion", "cti:luisa", LATER)
    async with store.transaction() as tx:
        current = await tx.ticket(ticket.number)
        assert not await desk.set_status(tx, current, "en_atencion", "cti:luisa", LATER)
    [notice] = await notices_to(store, "1001")
    assert notice.replies[0].text == f"Su solicitud {ticket.number} cambió de estado: En atención."


async def test_routing_rules_pick_the_mailbox_and_copies(store, static):
    from bot.config import RoutingRuleConfig

    desk = desk_for(
        static,
        cc=("coordinacion@mintic.gov.co",),
        rules=(
            RoutingRuleConfig(
                departments=("Nariño",), mailbox="sur@mintic.gov.co", cc=("enlace@mintic.gov.co",)
            ),
        ),
    )
    ticket, _ = await open_ticket(store, desk, T0)
    async with store.transaction() as tx:
        [email] = await tx.outbox_for("sur@mintic.gov.co")
    assert dict(email.headers)["Cc"] == "coordinacion@mintic.gov.co, enlace@mintic.gov.co"
    assert ticket.number in email.subject
