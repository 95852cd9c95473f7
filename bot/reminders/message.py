"""The reminder itself: where the entity's diagnosis stands and how to go on, for one channel.

Telegram gets buttons (their values come back as `IncomingMessage.option`). Email gets no
numbered options: a reply "2" means nothing outside the message it answers, so the text names
the words to reply with, which the dialogue understands anywhere
(`bot.conversation.flows.reminders`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from bot.analytics.progress_table import spanish_date
from bot.contract import ConversationKey, Option, OutgoingMessage
from bot.conversation.flows.reminders import CONTINUE, OFF
from bot.territory import Entity
from dialogues import navigation as nav
from dialogues.messages import Catalog
from dialogues.questionnaire import Questionnaire


@dataclass(frozen=True, slots=True)
class Situation:
    """What the reminder tells: whose diagnosis, how far along, by when."""

    name: str  # the contact's
    entity: Entity
    answered: Collection[str]  # question ids with a current answer
    dimensions: tuple[str, ...]  # the contact's scope ("" = all)
    deadline: date | None  # None: none set for the cycle, or past: not mentioned


def compose(
    catalog: Catalog,
    questionnaire: Questionnaire,
    key: ConversationKey,
    situation: Situation,
    *,
    buttons: bool,
) -> OutgoingMessage:
    kind = situation.entity.kind
    applicable = [q.id for q in questionnaire.questions_for(kind)]
    answered = sum(1 for qid in applicable if qid in situation.answered)
    mine = nav.next_question(questionnaire, kind, situation.answered, (), situation.dimensions)
    following = mine or nav.next_question(questionnaire, kind, situation.answered)
    text = catalog.render(
        "reminder.text",
        name=situation.name,
        title=situation.entity.title,
        answered=answered,
        total=len(applicable),
        percent=round(100 * answered / len(applicable)) if applicable else 0,
        next_number=applicable.index(following.id) + 1 if following else None,
        next_dimension=questionnaire.question_index[following.id][0].name if following else "",
        in_scope=mine is not None and bool(situation.dimensions),
        deadline=spanish_date(situation.deadline) if situation.deadline else None,
    )
    how = catalog.render(f"reminder.how.{key.channel}")
    options: tuple[Option, ...] = ()
    if buttons:
        options = (
            Option(CONTINUE, catalog.render("label.reminders_continue")),
            Option(OFF, catalog.render("label.reminders_off")),
        )
    return OutgoingMessage(key, f"{text}\n\n{how}", options)
