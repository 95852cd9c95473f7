"""What a flow is, and what a step returns: where the conversation goes next.

Flows never import each other. A step *returns* its transition, the way a python-telegram-bot
ConversationHandler callback returns the next state and an aiogram router returns UNHANDLED:

- `None`: stay; the step said what it needed (and set its own state);
- `Goto(name, args)`: enter the flow registered as `name`, with those arguments;
- `Reprompt()`: show again what the current flow is waiting for;
- `NotMine(...)`: not this step's input; the global router (commands, intents) gets it;
- `Ignored()`: a pressed button nobody acted on; nothing changes and the press is not taken.

Each flow declares itself once, as a `Flow`; the engine builds the `Registry` from them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.conversation.access import Action
from bot.conversation.turn import Turn


@dataclass(frozen=True, slots=True)
class Goto:
    flow: str
    args: Mapping[str, Any] = field(default_factory=dict)
    # What the entered flow says goes after the report rendered after commit, not before it.
    after_report: bool = False


@dataclass(frozen=True, slots=True)
class Reprompt:
    after_report: bool = False


@dataclass(frozen=True, slots=True)
class NotMine:
    """Hand the message to the global router.

    `intent` overrides the parse's (the question flow passes what it read from the reply);
    `otherwise` is where to go when no route takes it (None: the router's own "did you mean").
    """

    intent: str | None = None
    otherwise: Goto | None = None


@dataclass(frozen=True, slots=True)
class Ignored:
    """A pressed option that no step acted on (a stale button)."""


# Intents that interrupt a flow that allows it (`Flow.interruptions`): help, privacy, erasure,
# information, and "¿en qué va mi solicitud?".
ANYWHERE = frozenset(
    {
        "ayuda",
        "privacidad",
        "borrar_datos",
        "info_modelo",
        "info_plazos",
        "info_cofinanciacion",
        "estado_ticket",
    }
)

Next = Goto | Reprompt | NotMine | Ignored | None
NOT_MINE = NotMine()
REPROMPT = Reprompt()


def goto(flow: str, /, **args: Any) -> Goto:
    return Goto(flow, args)


Step = Callable[[Turn], Awaitable[Next]]


# (turn, **args) -> Next: each flow takes its own keyword arguments (see `Goto.args`).
Enter = Callable[..., Awaitable[Next]]


@dataclass(frozen=True, slots=True)
class Flow:
    """One flow, declared once.

    `states` are the `State.flow` values it owns (its own sub-steps, such as a confirmation);
    `enter` starts it (by name, from any step); `handle` takes a message while it is current;
    `reprompt` shows again what it asked; `interruptions` are intents that go to the global
    router before `handle` sees the text (typed only: a pressed button is always the flow's);
    `needs_contact` flows fall back to registration when the contact was erased elsewhere;
    `resumable` flows are returned to after a request for accompaniment;
    `needs`: what the contact must be allowed to do for their entity (bot.conversation.access)
    to be in it; the engine checks it on every message, so a revocation counts at once.
    """

    name: str
    states: tuple[str, ...]
    enter: Enter
    handle: Step
    reprompt: Step
    interruptions: frozenset[str] = frozenset()
    needs_contact: bool = True
    resumable: bool = False
    needs: Action | None = None


class Registry:
    """Flows by name and by the state they own; a state owned twice is a bug found at start."""

    def __init__(self, flows: Iterable[Flow]) -> None:
        self._by_name: dict[str, Flow] = {}
        self._by_state: dict[str, Flow] = {}
        for flow in flows:
            if flow.name in self._by_name:
                raise ValueError(f"flow {flow.name!r} declared twice")
            self._by_name[flow.name] = flow
            for state in flow.states:
                if state in self._by_state:
                    raise ValueError(f"state {state!r} owned by two flows")
                self._by_state[state] = flow

    def __getitem__(self, name: str) -> Flow:
        return self._by_name[name]

    def owner(self, state: str) -> Flow | None:
        """The flow whose step `state` is; None for a name no flow owns (an old stored state)."""
        return self._by_state.get(state)

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self._by_state)
