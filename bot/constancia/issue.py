"""Issuing a constancia when a member submits: its files follow the submission's reply."""

from __future__ import annotations

from bot.constancia.lookup import Issued, latest
from bot.contract import OutgoingMessage
from bot.conversation.turn import Turn


async def issue(turn: Turn, assessment_id: int) -> None:
    """Call after the status is set to submitted, in the same transaction. Nothing is stored;
    the PDF is drawn after commit, like the report."""
    ctx = turn.deps.constancia
    if ctx is None:
        return
    found = await latest(turn.tx, ctx, assessment_id)
    if not isinstance(found, Issued):
        return  # not a member's submission, or a questionnaire that is not loaded
    view, key, renderer = found.view, turn.msg.key, ctx.renderer

    async def render() -> list[OutgoingMessage]:
        text = renderer.text("constancia.message", number=view.number, code=view.code)
        return [OutgoingMessage(key, text, attachments=renderer.files(view))]

    turn.after_commit.append(render)
