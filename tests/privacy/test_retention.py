"""`channels.email.outbox.retain_days`: the text of messages sent (or failed) longer ago is
blanked by `cti run`'s retention service; the delivery record stays (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from bot.app import build_app, build_services
from bot.config import PROJECT_ROOT, Config, load_config
from bot.contract import Attachment, ConversationKey, Notice, OutboundEmail, OutgoingMessage
from bot.retention import OutboxRetention
from nlu.rules import RuleInterpreter
from tests.privacy.scan import database_cells
from tests.storage.helpers import T0

DAY = timedelta(days=1)
NOW = T0 + 40 * DAY


async def _queue(store, item, at, outcome: str | None) -> None:
    async with store.transaction() as tx:
        row_id = await tx.enqueue(item, at)
        if outcome == "sent":
            await tx.outbox_sent(row_id, at)
        elif outcome == "failed":
            await tx.outbox_failed(row_id, "550 no such user")


async def test_messages_past_retention_keep_only_their_delivery_record(store):
    key = ConversationKey("telegram", "5123456789")
    notice = Notice(key, (OutgoingMessage(key, "Hola, Ana Pérez"),), "<old-notice@cti>")
    mail = OutboundEmail(
        "ana@pasto.gov.co",
        "Su informe, Ana",
        "Hola, Ana Pérez",
        "<old-mail@cti>",
        html="<p>Hola, Ana Pérez</p>",
        attachments=(Attachment("informe.html", "text/html", b"Ana"),),
    )
    await _queue(store, notice, T0, "sent")
    await _queue(store, mail, T0 + DAY, "sent")
    await _queue(store, OutboundEmail("x@y.co", "S", "Ana", "<failed@cti>"), T0, "failed")
    await _queue(store, OutboundEmail("x@y.co", "S", "Ana", "<recent@cti>"), NOW - 29 * DAY, "sent")
    await _queue(store, OutboundEmail("x@y.co", "S", "Ana", "<pending@cti>"), T0, None)

    retention = OutboxRetention(store, timedelta(days=30), clock=lambda: NOW, batch=2)
    assert await retention.run_once() == 3  # in two batches
    assert await retention.run_once() == 0  # nothing left to blank
    rows = {row["message_id"]: row for row in (await database_cells(store))["outbox"]}
    for old in ("<old-notice@cti>", "<old-mail@cti>", "<failed@cti>"):
        row = rows[old]
        assert (row["subject"], row["body_text"], row["body_html"]) == ("", "", None), row
        assert row["attachments"] == [] and "Ana" not in str(row["parts"])
    assert rows["<old-notice@cti>"]["parts"] == [] and rows["<old-mail@cti>"]["parts"] is None
    # What stays: where it went, its Message-ID and status (rate limits, never sent twice).
    assert rows["<old-mail@cti>"]["recipient"] == "ana@pasto.gov.co"
    assert rows["<old-notice@cti>"]["recipient"] == "5123456789"
    assert {r["status"] for r in rows.values()} == {"sent", "failed", "pending"}
    assert (
        rows["<recent@cti>"]["body_text"] == "Ana" and rows["<pending@cti>"]["body_text"] == "Ana"
    )
    async with store.transaction() as tx:
        assert await tx.outbox_recent("ana@pasto.gov.co", T0, sent_only=True) == 1
        assert await tx.enqueue(mail, NOW) == rows["<old-mail@cti>"]["id"]  # still one message


def _config(tmp_path, channels: dict[str, Any], outbox: dict[str, Any]) -> Config:
    channels = {**channels, "email": {**channels.get("email", {}), "outbox": outbox}}
    return Config.model_validate(
        {
            "root": str(PROJECT_ROOT),
            "database": {"url": f"sqlite+aiosqlite:///{tmp_path / 'cti.db'}"},
            "channels": channels,
            "secrets": {"telegram_token": "123456:ABCDEF"},
        }
    )


@pytest.mark.parametrize(
    "channels,expected",
    [
        ({"console": {"enabled": False}, "telegram": {"enabled": True}}, True),
        ({"console": {"enabled": True}}, False),  # nothing is ever sent: no service
    ],
)
async def test_cti_run_gets_the_service_where_messages_are_sent(
    tmp_path, backend, channels, expected
):
    built = _config(tmp_path, channels, {"retain_days": 7, "retain_check_seconds": 60})
    app = await build_app(built, interpreter=RuleInterpreter())
    try:
        service = build_services(app, stdin=io.StringIO()).get("outbox-retention")
    finally:
        await app.close()
    if not expected:
        assert service is None
        return
    assert isinstance(service, OutboxRetention)
    assert (service.retain, service.check_seconds) == (timedelta(days=7), 60)


def test_retention_defaults_to_thirty_days():
    assert load_config(env={}).channels.email.outbox.retain_days == 30
    with pytest.raises(ValidationError, match=r"retain_days"):
        Config.model_validate({"channels": {"email": {"outbox": {"retain_days": 0}}}})
