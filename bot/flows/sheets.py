"""The questionnaire as a spreadsheet: sending it, and saving the answers of one sent back."""

from __future__ import annotations

from bot import spreadsheet
from bot.contract import Attachment, OutgoingMessage
from bot.flows.turn import Turn

_XLSX_NAMES = (".xlsx",)


def is_sheet(attachment: Attachment) -> bool:
    return attachment.content_type == spreadsheet.MIME or attachment.filename.lower().endswith(
        _XLSX_NAMES
    )


async def send_sheet(turn: Turn) -> None:
    answers = await turn.answers()
    data = spreadsheet.build(
        turn.q, turn.kind, turn.entity.title, {qid: a.answer for qid, a in answers.items()}
    )
    text = turn.deps.catalog.render("sheet.sent", total=len(turn.q.questions_for(turn.kind)))
    attachment = Attachment(spreadsheet.FILENAME, spreadsheet.MIME, data)
    turn.replies.append(OutgoingMessage(turn.msg.key, text, (), (attachment,)))


async def import_sheet(turn: Turn, attachment: Attachment) -> None:
    """Save every readable answer of the file; list the cells that are not answers."""
    try:
        reading = spreadsheet.read(attachment.data, turn.q, turn.kind)
    except spreadsheet.SheetError as exc:
        turn.say("sheet.unreadable", reason=str(exc))
        return
    if (await turn.assessment()).status == "submitted":
        from bot.flows.review import say_frozen

        say_frozen(turn)
        return
    answers = await turn.answers()
    mine = turn.contact.id if turn.contact else None
    saved = unchanged = 0
    taken: list[str] = []
    for qid, given in reading.answers.items():
        current = answers.get(qid)
        if current is not None and current.answer == given:
            unchanged += 1
        elif current is not None and current.contact_id not in (None, mine):
            taken.append(qid)  # another person's answer is changed in the chat, with a question
        else:
            await turn.save_answer(qid, given)
            if qid in turn.state.skipped:
                turn.state.skipped.remove(qid)
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
