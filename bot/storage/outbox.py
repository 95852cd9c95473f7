"""The outbox: messages stored in the transaction that decided them, delivered by a worker.

Rows go pending -> sent, or pending -> failed after a permanent error or too many attempts.
A worker claims due rows in a short transaction of its own: `FOR UPDATE SKIP LOCKED` on
PostgreSQL, so several workers never take the same row, and a lease (`next_attempt_at` moved
forward) so a worker that dies mid-send leaves the row to be retried once the lease ends. Since
the Message-ID is fixed when the row is written, such a retry is the same message, not a twin.
"""

from __future__ import annotations

import base64
from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select, update

from bot.contract import (
    Attachment,
    ConversationKey,
    Notice,
    Option,
    OutboundEmail,
    OutboxItem,
    OutgoingMessage,
)
from bot.storage.base import TxBase, outbox

if TYPE_CHECKING:
    from bot.storage.api import Store

PENDING, SENT, FAILED = "pending", "sent", "failed"
# Kinds whose address and text are dropped once sent: the reply that confirms an erasure,
# and the notice to an address the contact replaced. Until then they need the address.
ERASURE, EMAIL_CHANGED = "erasure", "email_changed"
SCRUBBED_WHEN_SENT = (ERASURE, EMAIL_CHANGED)
# Kinds that carry a one-time code: once sent, the code is nowhere but in the recipient's
# mailbox (its text goes; the address stays, to count what was sent to it).
CODE, EMAIL_CODE = "code", "email-code"
# The daily digest to the mailbox names pending officials (bot/staff/digest.py): once in the
# mailbox, it need not stay in the database, where an erasure would have to find it.
OFFICIALS_DIGEST = "officials-digest"
BLANKED_WHEN_SENT = (CODE, EMAIL_CODE, OFFICIALS_DIGEST)


def code_message_id(conversation_id: int | None, fresh_id: str) -> str:
    """A code mail's Message-ID names the conversation that asked for it, so erasing that
    conversation finds it even when it went to an address that never became anyone's;
    `fresh_id` is a new "<unique@domain>"."""
    return f"<{CODE}-{conversation_id}-{fresh_id.strip('<>')}>"


def code_id_prefix(conversation_id: int) -> str:
    return f"<{CODE}-{conversation_id}-"


def _attachments_json(attachments: tuple[Attachment, ...]) -> list[dict[str, str]]:
    return [
        {
            "filename": a.filename,
            "content_type": a.content_type,
            "data": base64.b64encode(a.data).decode("ascii"),
        }
        for a in attachments
    ]


def _attachments(data: list[dict[str, str]]) -> tuple[Attachment, ...]:
    return tuple(
        Attachment(a["filename"], a["content_type"], base64.b64decode(a["data"])) for a in data
    )


def _parts_json(replies: tuple[OutgoingMessage, ...]) -> list[dict[str, Any]]:
    return [
        {
            "text": r.text,
            "options": [[o.value, o.label] for o in r.options],
            "attachments": _attachments_json(r.attachments),
        }
        for r in replies
    ]


def _item(row: Any) -> OutboxItem:
    if row.parts is None:
        return _email(row)
    key = ConversationKey(row.channel, row.recipient)
    headers = dict(row.headers)
    return Notice(
        key=key,
        replies=tuple(
            OutgoingMessage(
                key,
                part["text"],
                tuple(Option(value, label) for value, label in part["options"]),
                _attachments(part["attachments"]),
            )
            for part in row.parts
        ),
        notice_id=row.message_id,
        subject=row.subject,
        in_reply_to=headers.get("In-Reply-To"),
        references=tuple(headers.get("References", "").split()),
        kind=row.kind,
        id=row.id,
        attempts=row.attempts,
    )


def _email(row: Any) -> OutboundEmail:
    return OutboundEmail(
        recipient=row.recipient,
        subject=row.subject,
        text=row.body_text,
        message_id=row.message_id,
        html=row.body_html,
        attachments=_attachments(row.attachments),
        headers=tuple((str(k), str(v)) for k, v in row.headers.items()),
        kind=row.kind,
        id=row.id,
        attempts=row.attempts,
    )


class OutboxTx(TxBase):
    async def enqueue(self, item: OutboxItem, at: datetime) -> int:
        """Store a message to deliver; returns the row id. An id (Message-ID) already stored is
        a duplicate of the same decision: nothing is added and the existing row's id returned."""
        if isinstance(item, Notice):
            headers = {"In-Reply-To": item.in_reply_to} if item.in_reply_to else {}
            if item.references:
                headers["References"] = " ".join(item.references)
            values: dict[str, Any] = {
                "channel": item.key.channel,
                "recipient": item.key.address,
                "subject": item.subject,
                "body_text": "\n\n".join(r.text for r in item.replies),
                "body_html": None,
                "attachments": [],
                "parts": _parts_json(item.replies),
                "headers": headers,
                "message_id": item.notice_id,
            }
        else:
            values = {
                "channel": "email",
                "recipient": item.recipient,
                "subject": item.subject,
                "body_text": item.text,
                "body_html": item.html,
                "attachments": _attachments_json(item.attachments),
                "parts": None,
                "headers": dict(item.headers),
                "message_id": item.message_id,
            }
        stmt = self._insert(outbox).values(
            kind=item.kind, status=PENDING, attempts=0, next_attempt_at=at, created_at=at, **values
        )
        stmt = stmt.on_conflict_do_nothing(index_elements=[outbox.c.message_id])
        row = (await self._run(stmt.returning(outbox.c.id))).one_or_none()
        if row is not None:
            return int(row[0])
        existing = await self._one(
            select(outbox.c.id).where(outbox.c.message_id == values["message_id"])
        )
        assert existing is not None
        return int(existing[0])

    async def claim_outbox(
        self, now: datetime, limit: int, lease: timedelta, channel: str = "email"
    ) -> list[OutboxItem]:
        """Take up to `limit` due messages of `channel` for delivery, counting the attempt now."""
        due = (
            select(outbox.c.id)
            .where(
                outbox.c.channel == channel,
                outbox.c.status == PENDING,
                outbox.c.next_attempt_at <= now,
            )
            .order_by(outbox.c.next_attempt_at, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = [row[0] for row in (await self._run(due)).all()]
        if not ids:
            return []
        await self._run(
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(next_attempt_at=now + lease, attempts=outbox.c.attempts + 1)
        )
        rows = await self._run(select(outbox).where(outbox.c.id.in_(ids)).order_by(outbox.c.id))
        return [_item(row) for row in rows]

    async def outbox_sent(self, outbox_id: int, at: datetime) -> None:
        """A sent message of a `SCRUBBED_WHEN_SENT` kind (the last words to someone who erased
        their data, a notice to an address they replaced) keeps only its Message-ID (so it is
        never sent twice) and times: its address and text go."""
        await self._run(
            update(outbox)
            .where(outbox.c.id == outbox_id)
            .values(status=SENT, sent_at=at, last_error=None)
        )
        await self._run(
            update(outbox)
            .where(outbox.c.id == outbox_id, outbox.c.kind.in_(SCRUBBED_WHEN_SENT))
            .values(
                recipient="", subject="", body_text="", body_html=None, parts=[], attachments=[]
            )
        )
        await self._run(
            update(outbox)
            .where(outbox.c.id == outbox_id, outbox.c.kind.in_(BLANKED_WHEN_SENT))
            .values(body_text="", body_html=None)
        )

    async def expire_outbox(self, before: datetime, limit: int) -> int:
        old = or_(
            and_(outbox.c.status == SENT, outbox.c.sent_at < before),
            and_(outbox.c.status == FAILED, outbox.c.created_at < before),
        )
        holding = or_(outbox.c.body_text != "", outbox.c.body_html.is_not(None))
        rows = (
            await self._run(
                select(outbox.c.id, outbox.c.parts)
                .where(old, holding)
                .order_by(outbox.c.id)
                .limit(limit)
            )
        ).all()
        blank: dict[str, Any] = {
            "subject": "",
            "body_text": "",
            "body_html": None,
            "attachments": [],
        }
        # A notice (parts) stays a notice and an email an email, only empty.
        notices = [row_id for row_id, parts in rows if parts is not None]
        emails = [row_id for row_id, parts in rows if parts is None]
        if notices:
            await self._run(
                update(outbox).where(outbox.c.id.in_(notices)).values(**blank, parts=[])
            )
        if emails:
            await self._run(update(outbox).where(outbox.c.id.in_(emails)).values(**blank))
        return len(rows)

    async def outbox_recent(
        self,
        recipient: str,
        since: datetime,
        kinds: tuple[str, ...] | None = None,
        *,
        sent_only: bool = False,
    ) -> int:
        """How many messages to `recipient` were queued (or sent) since `since`, of `kinds`."""
        query = select(func.count()).where(outbox.c.recipient == recipient)
        if sent_only:
            query = query.where(outbox.c.status == SENT, outbox.c.sent_at >= since)
        else:
            query = query.where(outbox.c.created_at >= since)
        if kinds is not None:
            query = query.where(outbox.c.kind.in_(kinds))
        row = await self._one(query)
        return int(row[0]) if row else 0

    async def outbox_retry(self, outbox_id: int, error: str, next_attempt_at: datetime) -> None:
        await self._run(
            update(outbox)
            .where(outbox.c.id == outbox_id, outbox.c.status == PENDING)
            .values(next_attempt_at=next_attempt_at, last_error=error[:2000])
        )

    async def outbox_failed(self, outbox_id: int, error: str) -> None:
        await self._run(
            update(outbox)
            .where(outbox.c.id == outbox_id)
            .values(status=FAILED, last_error=error[:2000])
        )

    async def outbox_counts(self) -> Counter[str]:
        """Rows by status: {"pending": 2, "sent": 40, "failed": 1}."""
        rows = await self._run(select(outbox.c.status, func.count()).group_by(outbox.c.status))
        return Counter({status: count for status, count in rows})

    async def outbox_for(self, recipient: str, after_id: int = 0) -> list[OutboxItem]:
        """What was queued for one address, oldest first (for support and tests)."""
        rows = await self._run(
            select(outbox)
            .where(outbox.c.recipient == recipient, outbox.c.id > after_id)
            .order_by(outbox.c.id)
        )
        return [_item(row) for row in rows]

    async def outbox_item(self, message_id: str) -> tuple[OutboxItem, str] | None:
        """A message by its id (Message-ID), with its status (for tests and support)."""
        row = await self._one(select(outbox).where(outbox.c.message_id == message_id))
        return (_item(row), row.status) if row else None


class StoreOutbox:
    """The outbox as the email worker sees it: each call one short transaction of its own."""

    def __init__(self, store: Store, lease: timedelta, channel: str = "email") -> None:
        self.store, self.lease, self.channel = store, lease, channel

    async def claim(self, now: datetime, limit: int) -> list[OutboxItem]:
        async with self.store.transaction() as tx:
            return await tx.claim_outbox(now, limit, self.lease, self.channel)

    async def sent(self, email_id: int, at: datetime) -> None:
        async with self.store.transaction() as tx:
            await tx.outbox_sent(email_id, at)

    async def retry(self, email_id: int, error: str, at: datetime) -> None:
        async with self.store.transaction() as tx:
            await tx.outbox_retry(email_id, error, at)

    async def failed(self, email_id: int, error: str) -> None:
        async with self.store.transaction() as tx:
            await tx.outbox_failed(email_id, error)

    async def sent_since(self, recipient: str, since: datetime) -> int:
        async with self.store.transaction() as tx:
            return await tx.outbox_recent(recipient, since, sent_only=True)
