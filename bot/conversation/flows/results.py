"""The results: scores and peer averages now, the report (summary, radar, HTML) after commit,
and a button per weak subdimension that asks for accompaniment about it."""

from __future__ import annotations

from bot.analytics.results import peer_comparison
from bot.contract import Attachment, Option, OutgoingMessage
from bot.conversation.turn import Turn
from bot.report import build_report
from bot.report.view import split_ranked
from bot.scoring import score

REPORT_FILE = "informe-cti.html"
RADAR_FILE = "radar-cti.png"
QUICK_PREFIX = "ticket:"  # a results button: "ticket:PER-EDU" (a subdimension id)


def quick_options(turn: Turn, subdimensions: list[tuple[str, str]]) -> tuple[Option, ...]:
    """'Solicitar acompañamiento sobre esto' for each weak subdimension: (id, name)."""
    return tuple(
        Option(f"{QUICK_PREFIX}{sub_id}", turn.deps.catalog.render("label.ticket_about", name=name))
        for sub_id, name in subdimensions
    )


async def send_results(turn: Turn) -> None:
    """Scores and peer averages now (cheap, inside the transaction); the report is rendered
    after commit."""
    answers = await turn.answers()
    if not any(a.answer.counts for a in answers.values()):
        turn.say("results.empty")
        return
    entity, questionnaire = turn.entity, turn.q  # the assessment's own version
    scores = score(questionnaire, entity.kind, {qid: a.answer for qid, a in answers.items()})
    peers = await peer_comparison(turn.tx, await turn.assessment(), entity, scores, turn.now)
    key, deps, now = turn.msg.key, turn.deps, turn.now
    turn.say("results.intro")
    # Each priority (weak subdimension) can become a request for accompaniment in one step. By
    # email a numbered list would clash with the numbered answers of the block that follows:
    # there the text says how to ask instead.
    _, weak = split_ranked(scores.ranked())
    names = {s.id: s.name for d in scores.dimensions for s in d.subdimensions}
    by_block = turn.traits.blocks
    offer = () if by_block else quick_options(turn, [(i, names[i]) for i in weak])
    offer_key = "results.accompaniment_by_words" if by_block else "results.accompaniment"

    async def render() -> list[OutgoingMessage]:
        report = build_report(
            questionnaire,
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
