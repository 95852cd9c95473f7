"""Mail a code to an address and wait for it to be typed back: the one implementation behind
registering an address, linking a channel to a registration and changing an email address.

The conversation's state keeps only the code's hash, expiry and tries (a `CodeSlot`); the
code itself travels only in the mail, whose text the outbox blanks once sent.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.contract import OutboundEmail
from bot.conversation.codes import CODE_MINUTES, Verdict, code_allowed, issue, judge, typed_code
from bot.conversation.turn import Turn
from bot.storage.outbox import code_message_id


class CodeSlot(Protocol):
    """Where a state keeps the code awaited (Registration, Rectify)."""

    code_hash: str | None
    code_expires: str | None
    code_tries: int


async def mail_code(
    turn: Turn,
    slot: CodeSlot,
    recipient: str,
    *,
    kind: str,
    subject: str,
    text: str,
    **params: Any,
) -> bool:
    """Mail a fresh code to `recipient` (catalog keys `subject` and `text`, rendered with `code`
    and `minutes`) and keep its hash in `slot`; False, with nothing sent, when the address has
    had its share of codes for now."""
    if not await code_allowed(turn.tx, recipient, turn.now):
        return False
    issued = issue(turn.conversation_id, turn.now)
    slot.code_hash, slot.code_expires, slot.code_tries = issued.hash, issued.expires, 0
    catalog = turn.deps.catalog
    await turn.tx.enqueue(
        OutboundEmail(
            recipient=recipient,
            subject=catalog.render(subject),
            text=catalog.render(text, code=issued.code, minutes=CODE_MINUTES, **params),
            message_id=code_message_id(turn.conversation_id, turn.deps.new_email_id()),
            kind=kind,  # a code kind: its text is blanked once sent
        ),
        turn.now,
    )
    return True


def check_code(turn: Turn, slot: CodeSlot, text: str) -> Verdict | None:
    """The verdict on the code in `text` (None when it holds no six digits); a wrong one uses
    a try."""
    typed = typed_code(text)
    if typed is None or slot.code_hash is None or slot.code_expires is None:
        return None
    verdict, slot.code_tries = judge(
        turn.conversation_id, typed, slot.code_hash, slot.code_expires, slot.code_tries, turn.now
    )
    return verdict
