"""Continuing on another channel: a contact registered on Telegram writes by email (or the
other way round). The address they give (or, by email, the one they write from) belongs to a
registered contact, so a one-time code goes to that registered address; typing it back proves
the mailbox is theirs, and this conversation joins their registration and their assessment.

The codes themselves (six digits, expiry, tries, only a hash stored) are bot.conversation.codes.
"""

from __future__ import annotations

from bot.conversation.codes import CODE_MINUTES, MAX_TRIES
from bot.conversation.mailcode import check_code, mail_code
from bot.conversation.registry import Next, goto
from bot.conversation.state import Registration
from bot.conversation.turn import Turn
from bot.redact import mask_email
from bot.storage.outbox import CODE


async def offer_link(turn: Turn, email: str) -> bool:
    """If `email` belongs to a registered contact, mail them a code and wait for it. Without
    mail (the email channel off) no code can travel: the person registers anew."""
    if not turn.deps.mail_enabled:
        return False
    contact = await turn.tx.contact_by_email(email)
    if contact is None:
        return False
    if turn.refused_unproven():
        return True
    reg = turn.state.reg
    sent = await mail_code(
        turn,
        reg,
        contact.email,
        kind=CODE,
        subject="link.email_subject",
        text="link.email_text",
        name=contact.name,
        channel=turn.msg.key.channel,
    )
    if not sent:
        turn.say("link.limited")
        return True
    reg.link_contact, reg.step = contact.id, "code"
    entity = turn.deps.gazetteer.get(contact.entity_code)
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
    verdict = check_code(turn, reg, turn.text)
    if verdict is None:
        turn.say("link.ask", minutes=CODE_MINUTES)
        return None
    if verdict in ("expired", "locked"):
        turn.state.reg = Registration()
        turn.say(f"link.{verdict}")
        return goto("register")
    if verdict == "wrong":
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
