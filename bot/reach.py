"""Where a notice reaches a contact outside their own conversation: a colleague's approval
request, a decision about their membership (by a colleague or by staff)."""

from __future__ import annotations

from bot.contract import ConversationKey
from bot.storage.api import ContactRecord, Tx

# Channels that deliver a notice outside a turn; a console conversation has nobody to deliver
# to, so a contact known only there is written to at their verified address.
NOTIFIED = ("telegram", "email")


async def reachable(tx: Tx, contact: ContactRecord) -> list[ConversationKey]:
    """The contact's Telegram and email conversations, else their verified address (none for a
    contact without one)."""
    data = await tx.personal_data(contact.id)
    keys = [k for k in (data.conversations if data else ()) if k.channel in NOTIFIED]
    if not keys and contact.email:
        keys = [ConversationKey("email", contact.email)]
    return list(dict.fromkeys(keys))
