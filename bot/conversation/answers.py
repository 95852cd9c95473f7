"""Saving an answer, whichever way it came (a chat reply, an email block, a spreadsheet), and
reading one back to the person.

One policy, in `judge` (pure) and `save` (applies it):
- a submitted (frozen) diagnosis takes no answers until it is reopened;
- the same answer said again (chat, email) is recorded again, with who said it and when: the
  history holds every answer anyone was told was saved; a spreadsheet re-sends every cell, so
  there (`keep_same`) an identical answer changes nothing;
- another official's answer is replaced only once the person confirmed it (`overwrite`);
- a saved answer leaves the person's skipped list; the store keeps every change's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.conversation.turn import Turn
from bot.scoring import Answer
from bot.storage.api import StoredAnswer
from dialogues.messages import Catalog
from dialogues.parsing import letter
from dialogues.questionnaire import Question
from nlu.numbers import format_number

Verdict = Literal["saved", "unchanged", "frozen", "taken"]


@dataclass(frozen=True, slots=True)
class Saving:
    """What became of an answer; `current` is the stored answer it was weighed against."""

    verdict: Verdict
    current: StoredAnswer | None = None

    @property
    def stored(self) -> bool:
        """The answer is now the question's answer (written now, or it already was)."""
        return self.verdict in ("saved", "unchanged")


def judge(
    submitted: bool,
    current: StoredAnswer | None,
    given: Answer,
    me: int | None,
    *,
    overwrite: bool = False,
    keep_same: bool = False,
) -> Verdict:
    if submitted:
        return "frozen"
    if current is not None and current.answer == given:
        return "unchanged" if keep_same else "saved"
    if current is not None and current.contact_id not in (None, me) and not overwrite:
        return "taken"
    return "saved"


async def save(
    turn: Turn,
    question_id: str,
    given: Answer,
    *,
    overwrite: bool = False,
    keep_same: bool = False,
) -> Saving:
    """Weigh `given` against the stored answer and write it when the policy allows."""
    submitted = (await turn.assessment()).status == "submitted"
    current = (await turn.answers()).get(question_id)
    me = turn.contact.id if turn.contact else None
    verdict = judge(submitted, current, given, me, overwrite=overwrite, keep_same=keep_same)
    if verdict == "saved":
        await turn.save_answer(question_id, given)
    if verdict in ("saved", "unchanged") and question_id in turn.state.skipped:
        turn.state.skipped.remove(question_id)
    return Saving(verdict, current)


def describe(catalog: Catalog, question: Question, answer: Answer) -> str:
    """How an answer reads back to the user: 'b) Está en formulación', '80 %', 'No sé'."""
    match answer.kind:
        case "option":
            for i, option in enumerate(question.options or ()):
                if option.id == answer.option:
                    return f"{letter(i)}) {option.text}"
            return str(answer.option)
        case "figure":
            unit = question.figure.unit if question.figure else ""
            value = format_number(answer.value, 6, trim=True) if answer.value is not None else ""
            return f"{value} {unit}".strip()
        case "dont_know":
            return catalog.render("answer.dont_know")
        case _:
            return catalog.render("answer.skipped")
