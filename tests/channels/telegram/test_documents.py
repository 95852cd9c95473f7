"""Files people send: the questionnaire comes back as a document and its answers are saved;
other files, and files too large, are refused with a sentence saying what is read."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from bot import spreadsheet
from channels.telegram import files
from tests.channels.telegram.botapi_server import BotApiServer
from tests.channels.telegram.conftest import Person, running
from tests.channels.telegram.helpers import stored_answers


async def test_the_questionnaire_sent_back_filled_in_is_saved(
    server: BotApiServer, engine, texts
) -> None:
    async with running(server, engine, texts):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.register()
        await ana.say("excel")
        [sent] = [m for m in ana.new if "document" in m]
        upload = server.uploads[sent["document"]["file_id"]]
        assert upload.filename.endswith(".xlsx")

        # Ana fills in the first answer in her spreadsheet program and sends the file back.
        book = load_workbook(io.BytesIO(upload.data))
        sheet = book[spreadsheet.SHEET]
        row = spreadsheet.HEADER_ROW + 1
        question = sheet.cell(row, spreadsheet.ID_COL).value
        sheet.cell(row, spreadsheet.ANSWER_COL, "a")
        filled = io.BytesIO()
        book.save(filled)
        await ana._act(
            lambda: ana.chat.send_document(upload.filename, files.SHEET_MIME, filled.getvalue())
        )
        assert "Revisé su hoja de cálculo: guardé 1 respuesta(s)" in ana.text
        assert texts.render("telegram.text_only") not in ana.text
        # A phone may call it application/octet-stream: the name says what it is.
        sheet.cell(row + 1, spreadsheet.ANSWER_COL, 50)  # a percentage
        again = io.BytesIO()
        book.save(again)
        octet = "application/octet-stream"
        await ana._act(lambda: ana.chat.send_document("copia.XLSX", octet, again.getvalue()))
        assert "guardé 1 respuesta(s), 1 ya estaban iguales" in ana.text
    assert len(server.calls_of("getFile")) == 2 and len(server.calls_of("download")) == 2
    answers = await stored_answers(engine, 1001)
    assert question in answers and len(answers) == 2


async def test_other_files_and_large_ones_are_refused_before_download(
    server: BotApiServer, engine, texts
) -> None:
    async with running(server, engine, texts):
        ana = Person(server.private_chat(1001, "Ana"))
        await ana.register()
        await ana._act(lambda: ana.chat.send_document("acta.pdf", "application/pdf", b"%PDF-1.7"))
        assert ana.text == texts.render("telegram.document.type")
        large = b"PK" + b"\0" * files.MAX_FILE_BYTES
        await ana._act(lambda: ana.chat.send_document("grande.xlsx", files.SHEET_MIME, large))
        assert ana.text == texts.render("telegram.document.size", megabytes=10)
        assert "10 MB" in ana.text
        assert server.calls_of("getFile") == []  # neither was fetched
        # A file that only claims to be a spreadsheet reaches the engine, which says so.
        await ana._act(lambda: ana.chat.send_document("malo.xlsx", files.SHEET_MIME, b"<html>"))
        assert "No pude leer el archivo: el archivo no es una hoja de cálculo XLSX." in ana.text
        await ana.say("repetir")
        assert "Pregunta 1 de 103" in ana.text
    assert await stored_answers(engine, 1001) == {}


@pytest.mark.parametrize(
    ("name", "mime", "size", "refused"),
    [
        ("cuestionario-cti.xlsx", files.SHEET_MIME, 20_000, None),
        ("Respuestas.XLSX", "application/octet-stream", 20_000, None),
        ("sin-nombre", files.SHEET_MIME, None, None),
        ("cuestionario.xls", "application/vnd.ms-excel", 20_000, "type"),
        ("acta.pdf", "application/pdf", 20_000, "type"),
        (None, None, 1, "type"),
        ("c.xlsx", files.SHEET_MIME, files.MAX_FILE_BYTES, None),
        ("c.xlsx", files.SHEET_MIME, files.MAX_FILE_BYTES + 1, "size"),
        ("c.xlsx", files.SHEET_MIME, 0, "empty"),
    ],
)
def test_which_files_are_read(
    name: str | None, mime: str | None, size: int | None, refused: str | None
) -> None:
    assert files.refusal(name, mime, size) == refused
