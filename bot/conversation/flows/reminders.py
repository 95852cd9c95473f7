"""What a contact says about reminders: go on with the diagnosis, stop them, turn them back on.

A reminder arrives outside any turn, so the conversation may be anywhere: in the middle of a
question, or waiting for a yes/no that the reminder's buttons must not answer. The engine
therefore lets `intercept` see every message of a registered contact before the current flow;
the flow's state is left as it was, so the next message goes on from there.
"""

from __future__ import annotations

from typing import Literal

from bot.conversation.registry import NOT_MINE, Next, goto
from bot.conversation.turn import Turn
from dialogues.commands import reminder_request

PREFIX = "reminders:"
CONTINUE, OFF, ON = f"{PREFIX}continue", f"{PREFIX}off", f"{PREFIX}on"

Action = Literal["continue", "off", "on"]
_ACTIONS: dict[str, Action] = {CONTINUE: "continue", OFF: "off", ON: "on"}


def requested(turn: Turn) -> Action | None:
    """The reminder action of a pressed button or of a few words ("no más recordatorios")."""
    if turn.option is not None:
        return _ACTIONS.get(turn.option)
    return reminder_request(turn.text) if turn.text else None


async def intercept(turn: Turn) -> Next:
    """A reminder's button or words, whatever the conversation was waiting for."""
    action = requested(turn) if turn.contact is not None else None
    if action is None or turn.contact is None:
        return NOT_MINE
    if action == "continue":
        turn.state.pending = None  # a yes/no asked before the reminder is not answered now
        return goto("question", fresh=True)
    enabled = action == "on"
    await turn.tx.set_reminders(turn.contact.id, enabled, turn.now)
    turn.say("reminders.on" if enabled else "reminders.off")
    return None
