"""Staff decisions about a contact's membership, each inside the caller's transaction: approve,
decline, revoke, and the joins a newly loaded roster or domain makes possible. Each records who
(`actor_staff`) and when through `Tx.record_membership`, and queues a notice that tells the
contact on their channels (a Telegram chat, an email conversation; their verified address when
they have neither), delivered by `cti run` like a staff reply to a ticket."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from bot.config import Config
from bot.contract import Notice, OutgoingMessage
from bot.reach import reachable
from bot.storage.api import ContactRecord, MembershipKind, MemberStatus, Tx
from bot.territory import Gazetteer
from dialogues.messages import Catalog, SettingsCatalog

log = logging.getLogger(__name__)

Decision = Literal["approve", "decline", "revoke"]
NOTICE_KIND = "membership"
# What each decision records, and the statuses it may start from: staff may take back a
# decline or a revocation by approving; a member is revoked, not declined.
EVENT: dict[Decision, MembershipKind] = {
    "approve": "approved",
    "decline": "declined",
    "revoke": "revoked",
}
FROM: dict[Decision, tuple[MemberStatus, ...]] = {
    "approve": ("pending", "declined", "revoked"),
    "decline": ("pending",),
    "revoke": ("member",),
}
Outcome = Literal["done", "unknown", "already", "not_allowed"]


def load_texts(templates: Path, mailbox: str) -> Catalog:
    """data/templates/officials.yml, with `{{ mailbox }}` the programme's mailbox."""
    catalog = SettingsCatalog.load(templates / "officials.yml")
    assert isinstance(catalog, SettingsCatalog)
    catalog.settings = {"mailbox": mailbox}
    return catalog


@dataclass(frozen=True, slots=True)
class Herald:
    """Tells a contact what staff decided about them."""

    catalog: Catalog
    gazetteer: Gazetteer
    new_notice_id: Callable[[], str]

    @classmethod
    def build(cls, config: Config, gazetteer: Gazetteer) -> Herald:
        """The one used by cti officials, the digest and cti web: data/templates/officials.yml,
        Message-IDs at the assistant's own address."""
        from channels.email.compose import new_message_id

        address = config.channels.email.address
        texts = load_texts(config.path(config.data.templates), config.routing.mailbox)
        return cls(texts, gazetteer, lambda: new_message_id(address))

    def entity_title(self, code: str) -> str:
        entity = self.gazetteer.get(code)
        return entity.title if entity else code

    async def tell(self, tx: Tx, contact: ContactRecord, key: str, now: datetime) -> int:
        """Queue the text `officials.notice.<key>` to each of the contact's channels; how many
        notices were queued."""
        entity = self.entity_title(contact.entity_code)
        text = self.catalog.render(f"officials.notice.{key}", entity=entity, email=contact.email)
        subject = self.catalog.render("officials.notice.subject", entity=entity)
        keys = await reachable(tx, contact)
        for where in keys:
            reply = (OutgoingMessage(where, text),)
            await tx.enqueue(
                Notice(where, reply, self.new_notice_id(), subject=subject, kind=NOTICE_KIND), now
            )
        return len(keys)


async def decide(
    tx: Tx, herald: Herald, contact_id: int, decision: Decision, staff: str, now: datetime
) -> tuple[Outcome, ContactRecord | None]:
    """Apply a staff decision and tell the contact; nothing changes unless it is "done"."""
    contact = await tx.contact(contact_id)
    if contact is None:
        return "unknown", None
    if (
        contact.status
        == {"approve": "member", "decline": "declined", "revoke": "revoked"}[decision]
    ):
        return "already", contact
    if contact.status not in FROM[decision]:
        return "not_allowed", contact
    changed = await tx.record_membership(
        contact_id, EVENT[decision], now, basis="staff", actor_staff=staff
    )
    await herald.tell(tx, changed, EVENT[decision], now)
    log.info("contact %s: %s by staff", contact_id, EVENT[decision])
    return "done", changed


async def join_listed(
    tx: Tx, herald: Herald, staff: str, now: datetime, entity_codes: set[str] | None = None
) -> list[ContactRecord]:
    """Pending contacts whose verified address a roster or domain now vouches for become
    members (`joined`, with that basis) and are told; only those of `entity_codes` if given."""
    joined = []
    for contact in await tx.pending_contacts():
        if entity_codes is not None and contact.entity_code not in entity_codes:
            continue
        if contact.email_verified_at is None or not contact.email:
            continue  # an address nobody proved vouches for nobody
        basis = await tx.membership_basis(contact.entity_code, contact.email)
        if not basis:
            continue
        member = await tx.record_membership(
            contact.id, "joined", now, basis=basis, actor_staff=staff
        )
        await herald.tell(tx, member, f"joined_{basis}", now)
        joined.append(member)
    return joined
