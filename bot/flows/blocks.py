"""The questionnaire by email: a block of numbered questions (one subdimension) per message,
answered inline ("1) b  2) no sé  3) d"). What was understood is saved and read back; what was
not is asked again, never guessed. Other channels ask one question at a time.
"""

from __future__ import annotations

from bot.flows.questionnaire import describe
from bot.flows.turn import Turn
from bot.scoring import Answer, InvalidAnswer, item_score
from dialogues import navigation as nav
from dialogues.blocks import numbered_items
from dialogues.parsing import letter, parse_answer
from dialogues.questionnaire import Question
from nlu.rules import rule_intent


def uses_blocks(turn: Turn) -> bool:
    return turn.msg.key.channel in turn.deps.block_channels


async def show_block(turn: Turn, questions: list[Question] | None = None) -> bool:
    """Show the next block (or `questions`); False when nothing is left to ask."""
    answers = await turn.answers()
    state = turn.state
    scope = turn.contact.dimensions if turn.contact else ()
    block = questions or nav.next_block(turn.q, turn.kind, answers, state.skipped, scope)
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
        answered=sum(1 for qid in applicable if qid in answers),
        percent=round(100 * sum(1 for qid in applicable if qid in answers) / len(applicable)),
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


async def handle_block(turn: Turn) -> None:
    from bot.flows.general import handle_global

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
        if not await handle_global(turn, fallback=False):
            turn.say("q.block_hint", count=len(block))
            await show_block(turn, block)
        return
    if (await turn.assessment()).status == "submitted":
        from bot.flows.review import say_frozen

        say_frozen(turn)
        return
    answers = await turn.answers()
    mine = turn.contact.id if turn.contact else None
    results, again = [], []
    for n, question in enumerate(block, 1):
        if n not in items:
            continue  # not answered this time: it stays open and comes back in the next block
        given, why = _read_item(question, items[n])
        current = answers.get(question.id)
        taken = current is not None and current.contact_id not in (None, mine)
        if given is not None and taken and current.answer != given:  # type: ignore[union-attr]
            given, why = None, "other"
        if given is not None:
            await turn.save_answer(question.id, given)
            if question.id in state.skipped:
                state.skipped.remove(question.id)
        elif why == "skip" and question.id not in state.skipped:
            state.skipped.append(question.id)
        elif why not in ("skip", "other"):
            again.append(question)
        results.append(
            {
                "n": n,
                "ok": given is not None,
                "answer": describe(question, given) if given is not None else "",
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
        return
    from bot.flows.questionnaire import ask_next

    await ask_next(turn)
