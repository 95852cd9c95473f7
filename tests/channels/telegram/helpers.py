"""Helpers of the Telegram tests: what the engine stored, and answering a questionnaire."""

from __future__ import annotations

from typing import Literal

from bot.contract import ConversationKey
from bot.conversation.engine import Engine
from tests.channels.telegram.conftest import Person

CHOSEN = "➜ Su elección:"


async def stored_answers(engine: Engine, chat_id: int) -> dict[str, object]:
    async with engine.store.transaction() as tx:
        conversation = await tx.find_conversation(ConversationKey("telegram", str(chat_id)))
        assert conversation is not None
        answers = await tx.answers(conversation.state["assessment_id"])
    return {qid: a.answer for qid, a in answers.items()}


async def answer_all(person: Person, by: Literal["buttons", "text"], limit: int = 500) -> int:
    """Answer every question the bot asks (up to `limit`): the first option, or 50 for a
    figure."""
    count = 0
    while "Pregunta" in person.text and count < limit:
        values = list(person.buttons().values())
        if any(v.startswith("ans:") for v in values):
            if by == "buttons":
                message_id, _ = person.chat.last_keyboard()
                await person.press("a)")
                question = person.chat.chat.messages[message_id]
                # The question now shows the choice and cannot be pressed again.
                assert CHOSEN in question["text"] and "reply_markup" not in question
            else:
                await person.say("a")
        else:
            await person.say("50")
        count += 1
    return count
