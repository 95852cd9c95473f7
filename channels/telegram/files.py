"""Files people send in the chat: which ones reach the engine. Pure rules, no I/O.

The engine reads one kind of file, the questionnaire sent back filled in (XLSX). Anything else
is refused here with a sentence that says what is read, before it is downloaded.
"""

from __future__ import annotations

from typing import Literal

SHEET_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_SUFFIX = ".xlsx"
# As by email, where a whole mail may carry up to 10 MiB (channels/email/inbound.Limits); the
# sheet reader then applies its own, smaller limit and names it. A bot cannot download more
# than 20 MB from Telegram anyway.
MAX_FILE_BYTES = 10 * 1024 * 1024

Refusal = Literal["type", "size", "empty"]


def is_sheet(filename: str | None, mime_type: str | None) -> bool:
    """By type or by name: phones often send an .xlsx as application/octet-stream."""
    return mime_type == SHEET_MIME or (filename or "").lower().endswith(SHEET_SUFFIX)


def refusal(filename: str | None, mime_type: str | None, size: int | None) -> Refusal | None:
    """Why a document is not passed on (None: it is). `size` as Telegram reports it, or as
    downloaded; None when Telegram did not say."""
    if not is_sheet(filename, mime_type):
        return "type"
    if size is not None and size > MAX_FILE_BYTES:
        return "size"
    if size == 0:
        return "empty"
    return None
