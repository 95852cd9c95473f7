"""The questionnaire as a spreadsheet: sending it, and saving the answers of one sent back."""

from __future__ import annotations

from bot import spreadsheet
from bot.contract import Attachment, OutgoingMessage
from bot.conversation import answers
from bot.conversation.registry import NOT_MINE, REPROMPT, Next, goto
from bot.conversation.turn import Turn

_XLSX_NAMES = (".xlsx",)


def is_sheet(attachment: Attachment) -> bool:
    return attachment.content_type == spreadsheet.MIME or attachment.filename.lower().endswith(
        _XLSX_NAMES
    )


async def send_sheet(turn: Turn) -> None:
    answers = await turn.answers()
    data = spreadsheet.build(
        turn.q,
        turn.kind,
        turn.entity.title,
        {qid: a.answer for qid, a in answers.items()},
        turn.deps.catalog,
    )
    text = turn.deps.catalog.render("sheet.sent", total=len(turn.q.questions_for(turn.kind)))
    attachment = Attachment(spreadsheet.FILENAME, spreadsheet.MIME, data)
    turn.replies.append(OutgoingMessage(turn.msg.key, text, (), (attachment,)))


async def intercept(turn: Turn) -> Next:
    """A filled-in questionnaire, whatever the conversation was doing."""
    sheets = [a for a in turn.msg.attachments if is_sheet(a)]
    if not sheets or turn.contact is None:
        return NOT_MINE
    asking = turn.state.flow in ("question", "block")
    after = await import_sheet(turn, sheets[0])
    if after is not None:
        return after
    return goto("question") if asking else REPROMPT  # what was asked may be answered now


async def import_sheet(turn: Turn, attachment: Attachment) -> Next:
    """Save every readable answer of the file; list the cells that are not answers."""
    try:
        reading = spreadsheet.read(attachment.data, turn.q, turn.kind)
    except spreadsheet.SheetError as exc:
        reason = turn.deps.catalog.render(f"sheet.error.{exc.reason}", **exc.params)
        turn.say("sheet.unreadable", reason=reason)
        return None
    if (await turn.assessment()).status == "submitted":
        return goto("review", frozen=True)
    saved = unchanged = 0
    taken: list[str] = []
    for qid, given in reading.answers.items():
        saving = await answers.save(turn, qid, given, keep_same=True)
        if saving.verdict == "unchanged":
            unchanged += 1
        elif saving.verdict == "taken":
            taken.append(qid)  # another person's answer is changed in the chat, with a question
        elif saving.verdict == "saved":
            saved += 1
    turn.say(
        "sheet.imported",
        saved=saved,
        unchanged=unchanged,
        blank=reading.blank,
        taken=taken,
        problems=[
            {"row": p.row, "id": p.question_id, "value": p.value, "reason": p.reason}
            for p in reading.problems[:25]
        ],
        more=max(len(reading.problems) - 25, 0),
    )
    return None
