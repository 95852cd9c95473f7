"""The questionnaire by email: a block of numbered questions (one subdimension) per message,
answered inline ("1) b  2) no sé  3) d"). What was understood is saved and read back; what was
not is asked again, never guessed. Other channels ask one question at a time.
"""

from __future__ import annotations

from bot.conversation import answers
from bot.conversation.registry import Flow, Next, NotMine, goto
from bot.conversation.turn import Turn
from bot.scoring import Answer, InvalidAnswer, item_score
from dialogues import navigation as nav
from dialogues.blocks import numbered_items
from dialogues.parsing import letter, parse_answer
from dialogues.questionnaire import Question
from nlu.rules import rule_intent


async def enter(turn: Turn, *, questions: tuple[str, ...] = (), hint: bool = False) -> Next:
    """Show the next block (or the questions `questions`); `hint`: the last message was not
    answers. With nothing left to ask, the questionnaire decides what comes next."""
    if hint:
        turn.say("q.block_hint", count=len(turn.state.block))
        questions = tuple(turn.state.block)
    index = turn.q.question_index
    chosen = [index[q][2] for q in questions if q in index]
    if await show_block(turn, chosen or None):
        return None
    return goto("question", blocks_done=True)


async def reprompt(turn: Turn) -> Next:
    if not turn.state.block:
        return goto("menu")
    return await enter(turn, questions=tuple(turn.state.block))


async def show_block(turn: Turn, questions: list[Question] | None = None) -> bool:
    """Show the next block (or `questions`); False when nothing is left to ask."""
    answered = await turn.answers()
    state = turn.state
    scope = turn.contact.dimensions if turn.contact else ()
    block = questions or nav.next_block(turn.q, turn.kind, answered, state.skipped, scope)
    if not block:
        return False
    state.flow, state.block, state.current, state.pending = (
        "block",
        [q.id for q in block],
        None,
        None,
    )
    applicable = [q.id for q in turn.q.questions_for(turn.kind)]
    dimension, subdimension, _ = turn.q.question_index[block[0].id]
    items = [
        {
            "n": n,
            "number": applicable.index(q.id) + 1,
            "text": q.text,
            "help": q.help,
            "figure": q.figure,
            "choices": [(letter(i), o.text) for i, o in enumerate(q.options or ())],
        }
        for n, q in enumerate(block, 1)
    ]
    turn.say(
        "q.block",
        dimension=dimension.name,
        subdimension=subdimension.name,
        items=items,
        total=len(applicable),
        answered=sum(1 for qid in applicable if qid in answered),
        percent=round(100 * sum(1 for qid in applicable if qid in answered) / len(applicable)),
    )
    return True


def _read_item(question: Question, text: str) -> tuple[Answer | None, str]:
    """An item's answer, or None with the reason, read strictly: nothing is guessed by email."""
    if not text:
        return None, "empty"
    intent = rule_intent(text)
    if intent == "no_sabe":
        return Answer("dont_know"), ""
    if intent == "omitir":
        return None, "skip"
    understood = parse_answer(question, text)
    if understood is None:
        return None, "figure" if question.figure else "option"
    value = understood.value
    answer = (
        Answer("figure", value=value)
        if isinstance(value, float)
        else Answer("option", option=value)
    )
    try:
        item_score(question, answer)
    except InvalidAnswer:
        return None, "range"
    return answer, ""


async def handle_block(turn: Turn) -> Next:
    state = turn.state
    block = [turn.q.question_index[qid][2] for qid in state.block if qid in turn.q.question_index]
    body = turn.body or turn.text
    items = numbered_items(body, len(block)) if block and not turn.option else None
    if items is None and len(block) == 1 and not turn.option:
        answer, _ = _read_item(block[0], turn.text)
        if answer is not None or rule_intent(turn.text) == "omitir":
            items = {1: turn.text}
    if items is None:
        # Not answers: a command or a question ("resultados", "¿hasta cuándo hay plazo?").
        return NotMine(otherwise=goto("block", hint=True))
    if (await turn.assessment()).status == "submitted":
        return goto("review", frozen=True)
    results, again = [], []
    for n, question in enumerate(block, 1):
        if n not in items:
            continue  # not answered this time: it stays open and comes back in the next block
        given, why = _read_item(question, items[n])
        if given is not None:
            saving = await answers.save(turn, question.id, given)
            if saving.verdict == "taken":
                given, why = None, "other"
        elif why == "skip" and question.id not in state.skipped:
            state.skipped.append(question.id)
        if given is None and why not in ("skip", "other"):
            again.append(question)
        results.append(
            {
                "n": n,
                "ok": given is not None,
                "answer": answers.describe(turn.deps.catalog, question, given)
                if given is not None
                else "",
                "given": items[n][:80],
                "why": why,
                "max": letter(len(question.options or ()) - 1) if question.options else "",
                "unit": question.figure.unit if question.figure else "",
            }
        )
    turn.say("q.block_read", results=results)
    if again:
        turn.say("q.block_again")
        await show_block(turn, again)
        return None
    return goto("question")


FLOW = Flow(
    "block",
    ("block",),
    enter=enter,
    handle=handle_block,
    reprompt=reprompt,
    resumable=True,
    needs="answer",
)
