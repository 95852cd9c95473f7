"""Review before submitting, submitting (freezes the assessment), reopening, and results."""

from __future__ import annotations

import re
from typing import Any

from bot.constancia.issue import issue as issue_constancia
from bot.conversation.answers import describe
from bot.conversation.flows.results import send_results
from bot.conversation.registry import ANYWHERE, Flow, Next, NotMine, goto
from bot.conversation.turn import NO, YES, Turn
from dialogues import navigation as nav
from dialogues.commands import parse_command, parse_dimensions
from dialogues.question_lookup import find_questions
from dialogues.questionnaire import Dimension
from nlu.text import fold_phrase


async def enter(
    turn: Turn,
    *,
    frozen: bool = False,
    reopen: bool = False,
    hint: bool = False,
    submit: bool = False,
    find: str | None = None,
) -> Next:
    """The review; `frozen`: say the diagnosis is submitted; `reopen`: ask to reopen it;
    `hint`: the last message was neither a review command nor anything else understood;
    `submit`: the person asked to send it («enviar diagnóstico»): the confirmation at once;
    `find`: the words of the question to change («cambiar la de los homicidios»)."""
    if find is not None:
        return await find_question(turn, find)
    if frozen:
        say_frozen(turn)
    elif reopen:
        await ask_reopen(turn)
    elif submit and (await turn.assessment()).status == "submitted":
        say_frozen(turn)
    elif submit:
        await ask_submit(turn)
    else:
        if hint:
            turn.say("review.hint")
        await show_review(turn)
    return None


async def reprompt(turn: Turn) -> Next:
    await show_review(turn)
    return None


async def show_review(turn: Turn) -> None:
    answers = await turn.answers()
    dont_know = {qid for qid, a in answers.items() if a.answer.kind == "dont_know"}
    rows = nav.progress(turn.q, turn.kind, answers, dont_know)
    missing = sum(len(r.missing) for r in rows)
    turn.state.flow, turn.state.current = "review", None
    turn.say(
        "review.summary",
        options=turn.options((f"{_ANSWERS}", "label.review_answers"), *_BUTTONS),
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
        unverified=turn.contact is not None and not turn.contact.is_member,
    )


_BUTTONS = (("submit", "label.submit"), ("jump", "label.change"), ("continue", "label.continue"))
_ANSWERS = "answers:"  # a page of the review's answers: "answers:<dimension id>:<page>"
# One page of answers stays well inside Telegram's 4,096 characters (and reads as one screen
# in an email): the rows of a dimension are cut into pages of at most this many characters.
PAGE_CHARS = 3000
_TEXT_CHARS, _ANSWER_CHARS = 160, 120  # a row's question and answer, cut at a word
_SHOW_ANSWERS = frozenset({"ver respuestas", "ver las respuestas", "respuestas", "mis respuestas"})
_NEXT_PAGE = frozenset({"siguiente", "mas", "ver mas", "siguiente pagina", "continuar lista"})


def typed_button(turn: Turn) -> str:
    """The review button a typed text names: its label or the command, accents optional
    («enviar diagnostico», «cambiar una respuesta»); "" for anything else."""
    if turn.option is not None:
        return turn.option
    folded = fold_phrase(turn.text)
    for value, label in _BUTTONS:
        if folded == fold_phrase(turn.deps.catalog.render(label)):
            return value
    command = parse_command(turn.q, turn.text)
    return "submit" if command is not None and command.name == "submit" else ""


async def ask_submit(turn: Turn) -> None:
    if await turn.refused("submit"):
        return
    turn.state.flow = "confirm_submit"
    answers = await turn.answers()
    total = len(turn.q.questions_for(turn.kind))
    turn.say(
        "review.confirm_submit",
        options=turn.options((YES, "label.submit_now"), (NO, "label.not_yet")),
        answered=len(answers),
        total=total,
    )


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def paginate(rows: list[dict[str, Any]], limit: int = PAGE_CHARS) -> list[list[dict[str, Any]]]:
    """Rows in pages of at most `limit` characters as rendered (a row's own length plus its
    layout); always at least one page."""
    pages: list[list[dict[str, Any]]] = [[]]
    size = 0
    for row in rows:
        length = len(row["text"]) + len(row["answer"]) + len(row["who"] or "") + 20
        if pages[-1] and size + length > limit:
            pages.append([])
            size = 0
        pages[-1].append(row)
        size += length
    return pages


async def _answer_rows(turn: Turn, dimension: Dimension) -> tuple[list[dict[str, Any]], list[int]]:
    """The answered questions of `dimension` (number, question, answer, who answered) and the
    numbers of the ones still unanswered."""
    answers = await turn.answers()
    numbers = {q.id: n for n, q in enumerate(turn.q.questions_for(turn.kind), 1)}
    names: dict[int, str | None] = {}
    rows: list[dict[str, Any]] = []
    missing: list[int] = []
    for sub in dimension.subdimensions:
        for question in sub.questions:
            if question.id not in numbers:
                continue  # does not apply to this kind of entity
            stored = answers.get(question.id)
            if stored is None:
                missing.append(numbers[question.id])
                continue
            who = stored.contact_id
            if who is not None and who not in names:
                contact = await turn.tx.contact(who)
                names[who] = contact.name if contact else None
            rows.append(
                {
                    "number": numbers[question.id],
                    "text": _cut(question.text, _TEXT_CHARS),
                    "answer": _cut(
                        describe(turn.deps.catalog, question, stored.answer), _ANSWER_CHARS
                    ),
                    "who": names.get(who) if who is not None else None,
                    "when": stored.answered_at.strftime("%d/%m/%Y"),
                }
            )
    return rows, missing


def _dimensions(turn: Turn) -> list[Dimension]:
    numbers = {q.id for q in turn.q.questions_for(turn.kind)}
    return [
        d
        for d in turn.q.dimensions
        if any(q.id in numbers for s in d.subdimensions for q in s.questions)
    ]


async def show_answers(turn: Turn, where: str = "") -> None:
    """One page of the answers of one dimension (`where`: "<dimension id>:<page>"; the first
    dimension when empty), with a button to the next page or dimension."""
    dims = _dimensions(turn)
    dim_id, _, page_text = where.partition(":")
    index = next((i for i, d in enumerate(dims) if d.id == dim_id), 0)
    dimension = dims[index]
    rows, missing = await _answer_rows(turn, dimension)
    pages = paginate(rows)
    page = min(int(page_text), len(pages) - 1) if page_text.isdigit() else 0
    if page + 1 < len(pages):
        following: str | None = f"{dimension.id}:{page + 1}"
    elif index + 1 < len(dims):
        following = f"{dims[index + 1].id}:0"
    else:
        following = None
    turn.state.flow, turn.state.current = "review", None
    turn.state.page = following
    buttons = ((f"{_ANSWERS}{following}", "label.next_page"),) if following else ()
    turn.say(
        "review.answers",
        options=turn.options(*buttons, *_BUTTONS),
        dimension=dimension.name,
        page=page + 1,
        pages=len(pages),
        rows=pages[page],
        missing=", ".join(str(n) for n in missing),
        following=following is not None,
    )


def _named_dimension(turn: Turn) -> str | None:
    """The dimension a typed text names alone («gobernanza», «la de hábitat»)."""
    named = parse_dimensions(turn.q, turn.text[:80])
    return named[0] if named and len(named) == 1 else None


async def handle_review(turn: Turn) -> Next:
    if turn.option is not None and turn.option.startswith(_ANSWERS):
        await show_answers(turn, turn.option.removeprefix(_ANSWERS))
        return None
    if turn.option is None:
        folded = fold_phrase(turn.text)
        if folded in _SHOW_ANSWERS or folded == fold_phrase(
            turn.deps.catalog.render("label.review_answers")
        ):
            await show_answers(turn)
            return None
        if folded in _NEXT_PAGE and turn.state.page:
            await show_answers(turn, turn.state.page)
            return None
        dimension = _named_dimension(turn)
        if dimension is not None:
            await show_answers(turn, f"{dimension}:0")
            return None
    command = typed_button(turn)
    if command == "submit":
        await ask_submit(turn)
        return None
    if command == "jump":
        turn.state.flow = "jump"
        turn.say("review.which")
        return None
    if command == "continue" or turn.intent in ("continuar_diagnostico", "iniciar_diagnostico"):
        turn.state.skipped = []  # skipped questions are asked again now
        return goto("question")
    return NotMine(otherwise=goto("review", hint=True))


async def handle_jump(turn: Turn) -> Next:
    """After «¿Qué pregunta desea cambiar?»: a number, or words of the question. The reply is
    read as that first («datos abiertos» is a question here, not personal data); what names no
    question goes to the global router."""
    if turn.option is not None:
        return await handle_review(turn)
    token = turn.text.strip()
    target = nav.by_number(turn.q, turn.kind, token)
    if target is not None:
        return goto("question", question=target.id)
    if re.fullmatch(r"\d+", token):
        turn.say("review.bad_number", total=len(turn.q.questions_for(turn.kind)))
        return None
    if typed_button(turn) or parse_command(turn.q, token) is not None:
        return await handle_review(turn)
    if find_questions(turn.q, turn.kind, token):
        return await find_question(turn, token)
    return NotMine(otherwise=goto("review", find=token))


MAX_FOUND = 8  # more matches than this: ask for more words instead of a long list


async def find_question(turn: Turn, words: str) -> Next:
    """Go to the question `words` describe; several: list them and ask for the number."""
    found = find_questions(turn.q, turn.kind, words)
    if len(found) == 1:
        return goto("question", question=found[0].id)
    turn.state.flow, turn.state.current = "jump", None
    if not found or len(found) > MAX_FOUND:
        turn.say("review.found_none" if not found else "review.found_many", words=words[:80])
        return None
    answered = await turn.answers()
    turn.say(
        "review.found_several",
        questions=[
            {
                "number": nav.position(turn.q, turn.kind, q.id, answered).number,
                "text": q.text,
            }
            for q in found
        ],
    )
    return None


async def handle_confirm_submit(turn: Turn) -> Next:
    if turn.said_yes():
        if turn.refused_unproven() or await turn.refused("submit"):
            return None
        assessment = await turn.assessment()
        contact_id = turn.contact.id if turn.contact else None
        await turn.tx.set_assessment_status(assessment.id, "submitted", contact_id, turn.now)
        turn.forget_assessment()
        turn.state.flow = "menu"
        turn.say("review.submitted", title=turn.entity.title)
        await send_results(turn)
        await issue_constancia(turn, assessment.id)  # its files follow the report's
        return None
    if turn.option not in (None, NO):
        return NotMine()  # another flow's button; a stale one is ignored by the router
    await show_review(turn)
    return None


def say_frozen(turn: Turn) -> None:
    turn.state.flow, turn.state.current = "menu", None
    turn.say(
        "review.frozen",
        options=turn.options(("results", "label.results"), ("reopen", "label.reopen")),
    )


async def ask_reopen(turn: Turn) -> None:
    if await turn.refused("reopen"):
        return
    assessment = await turn.assessment()
    if assessment.status != "submitted":
        turn.say("review.not_submitted")
        return
    turn.state.flow = "confirm_reopen"
    turn.say(
        "review.confirm_reopen",
        options=turn.options((YES, "label.reopen"), (NO, "label.keep_submitted")),
    )


async def handle_confirm_reopen(turn: Turn) -> Next:
    if turn.said_yes():
        assessment = await turn.assessment()
        contact_id = turn.contact.id if turn.contact else None
        await turn.tx.set_assessment_status(
            assessment.id,
            "in_progress",
            contact_id,
            turn.now,
            turn.deps.catalog.render("review.reopened_note"),
        )
        turn.forget_assessment()
        turn.state.flow = "menu"
        turn.say("review.reopened")
        return None
    if turn.option not in (None, NO):
        return NotMine()
    turn.state.flow = "menu"
    turn.say("review.kept_submitted")
    return None


async def _menu(turn: Turn) -> Next:
    return goto("menu")


FLOWS = (
    Flow(
        "jump",
        ("jump",),
        enter=enter,
        handle=handle_jump,
        reprompt=reprompt,
        resumable=True,
        needs="answer",
    ),
    Flow(
        "review",
        ("review",),
        enter=enter,
        handle=handle_review,
        reprompt=reprompt,
        interruptions=ANYWHERE,
        resumable=True,
        needs="answer",
    ),
    Flow(
        "confirm_submit",
        ("confirm_submit",),
        enter=enter,
        handle=handle_confirm_submit,
        reprompt=reprompt,
        interruptions=ANYWHERE,
        needs="submit",
    ),
    Flow(
        "confirm_reopen",
        ("confirm_reopen",),
        enter=enter,
        handle=handle_confirm_reopen,
        reprompt=_menu,
        interruptions=ANYWHERE,
        needs="reopen",
    ),
)
