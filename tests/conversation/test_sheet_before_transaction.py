"""A questionnaire file sent back is opened before the engine's transaction; inside, only its
rows are judged and the answers saved."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from openpyxl import load_workbook

from bot import spreadsheet
from bot.contract import Attachment, IncomingMessage
from bot.conversation.engine import Engine
from bot.storage.api import Tx
from tests.conversation.chat import Chat


async def _filled(chat: Chat) -> bytes:
    await chat.send("excel")
    [file] = [a for r in chat.last for a in r.attachments]
    book = load_workbook(io.BytesIO(file.data))
    sheet = book[spreadsheet.SHEET]
    sheet.cell(spreadsheet.HEADER_ROW + 1, spreadsheet.ANSWER_COL, "a")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_the_file_is_opened_before_the_transaction(engine, monkeypatch):
    chat = Chat(engine, "sheet-open")
    await chat.register()
    data = await _filled(chat)
    open_transactions: list[int] = []
    opened_inside: list[bool] = []
    real_transaction, real_cells = engine.store.transaction, spreadsheet.cells

    @asynccontextmanager
    async def watched() -> AsyncIterator[Tx]:
        open_transactions.append(1)
        try:
            async with real_transaction() as tx:
                yield tx
        finally:
            open_transactions.pop()

    def cells(raw: bytes) -> spreadsheet.SheetCells:
        opened_inside.append(bool(open_transactions))
        return real_cells(raw)

    monkeypatch.setattr(engine.store, "transaction", watched)
    monkeypatch.setattr(spreadsheet, "cells", cells)
    attachment = Attachment("cuestionario-cti.xlsx", spreadsheet.MIME, data)
    replies = await engine.handle(
        IncomingMessage(chat.key, "sheet-1", attachments=(attachment,), proven=True)
    )
    assert opened_inside == [False]
    assert "1 respuesta" in "\n".join(r.text for r in replies)


@pytest.mark.parametrize("data", [b"<html>", b"PK\x03\x04 broken"])
async def test_a_file_that_cannot_be_opened_is_explained_inside(engine: Engine, data: bytes):
    chat = Chat(engine, f"sheet-bad-{len(data)}")
    await chat.register()
    attachment = Attachment("malo.xlsx", spreadsheet.MIME, data)
    replies = await engine.handle(
        IncomingMessage(chat.key, f"bad-{len(data)}", attachments=(attachment,), proven=True)
    )
    assert "No pude leer el archivo" in "\n".join(r.text for r in replies)
