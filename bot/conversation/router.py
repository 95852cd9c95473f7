"""The global router: what works at any point (help, privacy, results, information, cancel), as
an ordered table of routes; and the interceptors that see a message before its flow.

A flow that does not take a message returns `NotMine`; the router then tries each route in
order, and the first that matches acts and returns where to go next. After answering something
asked in the middle of something else ("¿hasta cuándo hay plazo?"), the route returns
`Reprompt()`, so the assistant repeats where the person was and nothing is left hanging.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.conversation.access import Action
from bot.conversation.choices import choice_options
from bot.conversation.flows import menu
from bot.conversation.flows.accompaniment import show_status
from bot.conversation.flows.privacy import send_export, show_data, show_privacy
from bot.conversation.flows.results import QUICK_PREFIX, send_results
from bot.conversation.flows.sheets import send_sheet
from bot.conversation.registry import (
    NOT_MINE,
    REPROMPT,
    Goto,
    Ignored,
    Next,
    NotMine,
    Registry,
    Reprompt,
    goto,
)
from bot.conversation.turn import Turn
from dialogues import navigation as nav
from dialogues.commands import Command, parse_command

# Intents answered with a fixed text from the catalog ("knowledge.<intent>").
_INFO_INTENTS = (
    "info_modelo",
    "info_plazos",
    "info_cofinanciacion",
    "solicitar_asesoria",
    "hablar_humano",
)
_SMALL_TALK = ("saludo", "agradecer", "despedida", "fuera_de_alcance")


@dataclass(frozen=True, slots=True)
class Said:
    """What a message says, read once for every route."""

    option: str  # "" when no button was pressed
    command: Command | None  # a dialogue command typed ("revisar", "ir a la 12")
    name: str  # the command's name or the pressed option's ("help" of "help:Q")
    intent: str | None  # typed only: a pressed button is not an intent
    flow: str  # the current step (`State.flow`)
    back: str  # the flow to come back to after a request for accompaniment
    registered: bool  # the conversation has a contact (registration is complete)

    @property
    def arg(self) -> str | None:
        return self.command.arg if self.command and isinstance(self.command.arg, str) else None


Act = Callable[[Turn, Said], Awaitable[Next]]


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    when: Callable[[Said], bool]
    act: Act
    needs_contact: bool = True  # before registration is complete it says so instead
    needs: Action | None = None  # what the contact must be allowed (bot.conversation.access)


# --- the actions -------------------------------------------------------------------------------


async def _rectify(turn: Turn, said: Said) -> Next:
    return goto("rectify", field=said.arg)


async def _export(turn: Turn, said: Said) -> Next:
    await send_export(turn)
    return None


async def _start(turn: Turn, said: Said) -> Next:
    return goto("question", fresh=True)


async def _previous(turn: Turn, said: Said) -> Next:
    target = await menu.last_answered(turn)
    if target is None:
        turn.say("q.no_previous")
        return REPROMPT
    return goto("question", question=target.id)


async def _reprompt(turn: Turn, said: Said) -> Next:
    return REPROMPT


async def _results(turn: Turn, said: Said) -> Next:
    await send_results(turn)
    return Reprompt(after_report=True)  # where the person was comes after the report


async def _review(turn: Turn, said: Said) -> Next:
    return goto("review", submit=said.name == "submit")


async def _reopen(turn: Turn, said: Said) -> Next:
    return goto("review", reopen=True)


async def _progress(turn: Turn, said: Said) -> Next:
    await menu.show_progress(turn)
    return REPROMPT


async def _sheet(turn: Turn, said: Said) -> Next:
    await send_sheet(turn)
    return None


async def _menu(turn: Turn, said: Said) -> Next:
    return goto("menu")


async def _all_dimensions(turn: Turn, said: Said) -> Next:
    return await menu.set_scope(turn, ())


async def _dimensions(turn: Turn, said: Said) -> Next:
    if said.command and isinstance(said.command.arg, tuple):
        return await menu.set_scope(turn, said.command.arg)
    names = ", ".join(d.name for d in turn.q.dimensions)
    turn.say("scope.how", names=names)
    return None


async def _goto(turn: Turn, said: Said) -> Next:
    target = nav.by_number(turn.q, turn.kind, said.arg or "")
    if target is None:
        turn.say("review.bad_number", total=len(turn.q.questions_for(turn.kind)))
        return None
    return goto("question", question=target.id)


async def _find(turn: Turn, said: Said) -> Next:
    return goto("review", find=said.arg)


async def _question_help(turn: Turn, said: Said) -> Next:
    entry = turn.q.question_index.get(said.option.split(":", 1)[1])
    if entry is None:
        return Ignored()
    turn.say("q.help", help=entry[2].help)
    return goto("question", question=entry[2].id)


async def _help(turn: Turn, said: Said) -> Next:
    turn.say("help")
    return REPROMPT


async def _show_data(turn: Turn, said: Said) -> Next:
    await show_data(turn)
    return None


async def _privacy(turn: Turn, said: Said) -> Next:
    show_privacy(turn)
    return None


async def _erase(turn: Turn, said: Said) -> Next:
    return goto("confirm_erase")


async def _advice(turn: Turn, said: Said) -> Next:
    return goto("ticket", back=said.back)


async def _knowledge(turn: Turn, said: Said) -> Next:
    intent = said.intent
    turn.say(f"knowledge.{intent}" if intent in _INFO_INTENTS else "knowledge.solicitar_asesoria")
    return REPROMPT


async def _ticket_status(turn: Turn, said: Said) -> Next:
    await show_status(turn)
    return REPROMPT


async def _cancel(turn: Turn, said: Said) -> Next:
    turn.state.pending = None
    turn.say("paused")
    return goto("menu")


async def _small_talk(turn: Turn, said: Said) -> Next:
    turn.say(f"small.{said.intent}")
    return REPROMPT if said.intent != "despedida" else None


async def _yes_no_at_menu(turn: Turn, said: Said) -> Next:
    return goto("question") if said.intent == "afirmar" else goto("menu")


# In order: the first route whose `when` holds acts.
ROUTES: tuple[Route, ...] = (
    Route(
        "rectify",
        lambda s: s.name == "rectify" or s.option == "privacy:fix" or s.intent == "corregir_datos",
        _rectify,
        False,
    ),
    Route(
        "export",
        lambda s: (
            s.name == "export" or s.option == "privacy:export" or s.intent == "descargar_datos"
        ),
        _export,
        False,
    ),
    Route(
        "start",
        lambda s: (
            s.name == "continue"
            # «enviar diagnóstico» reads like «diagnóstico» to the NLU: the command wins.
            or (s.command is None and s.intent in ("iniciar_diagnostico", "continuar_diagnostico"))
        ),
        _start,
        needs="answer",
    ),
    Route(
        "next",
        lambda s: s.intent == "omitir" and s.flow in ("menu", "review"),
        _start,
        needs="answer",
    ),
    Route(
        "previous",
        lambda s: s.intent == "corregir" and s.flow != "question",
        _previous,
        needs="answer",
    ),
    Route("repeat", lambda s: s.intent == "repetir", _reprompt, False),
    Route(
        "results",
        lambda s: s.name == "results" or s.intent == "ver_resultados",
        _results,
        needs="results",
    ),
    Route("review", lambda s: s.name in ("review", "submit"), _review, needs="answer"),
    Route("reopen", lambda s: s.name == "reopen", _reopen, needs="reopen"),
    Route("progress", lambda s: s.name == "progress", _progress, needs="answer"),
    Route("spreadsheet", lambda s: s.name == "spreadsheet", _sheet, needs="download"),
    Route("menu", lambda s: s.name == "menu", _menu),
    Route("scope", lambda s: s.name == "scope", _all_dimensions, needs="answer"),
    Route("dimensions", lambda s: s.name == "dimensions", _dimensions, needs="answer"),
    Route("goto", lambda s: s.name == "goto" and s.arg is not None, _goto, needs="answer"),
    Route("find", lambda s: s.name == "find" and s.arg is not None, _find, needs="answer"),
    Route(
        "question_help",
        lambda s: s.name == "help" and ":" in s.option,
        _question_help,
        needs="answer",
    ),
    Route("help", lambda s: s.name == "help" or s.intent == "ayuda", _help, False),
    Route(
        "show_data",
        lambda s: s.option == "privacy:show" or s.intent == "ver_datos",
        _show_data,
        False,
    ),
    Route("privacy", lambda s: s.name == "privacy" or s.intent == "privacidad", _privacy, False),
    Route("erase", lambda s: s.name == "erase" or s.intent == "borrar_datos", _erase, False),
    Route(
        "advice",
        lambda s: s.registered and (s.name == "advice" or s.intent == "solicitar_asesoria"),
        _advice,
    ),
    Route(
        "knowledge", lambda s: s.name == "advice" or s.intent in _INFO_INTENTS, _knowledge, False
    ),
    Route("ticket_status", lambda s: s.intent == "estado_ticket", _ticket_status, False),
    Route("cancel", lambda s: s.intent == "cancelar", _cancel),
    Route("small_talk", lambda s: s.intent in _SMALL_TALK, _small_talk, False),
    Route(
        "yes_no",
        lambda s: s.intent in ("afirmar", "negar") and s.flow == "menu",
        _yes_no_at_menu,
    ),
    Route("dont_know", lambda s: s.intent == "no_sabe", _help, False),
)


class Router:
    """The global routes, and the interceptors that need to know the flows (`registry`)."""

    def __init__(self, registry: Registry, routes: tuple[Route, ...] = ROUTES) -> None:
        self.registry, self.routes = registry, routes

    def resume_point(self, turn: Turn) -> str:
        """The flow to come back to after a request for accompaniment."""
        flow = self.registry.owner(turn.state.flow)
        return turn.state.flow if flow is not None and flow.resumable else "menu"

    def said(self, turn: Turn, intent: str | None = None) -> Said:
        option = turn.option or ""
        command = parse_command(turn.q, turn.text) if not option else None
        return Said(
            option=option,
            command=command,
            name=command.name if command else option.split(":", 1)[0],
            intent=(intent or turn.intent) if not option else None,
            flow=turn.state.flow,
            back=self.resume_point(turn),
            registered=turn.contact is not None,
        )

    async def route(self, turn: Turn, handed: NotMine = NOT_MINE) -> Next:
        said = self.said(turn, handed.intent)
        for route in self.routes:
            if not route.when(said):
                continue
            if route.needs_contact and turn.contact is None:
                turn.say("reg.first")  # registration is not complete yet
                return REPROMPT
            if route.needs is not None and await turn.refused(route.needs):
                return REPROMPT
            return await route.act(turn, said)
        if said.option:
            return Ignored()  # a stale button: nothing here acts on it
        if handed.otherwise is not None:
            return handed.otherwise
        return await self.clarify(turn)

    @staticmethod
    async def clarify(turn: Turn) -> Next:
        """Offer the likely readings of an unclear message, or say it was not understood."""
        choices = choice_options(turn)
        if choices and turn.traits.buttons:
            turn.say("clarify", options=choices)
            return None
        if choices:  # without buttons, suggestions are words to type, not another numbered list
            turn.say("clarify.words", labels=[o.label for o in choices])
            return None
        turn.say("not_understood")
        return REPROMPT

    async def quick_ticket(self, turn: Turn) -> Next:
        """Interceptor: a results button asking for accompaniment works whatever comes after
        the results; it fills in a request to confirm."""
        if turn.contact is None or not (turn.option or "").startswith(QUICK_PREFIX):
            return NOT_MINE
        sub_id = (turn.option or "").removeprefix(QUICK_PREFIX)
        return Goto("ticket", {"quick": sub_id, "back": self.resume_point(turn)})
