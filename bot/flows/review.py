"""Review before submitting, submitting (freezes the assessment), reopening, and results."""

from __future__ import annotations

from bot.analytics.results import peer_comparison
from bot.contract import Attachment, OutgoingMessage
from bot.flows.tickets import quick_options
from bot.flows.turn import NO, YES, Turn
from bot.mailtrust import refused_unproven
from bot.report.view import split_ranked
from bot.scoring import score
from dialogues import navigation as nav

REPORT_FILE = "informe-cti.html"
RADAR_FILE = "radar-cti.png"


async def show_review(turn: Turn) -> None:
    answers = await turn.answers()
    dont_know = {qid for qid, a in answers.items() if a.answer.kind == "dont_know"}
    rows = nav.progress(turn.q, turn.kind, answers, dont_know)
    missing = sum(len(r.missing) for r in rows)
    turn.state.flow, turn.state.current = "review", None
    turn.say(
        "review.summary",
        options=turn.options(
            ("submit", "label.submit"), ("jump", "label.change"), ("continue", "label.continue")
        ),
        rows=[
            {
                "name": r.dimension.name,
                "answered": r.answered,
                "total": r.total,
                "dont_know": r.dont_know,
                "missing": ", ".join(str(n) for n in r.missing[:15])
                + (" …" if len(r.missing) > 15 else ""),
            }
            for r in rows
        ],
        missing=missing,
        total=sum(r.total for r in rows),
    )


async def handle_review(turn: Turn) -> None:
    from bot.flows.general import handle_global
    from bot.flows.questionnaire import ask_next, show_question

    command = turn.option or ""
    if command == "submit" or (not command and turn.text.strip().lower() == "enviar"):
        turn.state.flow = "confirm_submit"
        answers = await turn.answers()
        total = len(turn.q.questions_for(turn.kind))
        turn.say(
            "review.confirm_submit",
            options=turn.options((YES, "label.submit_now"), (NO, "label.not_yet")),
            answered=len(answers),
            total=total,
        )
        return
    if command == "jump":
        turn.state.flow = "jump"
        turn.say("review.which")
        return
    if command == "continue" or turn.intent in ("continuar_diagnostico", "iniciar_diagnostico"):
        turn.state.skipped = []  # skipped questions are asked again now
        await ask_next(turn)
        return
    token = turn.text.strip()
    target = (
        nav.by_number(turn.q, turn.kind, token) if token and turn.state.flow == "jump" else None
    )
    if target is not None:
        await show_question(turn, target)
        return
    if turn.state.flow == "jump":
        turn.say("review.bad_number", total=len(turn.q.questions_for(turn.kind)))
        return
    if not await handle_global(turn, fallback=False):
        turn.say("review.hint")
        await show_review(turn)


async def handle_confirm_submit(turn: Turn) -> None:
    if turn.said_yes():
        if refused_unproven(turn):
            return
        assessment = await turn.assessment()
        contact_id = turn.contact.id if turn.contact else None
        await turn.tx.set_assessment_status(assessment.id, "submitted", contact_id, turn.now)
        turn.forget_assessment()
        turn.state.flow = "menu"
        turn.say("review.submitted", title=turn.entity.title)
        await send_results(turn)
        return
    await show_review(turn)


def say_frozen(turn: Turn) -> None:
    turn.state.flow, turn.state.current = "menu", None
    turn.say(
        "review.frozen",
        options=turn.options(("results", "label.results"), ("reopen", "label.reopen")),
    )


async def ask_reopen(turn: Turn) -> None:
    assessment = await turn.assessment()
    if assessment.status != "submitted":
        turn.say("review.not_submitted")
        return
    turn.state.flow = "confirm_reopen"
    turn.say(
        "review.confirm_reopen",
        options=turn.options((YES, "label.reopen"), (NO, "label.keep_submitted")),
    )


async def handle_confirm_reopen(turn: Turn) -> None:
    if turn.said_yes():
        assessment = await turn.assessment()
        contact_id = turn.contact.id if turn.contact else None
        await turn.tx.set_assessment_status(
            assessment.id, "in_progress", contact_id, turn.now, "reabierto en el chat"
        )
        turn.forget_assessment()
        turn.state.flow = "menu"
        turn.say("review.reopened")
        return
    turn.state.flow = "menu"
    turn.say("review.kept_submitted")


async def send_results(turn: Turn) -> None:
    """Scores and peer averages now (cheap, inside the transaction); the report is rendered
    after commit."""
    answers = await turn.answers()
    if not any(a.answer.counts for a in answers.values()):
        turn.say("results.empty")
        return
    entity = turn.entity
    scores = score(turn.q, entity.kind, {qid: a.answer for qid, a in answers.items()})
    peers = await peer_comparison(turn.tx, await turn.assessment(), entity, scores, turn.now)
    key, deps, now = turn.msg.key, turn.deps, turn.now
    turn.say("results.intro")
    # Each priority (weak subdimension) can become a request for accompaniment in one step. By
    # email a numbered list would clash with the numbered answers of the block that follows:
    # there the text says how to ask instead.
    _, weak = split_ranked(scores.ranked())
    names = {s.id: s.name for d in scores.dimensions for s in d.subdimensions}
    by_block = key.channel in deps.block_channels
    offer = () if by_block else quick_options(turn, [(i, names[i]) for i in weak])
    offer_key = "results.accompaniment_by_words" if by_block else "results.accompaniment"

    async def render() -> list[OutgoingMessage]:
        from bot.report import build_report

        report = build_report(
            deps.questionnaire,
            scores,
            entity,
            now,
            deps.templates_dir,
            mailbox=deps.mailbox,
            peers=peers,
        )
        return [
            OutgoingMessage(key, report.summary),
            OutgoingMessage(
                key,
                deps.catalog.render("results.files"),
                attachments=(
                    Attachment(RADAR_FILE, "image/png", report.radar_png),
                    Attachment(REPORT_FILE, "text/html", report.html.encode("utf-8")),
                ),
            ),
            *([OutgoingMessage(key, deps.catalog.render(offer_key), offer)] if weak else []),
        ]

    turn.after_commit.append(render)
