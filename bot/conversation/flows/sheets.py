"""The questionnaire as a spreadsheet: sending it, and saving the answers of one sent back.

A file sent back is opened by the engine before its transaction (`open_sheet`): unzipping and
parsing take time no database lock should wait for. Inside, only its rows are judged against
the contact's questionnaire and the answers saved.
"""

from __future__ import annotations

from bot import spreadsheet
from bot.contract import Attachment, IncomingMessage, OutgoingMessage
from bot.conversation import answers
from bot.conversation.registry import NOT_MINE, REPROMPT, Next, goto
from bot.conversation.turn import Turn

_XLSX_NAMES = (".xlsx",)


def is_sheet(attachment: Attachment) -> bool:
    return attachment.content_type == spreadsheet.MIME or attachment.filename.lower().endswith(
        _XLSX_NAMES
    )


def open_sheet(message: IncomingMessage) -> spreadsheet.SheetCells | spreadsheet.SheetError | None:
    """The first questionnaire file attached, opened (or why it cannot be); None without one."""
    found = [a for a in message.attachments if is_sheet(a)]
    if not found:
        return None
    try:
        return spreadsheet.cells(found[0].data)
    except spreadsheet.SheetError as exc:
        return exc


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
    if turn.sheet is None or turn.contact is None:
        return NOT_MINE
    if await turn.refused("answer"):
        return REPROMPT
    asking = turn.state.flow in ("question", "block")
    after = await import_sheet(turn, turn.sheet)
    if after is not None:
        return after
    return goto("question") if asking else REPROMPT  # what was asked may be answered now


async def import_sheet(turn: Turn, opened: spreadsheet.SheetCells | spreadsheet.SheetError) -> Next:
    """Save every readable answer of the file; list the cells that are not answers."""
    if isinstance(opened, spreadsheet.SheetError):
        reason = turn.deps.catalog.render(f"sheet.error.{opened.reason}", **opened.params)
        turn.say("sheet.unreadable", reason=reason)
        return None
    reading = spreadsheet.interpret(opened, turn.q, turn.kind)
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
