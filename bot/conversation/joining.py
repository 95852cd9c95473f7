"""A verified contact joins their entity: at once when MinTIC's roster or one of the entity's
institutional domains vouches for the address, otherwise as a pending request that the entity's
members approve or decline. Also the limits on registrations (per chat and per address) and on
pending requests (per entity), counted per day.
"""

from __future__ import annotations

from datetime import timedelta

from bot.contract import ConversationKey, Notice, Option, OutgoingMessage
from bot.conversation.turn import Turn
from bot.reach import reachable
from bot.storage.api import ContactRecord
from bot.storage.membership import rate_key

REGISTRATIONS_PER_CHAT = 3  # registrations started (codes sent) by one conversation a day
REGISTRATIONS_PER_ADDRESS = 3  # registrations started for one email address a day
REQUESTS_PER_ENTITY = 5  # pending requests to join one entity a day
DAY = timedelta(days=1)
CHAT, ADDRESS = "registration:chat", "registration:address"
APPROVE, DECLINE = "mbr:ok:", "mbr:no:"  # + the applicant's contact id
APPROVAL_KIND = "approval"  # outbox kind of the requests and verdicts sent to people


def chat_key(key: ConversationKey) -> str:
    return rate_key(f"{key.channel}:{key.address}")


async def refusal(turn: Turn, entity_code: str, email: str) -> str | None:
    """The catalog key that refuses one more registration now, or None."""
    since = turn.now - DAY
    if await turn.tx.rate_count(CHAT, chat_key(turn.msg.key), since) >= REGISTRATIONS_PER_CHAT:
        return "reg.limited_chat"
    if await turn.tx.rate_count(ADDRESS, rate_key(email), since) >= REGISTRATIONS_PER_ADDRESS:
        return "reg.limited_address"
    vouched = await turn.tx.membership_basis(entity_code, email)
    if not vouched and await turn.tx.requests_since(entity_code, since) >= REQUESTS_PER_ENTITY:
        return "reg.limited_entity"
    return None


async def note_registration(turn: Turn, email: str) -> None:
    await turn.tx.note_rate(CHAT, chat_key(turn.msg.key), turn.now)
    await turn.tx.note_rate(ADDRESS, rate_key(email), turn.now)


async def join(turn: Turn, contact: ContactRecord) -> ContactRecord:
    """Record how a new contact joins; ask the entity's members when nobody vouches for them."""
    basis = await turn.tx.membership_basis(contact.entity_code, contact.email)
    if basis:
        return await turn.tx.record_membership(contact.id, "joined", turn.now, basis=basis)
    members = await turn.tx.members_of_entity(contact.entity_code)
    contact = await turn.tx.record_membership(contact.id, "requested", turn.now)
    catalog, entity = turn.deps.catalog, turn.deps.gazetteer.get(contact.entity_code)
    for member in members:
        for key in await reachable(turn.tx, member):
            text = catalog.render(
                "approval.request",
                member=member.name,
                name=contact.name,
                role=contact.role,
                email=contact.email,
                title=entity.title if entity else contact.entity_code,
                id=contact.id,
                by_email=key.channel == "email",
            )
            # By email the reply carries the decision in words («aprobar 42»): a numbered list
            # would invite a bare "1" that the member's own conversation reads as an answer.
            options = (
                ()
                if key.channel == "email"
                else (
                    _option(turn, f"{APPROVE}{contact.id}", "label.approve", contact.name),
                    _option(turn, f"{DECLINE}{contact.id}", "label.decline", contact.name),
                )
            )
            await tell(turn, key, text, options)
    return contact


def _option(turn: Turn, value: str, label: str, name: str) -> Option:
    return Option(value, turn.deps.catalog.render(label, name=name))


async def tell(
    turn: Turn, key: ConversationKey, text: str, options: tuple[Option, ...] = ()
) -> None:
    """Queue `text` for a conversation other than this turn's, delivered by its channel."""
    notice = Notice(
        key,
        (OutgoingMessage(key, text, options),),
        turn.deps.new_email_id(),
        subject=turn.deps.catalog.render("approval.subject"),
        kind=APPROVAL_KIND,
    )
    await turn.tx.enqueue(notice, turn.now)
