"""The menu, and what works at any point: help, privacy, results, information, cancel.

After answering a question asked in the middle of something else ("¿hasta cuándo hay plazo?"),
the assistant repeats where the person was, so nothing is left hanging.
"""

from __future__ import annotations

from bot.contract import Option
from bot.flows.turn import INTENT_PREFIX, NO, YES, Turn
from bot.mailtrust import refused_unproven
from dialogues import navigation as nav
from dialogues.commands import parse_command
from dialogues.questionnaire import Question
from nlu.base import candidates

# Intents answered with a fixed text from the catalog ("knowledge.<intent>").
_INFO_INTENTS = (
    "info_modelo",
    "info_plazos",
    "info_cofinanciacion",
    "solicitar_asesoria",
    "hablar_humano",
)
# When the NLU is unsure, up to this many of its candidates are offered as buttons, if each has
# at least this probability. Small talk is never offered: "¿Quiso saludar?" helps nobody.
MAX_CHOICES = 3
CHOICE_FLOOR = 0.1
_NOT_OFFERED = frozenset(
    {"afirmar", "negar", "saludo", "agradecer", "despedida", "fuera_de_alcance"}
)
_QUESTION_ONLY = frozenset({"no_sabe", "omitir", "repetir"})


async def reprompt(turn: Turn) -> None:
    """Show again what the current flow is waiting for."""
    from bot.flows.onboarding import prompt_registration
    from bot.flows.questionnaire import show_question
    from bot.flows.review import show_review

    state = turn.state
    if state.flow == "register":
        prompt_registration(turn)
    elif state.flow in ("question", "confirm_answer", "confirm_overwrite") and state.current:
        entry = turn.q.question_index.get(state.current)
        if entry:
            await show_question(turn, entry[2])
    elif state.flow in ("review", "jump", "confirm_submit"):
        await show_review(turn)
    elif state.flow == "ticket" and state.ticket:
        from bot.flows.tickets import ask

        ask(turn)
    elif state.flow == "block" and state.block:
        from bot.flows.blocks import show_block

        index = turn.q.question_index
        await show_block(turn, [index[q][2] for q in state.block if q in index])
    else:
        show_menu(turn)


def show_menu(turn: Turn) -> None:
    turn.state.flow = "menu"
    turn.say(
        "menu",
        options=turn.options(
            ("continue", "label.continue"),
            ("results", "label.results"),
            ("review", "label.review"),
            ("privacy", "label.privacy"),
            ("help", "label.help_menu"),
        ),
    )


def choice_options(turn: Turn) -> tuple[Option, ...]:
    """Buttons for the intents the NLU hesitated between (empty if it was sure or clueless)."""
    parse = turn.parse
    if turn.option is not None or parse is None or turn.intent is not None:
        return ()
    at_question = turn.state.flow == "question"
    names = [
        c["name"]
        for c in candidates(parse, floor=CHOICE_FLOOR)
        if c["name"] not in _NOT_OFFERED and (at_question or c["name"] not in _QUESTION_ONLY)
    ][:MAX_CHOICES]
    return turn.options(*((f"{INTENT_PREFIX}{n}", f"label.intent.{n}") for n in names))


async def clarify(turn: Turn) -> None:
    """Offer the likely readings of an unclear message, or say it was not understood."""
    choices = choice_options(turn)
    if choices:
        turn.say("clarify", options=choices)
        return
    turn.say("not_understood")
    await reprompt(turn)


async def handle_menu(turn: Turn) -> None:
    if not await handle_global(turn, fallback=False):
        await clarify(turn)


async def handle_global(turn: Turn, *, fallback: bool = True, intent: str | None = None) -> bool:
    """Handle a button, dialogue command or intent valid anywhere. False if none applied.

    `intent` overrides the parse's (the question flow passes what it read from the reply).
    """
    from bot.flows.questionnaire import ask_next, show_question, start_questionnaire
    from bot.flows.review import ask_reopen, send_results, show_review

    option = turn.option or ""
    command = parse_command(turn.q, turn.text) if not option else None
    name = command.name if command else option.split(":", 1)[0]
    intent = (intent or turn.intent) if not option else None
    if name == "rectify" or option == "privacy:fix":
        from bot.flows.privacy import start_rectify

        field = command.arg if command and isinstance(command.arg, str) else None
        await start_rectify(turn, field)
    elif name == "export" or option == "privacy:export":
        from bot.flows.privacy import send_export

        await send_export(turn)
    elif name in ("continue",) or intent in ("iniciar_diagnostico", "continuar_diagnostico"):
        await start_questionnaire(turn)
    elif intent == "omitir" and turn.state.flow in ("menu", "review"):
        await start_questionnaire(turn)  # "siguiente" outside a question: go on
    elif intent == "corregir" and turn.state.flow != "question":
        target = await last_answered(turn)
        if target is None:
            turn.say("q.no_previous")
            await reprompt(turn)
        else:
            await show_question(turn, target)
    elif intent == "repetir":
        await reprompt(turn)
    elif name == "results" or intent == "ver_resultados":
        await send_results(turn)
        with turn.after_rendered():  # where the person was comes after the report, not before
            await reprompt(turn)
    elif name == "review" or name == "submit":
        await show_review(turn)
    elif name == "reopen":
        await ask_reopen(turn)
    elif name == "progress":
        await show_progress(turn)
        await reprompt(turn)
    elif name == "spreadsheet":
        from bot.flows.sheets import send_sheet

        await send_sheet(turn)
    elif name == "menu":
        show_menu(turn)
    elif name == "scope":
        await set_scope(turn, ())
    elif name == "dimensions":
        if command and isinstance(command.arg, tuple):
            await set_scope(turn, command.arg)
        else:
            names = ", ".join(d.name for d in turn.q.dimensions)
            turn.say("scope.how", names=names)
    elif name == "goto" and command and isinstance(command.arg, str):
        target = nav.by_number(turn.q, turn.kind, command.arg)
        if target is None:
            turn.say("review.bad_number", total=len(turn.q.questions_for(turn.kind)))
        else:
            await show_question(turn, target)
    elif name == "help" and ":" in option:
        entry = turn.q.question_index.get(option.split(":", 1)[1])
        if entry:
            turn.say("q.help", help=entry[2].help)
            await show_question(turn, entry[2])
    elif name in ("help",) or intent == "ayuda":
        turn.say("help")
        await reprompt(turn)
    elif option == "privacy:show":
        await show_data(turn)
    elif name == "privacy" or intent == "privacidad":
        turn.say("knowledge.privacidad")
        turn.say(
            "privacy.menu",
            options=turn.options(
                ("privacy:show", "label.show_data"),
                ("privacy:fix", "label.fix_data"),
                ("privacy:export", "label.export_data"),
                ("erase", "label.erase"),
            ),
        )
    elif name == "erase" or intent == "borrar_datos":
        turn.state.flow = "confirm_erase"
        turn.say(
            "privacy.confirm_erase",
            options=turn.options((YES, "label.erase_now"), (NO, "label.keep_data")),
        )
    elif (name == "advice" or intent == "solicitar_asesoria") and turn.contact is not None:
        from bot.flows.tickets import start

        await start(turn)
    elif name == "advice" or intent in _INFO_INTENTS:
        turn.say(
            f"knowledge.{intent}" if intent in _INFO_INTENTS else "knowledge.solicitar_asesoria"
        )
        await reprompt(turn)
    elif intent == "estado_ticket":
        from bot.flows.tickets import show_status

        await show_status(turn)
        await reprompt(turn)
    elif intent == "cancelar":
        turn.state.pending = None
        turn.say("paused")
        show_menu(turn)
    elif intent in ("saludo", "agradecer", "despedida", "fuera_de_alcance"):
        turn.say(f"small.{intent}")
        if intent != "despedida":
            await reprompt(turn)
    elif intent in ("afirmar", "negar") and turn.state.flow == "menu":
        await ask_next(turn) if intent == "afirmar" else show_menu(turn)
    elif intent == "no_sabe":
        turn.say("help")  # "no sé" outside a question: not sure what to do
        await reprompt(turn)
    elif fallback:
        await clarify(turn)
    else:
        return False
    return True


async def set_scope(turn: Turn, dimensions: tuple[str, ...]) -> None:
    from bot.flows.questionnaire import ask_next

    assert turn.contact is not None
    turn.contact = await turn.tx.update_contact(turn.contact.id, dimensions=dimensions)
    names = [d.name for d in turn.q.dimensions if d.id in dimensions]
    turn.say("scope.set", names=names)
    await ask_next(turn)


async def last_answered(turn: Turn) -> Question | None:
    """The question this contact answered most recently ("me equivoqué" outside a question)."""
    mine = turn.contact.id if turn.contact else None
    answers = [a for a in (await turn.answers()).values() if a.contact_id == mine]
    if not answers:
        return None
    latest = max(answers, key=lambda a: a.answered_at)
    entry = turn.q.question_index.get(latest.question_id)
    return entry[2] if entry else None


async def show_progress(turn: Turn) -> None:
    answers = await turn.answers()
    dont_know = {qid for qid, a in answers.items() if a.answer.kind == "dont_know"}
    rows = nav.progress(turn.q, turn.kind, answers, dont_know)
    by_contact: dict[int | None, int] = {}
    for a in answers.values():
        by_contact[a.contact_id] = by_contact.get(a.contact_id, 0) + 1
    people = []
    for contact_id, count in sorted(by_contact.items(), key=lambda kv: -kv[1]):
        contact = await turn.tx.contact(contact_id) if contact_id else None
        people.append(
            {
                "name": contact.name if contact else None,
                "count": count,
                "me": turn.contact is not None and contact_id == turn.contact.id,
            }
        )
    turn.say(
        "progress",
        rows=[
            {
                "name": r.dimension.name,
                "percent": r.percent,
                "answered": r.answered,
                "total": r.total,
            }
            for r in rows
        ],
        people=people,
    )


async def show_data(turn: Turn) -> None:
    data = await turn.tx.personal_data(turn.contact.id) if turn.contact else None
    if data is None:
        turn.say("privacy.nothing")
        return
    reminders = await turn.tx.reminder_schedule(data.contact.id)
    off = reminders.opted_out_at if reminders else None
    turn.say(
        "privacy.data",
        name=data.contact.name,
        role=data.contact.role,
        email=data.contact.email,
        title=turn.entity.title,
        consent_version=data.consent.text_version,
        consent_date=data.consent.granted_at.strftime("%d/%m/%Y"),
        channels=[k.channel for k in data.conversations],
        answers=data.answers_given,
        reminders_off=off.strftime("%d/%m/%Y") if off else None,
        reminders_sent=reminders.sent_count if reminders else 0,
    )


async def handle_confirm_erase(turn: Turn) -> None:
    if turn.said_yes():
        if refused_unproven(turn):
            return
        if turn.contact is not None:
            # Opting out first drops reminders queued but not delivered (e.g. to this chat).
            await turn.tx.set_reminders(turn.contact.id, False, turn.now)
            await turn.tx.erase_contact(turn.contact.id, turn.now)
        elif turn.state.consent_id is not None:  # consented but never finished registering
            await turn.tx.revoke_consent(turn.state.consent_id, turn.now)
        if turn.conversation_id is not None:
            await turn.tx.delete_conversation(turn.conversation_id)
        turn.conversation_id, turn.contact, turn.erased = None, None, True
        turn.say("privacy.erased")
        return
    turn.say("privacy.kept")
    show_menu(turn)
