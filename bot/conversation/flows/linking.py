"""Continuing on another channel: a contact registered on Telegram writes by email (or the
other way round). The address they give (or, by email, the one they write from) belongs to a
registered contact, so a one-time code goes to that registered address; typing it back proves
the mailbox is theirs, and this conversation joins their registration and their assessment.

Codes are six digits, expire after `CODE_MINUTES`, allow `MAX_TRIES` attempts, and only their
hash (salted with the conversation) is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from bot.contract import OutboundEmail
from bot.conversation.registry import Next, goto
from bot.conversation.state import Registration
from bot.conversation.turn import Turn
from bot.mailtrust import code_allowed, refused_unproven
from bot.redact import mask_email

CODE_MINUTES = 15
MAX_TRIES = 5
_CODE = re.compile(r"\b(\d{6})\b")


def _hash(conversation_id: int | None, code: str) -> str:
    return hashlib.sha256(f"{conversation_id}:{code}".encode()).hexdigest()


async def offer_link(turn: Turn, email: str) -> bool:
    """If `email` belongs to a registered contact, mail them a code and wait for it. Without
    mail (the email channel off) no code can travel: the person registers anew."""
    if not turn.deps.mail_enabled:
        return False
    contact = await turn.tx.contact_by_email(email)
    if contact is None:
        return False
    if refused_unproven(turn):
        return True
    if not await code_allowed(turn.tx, contact.email, turn.now):
        turn.say("link.limited")
        return True
    reg = turn.state.reg
    code = f"{secrets.randbelow(10**6):06d}"
    reg.link_contact, reg.code_tries, reg.step = contact.id, 0, "code"
    reg.code_hash = _hash(turn.conversation_id, code)
    reg.code_expires = (turn.now + timedelta(minutes=CODE_MINUTES)).isoformat()
    entity = turn.deps.gazetteer.get(contact.entity_code)
    catalog = turn.deps.catalog
    await turn.tx.enqueue(
        OutboundEmail(
            recipient=contact.email,
            subject=catalog.render("link.email_subject"),
            text=catalog.render(
                "link.email_text",
                name=contact.name,
                code=code,
                minutes=CODE_MINUTES,
                channel=turn.msg.key.channel,
            ),
            message_id=turn.deps.new_email_id(),
            kind="code",
        ),
        turn.now,
    )
    turn.say(
        "link.sent",
        email=mask_email(contact.email),
        title=entity.title if entity else "",
        minutes=CODE_MINUTES,
    )
    return True


async def handle_code(turn: Turn) -> Next:
    """The code typed back; registration starts over when it cannot be used any more."""
    reg = turn.state.reg
    if turn.intent == "cancelar" or turn.text.strip().lower() in ("registrarme", "nuevo registro"):
        turn.state.reg = Registration()
        turn.say("link.cancelled")
        return goto("register")
    if reg.link_contact is None or reg.code_hash is None or reg.code_expires is None:
        turn.state.reg = Registration()
        return goto("register")
    found = _CODE.search(turn.text)
    if found is None:
        turn.say("link.ask", minutes=CODE_MINUTES)
        return None
    if turn.now > datetime.fromisoformat(reg.code_expires):
        turn.state.reg = Registration()
        turn.say("link.expired")
        return goto("register")
    if not hmac.compare_digest(_hash(turn.conversation_id, found.group(1)), reg.code_hash):
        reg.code_tries += 1
        if reg.code_tries >= MAX_TRIES:
            turn.state.reg = Registration()
            turn.say("link.locked")
            return goto("register")
        turn.say("link.wrong", left=MAX_TRIES - reg.code_tries)
        return None
    contact = await turn.tx.contact(reg.link_contact)
    turn.state.reg = Registration()
    if contact is None:  # erased meanwhile
        turn.say("link.gone")
        return goto("register")
    turn.contact = contact
    turn.say("link.done", name=contact.name, title=turn.entity.title)
    return goto("question", fresh=True)
