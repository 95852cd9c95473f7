"""Messages whose address outlives the person's data keep nothing personal once sent."""

from __future__ import annotations

from datetime import timedelta

from bot.contract import ConversationKey, Notice, OutboundEmail, OutgoingMessage
from bot.storage.outbox import EMAIL_CHANGED, ERASURE
from tests.storage.helpers import T0, at, dump_tables


async def test_erasure_farewell_and_email_change_notice_are_scrubbed_once_sent(store):
    key = ConversationKey("email", "ana@pasto.gov.co")
    farewell = Notice(
        key, (OutgoingMessage(key, "Sus datos fueron borrados, Ana"),), "<f@cti>", kind=ERASURE
    )
    notice = OutboundEmail("ana@pasto.gov.co", "Cambió", "Hola, Ana", "<n@cti>", kind=EMAIL_CHANGED)
    other = OutboundEmail("luis@x.co", "Hola", "Hola, Luis", "<o@cti>")
    async with store.transaction() as tx:
        for item in (farewell, notice, other):
            await tx.enqueue(item, T0)
    async with store.transaction() as tx:
        claimed = await tx.claim_outbox(at(1), 10, timedelta(minutes=5), "email")
        for item in claimed:
            await tx.outbox_sent(item.id, at(2))
    rows = (await dump_tables(store))["outbox"]
    assert len(claimed) == 3 and {r["status"] for r in rows} == {"sent"}
    assert "ana@" not in str(rows) and "Ana" not in str(rows)
    assert {r["message_id"] for r in rows} == {"<f@cti>", "<n@cti>", "<o@cti>"}  # never resent
    assert "luis@x.co" in str(rows)  # ordinary mail keeps its record
