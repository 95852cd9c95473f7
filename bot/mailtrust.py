"""Who may act by email: the email channel's check before the conversation.

The email channel hands a mail to the conversation only when it proves control of its sender's
mailbox: it brings back a reply key made for the From: address (`bot.replykeys`), and passes
Authentication-Results where that is configured. Any other mail (a first mail from a new
address, a forged From:, a fresh mail instead of a reply) changes nothing and gets, at most once
a day per address, one fixed mail that repeats nothing of what it said: a reply to that mail is
the proof, and the conversation (consent, registration) starts from there.

The limits on codes live with the codes (`bot.conversation.codes`); the check an identity action
makes on a conversation is `Turn.refused_unproven`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.contract import OutboundEmail
from bot.redact import mask_email
from bot.replykeys import ReplyKeys
from bot.storage.api import Store
from dialogues.messages import Catalog

log = logging.getLogger(__name__)

INVITE = "mail-invite"
INVITE_EVERY = timedelta(days=1)


class MailGate:
    """The email channel's check before the conversation, and its one answer to the rest."""

    def __init__(
        self,
        store: Store,
        keys: ReplyKeys,
        catalog: Catalog,
        domain: str,
        clock: Callable[[], datetime],
        wake: Callable[[], None],
    ) -> None:
        self.store, self.keys, self.catalog, self.domain = store, keys, catalog, domain
        self.clock, self.wake = clock, wake

    def proven(self, sender: str, keys: Sequence[str]) -> bool:
        """Whether one of the keys the mail brought back was made for its sender."""
        return any(self.keys.address_matches(key, sender) for key in keys)

    def invite_id(self, sender: str, now: datetime) -> str:
        """One Message-ID per address and day: a second invite that day is the same row."""
        return f"<invite-{now:%Y%m%d}.{self.keys.for_address(sender)}@{self.domain}>"

    async def refuse(self, sender: str, reason: str) -> bool:
        """Queue the fixed invitation unless this address got one in the last day; True if
        queued. Nothing else is stored: not the mail, not the address as a conversation."""
        now = self.clock()
        async with self.store.transaction() as tx:
            if await tx.outbox_recent(sender, now - INVITE_EVERY, (INVITE,)):
                log.info(
                    "email from %s not proven (%s): invited already", mask_email(sender), reason
                )
                return False
            await tx.enqueue(
                OutboundEmail(
                    recipient=sender,
                    subject=self.catalog.render("trust.invite_subject"),
                    text=self.catalog.render("trust.invite") + "\n",
                    message_id=self.invite_id(sender, now),
                    kind=INVITE,
                ),
                now,
            )
        log.info("email from %s not proven (%s): invited to reply", mask_email(sender), reason)
        self.wake()
        return True
