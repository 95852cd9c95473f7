"""Consent (Ley 1581 de 2012) and registration of the contact and their entity.

Before consent nothing is stored: no conversation row, no address, no text; only the channel's
message id, which identifies no one (Telegram's is a keyed digest, since it contains the
chat). Acceptance must be explicit (the button or the word "acepto"); a bare "sí" from someone
who may not have read the notice is not consent.
"""

from __future__ import annotations

import re
from typing import Any

from bot.contract import Option
from bot.conversation import joining
from bot.conversation.codes import MAX_TRIES
from bot.conversation.flows.linking import CODE_MINUTES, handle_code, offer_link
from bot.conversation.mailcode import check_code, mail_code
from bot.conversation.registry import NOT_MINE, Flow, Next, goto
from bot.conversation.state import Registration, RegStep, State
from bot.conversation.turn import NO, YES, Turn
from bot.storage.outbox import CODE
from bot.territory import EntityKind
from dialogues.contact_fields import clean_email, clean_name, clean_role
from dialogues.parsing import fold
from nlu.rules import command_intent, rule_intent

CONSENT_YES, CONSENT_NO = "consent:yes", "consent:no"
_ACCEPT = {"acepto", "si acepto", "yo acepto", "autorizo", "si autorizo", "acepto los terminos"}
_REFUSE = {"no acepto", "no autorizo", "no", "no gracias", "rechazo"}
# NLU place entities (nlu.places) and the kind of entity that governs each.
_PLACE_KINDS: dict[str, EntityKind] = {"municipio": "alcaldia", "departamento": "gobernacion"}
_KIND_WORDS: dict[str, EntityKind] = {"alcald": "alcaldia", "gobern": "gobernacion"}
# Buttons registration offers; any other is another flow's (privacy, an old menu).
_OWN_OPTIONS = ("kind:", "ent:", "reg:", YES, NO)


async def pre_consent(turn: Turn) -> None:
    """A conversation we have no record of: show the notice, or take the answer to it."""
    folded = fold(turn.text)
    # By email the answer comes above a greeting or a signature: its first line counts.
    first = fold(turn.text.strip().splitlines()[0]) if turn.text.strip() else ""
    if turn.option == CONSENT_YES or (
        turn.option is None and (folded in _ACCEPT or first in _ACCEPT)
    ):
        conversation = await turn.tx.conversation(turn.msg.key, turn.now)
        consent_id = await turn.tx.record_consent(
            conversation.id, turn.deps.consent_version, turn.now
        )
        turn.conversation_id = conversation.id
        turn.state = State(flow="register", consent_id=consent_id)
        turn.say("consent.accepted")
        if turn.traits.address_is_email and await offer_link(turn, turn.msg.key.address):
            return  # registered on another channel: their code is on its way
        prompt_registration(turn)
        return
    if turn.option == CONSENT_NO or (
        turn.option is None and (folded in _REFUSE or first in _REFUSE)
    ):
        turn.say("consent.declined")
        return
    if turn.intent == "afirmar":
        turn.say("consent.explicit", options=consent_options(turn))
        return
    turn.say("welcome")
    turn.say("consent.notice", options=consent_options(turn), version=turn.deps.consent_version)


def consent_options(turn: Turn) -> tuple[Option, ...]:
    return turn.options((CONSENT_YES, "label.accept"), (CONSENT_NO, "label.refuse"))


def prompt_registration(turn: Turn) -> None:
    reg = turn.state.reg
    match reg.step:
        case "kind":
            turn.say(
                "reg.kind",
                options=turn.options(
                    ("kind:alcaldia", "label.alcaldia"), ("kind:gobernacion", "label.gobernacion")
                ),
            )
        case "entity":
            turn.say("reg.entity", kind=reg.kind)
        case "department":
            entities = [turn.deps.gazetteer.get(c) for c in reg.candidates]
            opts = tuple(Option(f"ent:{e.code}", e.title) for e in entities if e)
            turn.say("reg.department", options=opts, count=len(opts))
        case "confirm_entity":
            entity = turn.deps.gazetteer.get(reg.entity_code or "")
            turn.say(
                "reg.confirm_entity", options=yes_no(turn), title=entity.title if entity else ""
            )
        case "name":
            turn.say("reg.name")
        case "role":
            turn.say("reg.role")
        case "email":
            turn.say("reg.email")
        case "code":
            turn.say("link.ask", minutes=CODE_MINUTES)
        case "verify":
            turn.say(
                "reg.code_ask",
                options=turn.options(("reg:restart", "label.fix")),
                email=reg.email,
                minutes=CODE_MINUTES,
            )
        case "fix":
            fields = [f for f in _FIX_FIELDS if f != "email" or not turn.traits.address_is_email]
            turn.say(
                "reg.fix_which",
                options=turn.options(
                    *((f"reg:fix:{f}", f"label.fix_{f}") for f in fields),
                    ("reg:again", "label.fix_again"),
                ),
            )
        case "confirm":
            entity = turn.deps.gazetteer.get(reg.entity_code or "")
            turn.say(
                "reg.confirm",
                options=turn.options((YES, "label.confirm"), ("reg:restart", "label.fix")),
                title=entity.title if entity else "",
                name=reg.name,
                role=reg.role,
                email=reg.email,
            )


def yes_no(turn: Turn) -> tuple[Option, ...]:
    return turn.options((YES, "label.yes"), (NO, "label.no"))


def _fail(turn: Turn, key: str, **params: Any) -> None:
    turn.state.reg.failures += 1
    turn.say(key, **params)
    if turn.state.reg.failures >= turn.deps.max_failed_tries:
        turn.say("reg.stuck")


def _choose(turn: Turn, codes: list[str]) -> None:
    reg = turn.state.reg
    reg.failures = 0
    if len(codes) == 1:
        reg.entity_code, reg.candidates, reg.step = codes[0], [], "confirm_entity"
    else:
        reg.candidates, reg.step = codes, "department"
    prompt_registration(turn)


def _named_entity(
    turn: Turn, kind: EntityKind | None = None
) -> tuple[EntityKind, list[str]] | None:
    """The registrable entities a sentence names, from the NLU's place entities (DANE codes).

    The kind comes from `kind`, else from the words ("alcaldía", "gobernación"), else from the
    places found when they are all of one kind; None when that leaves any doubt.
    """
    if turn.parse is None or turn.option is not None:
        return None
    found = [
        (e["entity"], e["value"]) for e in turn.parse["entities"] if e["entity"] in _PLACE_KINDS
    ]
    if not found:
        return None
    folded = fold(turn.text)
    if kind is None:
        # The first of "alcaldía" / "gobernación" said wins: "la alcaldía de La Unión, en la
        # gobernación de Nariño" is an alcaldía.
        said = sorted((folded.find(w), k) for w, k in _KIND_WORDS.items() if w in folded)
        kinds = {said[0][1]} if said else {_PLACE_KINDS[entity] for entity, _ in found}
        if len(kinds) != 1:
            return None
        kind = kinds.pop()
    wanted = "departamento" if kind == "gobernacion" else "municipio"
    gaz = turn.deps.gazetteer
    codes = [c for e, c in found if e == wanted and (x := gaz.get(c)) and x.kind == kind]
    return (kind, list(dict.fromkeys(codes))) if codes else None


async def handle(turn: Turn) -> Next:
    """A message during registration. Names and job titles are free text, so only a command
    (a slash command, another flow's button) or a few exact words interrupt it."""
    if turn.option is not None:
        return await registration(turn) if turn.option.startswith(_OWN_OPTIONS) else NOT_MINE
    intent = rule_intent(turn.text)
    if intent == "ayuda":
        turn.say("help.register")
        prompt_registration(turn)
    elif intent in ("saludo", "cancelar"):
        turn.say("small.saludo" if intent == "saludo" else "reg.paused")
        prompt_registration(turn)
    elif intent in ("privacidad", "borrar_datos") or command_intent(turn.text) is not None:
        return NOT_MINE  # "/resultados", "/borrar": a command is never a name or an address
    else:
        return await registration(turn)
    return None


async def enter(turn: Turn) -> Next:
    turn.state.flow = "register"
    prompt_registration(turn)
    return None


async def registration(turn: Turn) -> Next:
    """One step of registration; each step validates and either advances or explains."""
    reg = turn.state.reg
    text = turn.text.strip()
    if turn.traits.first_paragraph and text:
        text = text.splitlines()[0].strip()  # the answer, without the signature below it
    gaz = turn.deps.gazetteer
    if turn.option == "reg:restart" and reg.step in ("confirm", "verify"):
        return _ask_field(turn)  # «Corregir»: only what is wrong
    if turn.option in ("reg:restart", "reg:again"):
        turn.state.reg = Registration()
        prompt_registration(turn)
        return None
    if turn.option is not None and turn.option.startswith("reg:fix:"):
        return _fix(turn, turn.option.removeprefix("reg:fix:"))
    if reg.step == "fix":
        field = _field_named(text)
        if field == "again":
            turn.state.reg = Registration()
            prompt_registration(turn)
        elif field is not None:
            return _fix(turn, field)
        else:
            prompt_registration(turn)
        return None
    if reg.step == "code":
        return await handle_code(turn)
    if reg.step == "verify":
        return await _take_code(turn)
    if reg.step == "kind" and "@" in text and await _link_by_address(turn, text):
        return None
    match reg.step:
        case "kind":
            kind = (turn.option or "").removeprefix("kind:") or fold(text)
            named = _named_entity(turn)
            if named is not None:  # "somos de la alcaldía de Cartagena": both steps at once
                reg.kind = named[0]
                _choose(turn, named[1])
                return None
            if kind.startswith("alcald") or kind in {"municipio", "distrito"}:
                reg.kind = "alcaldia"
            elif kind.startswith("gobern") or kind == "departamento":
                reg.kind = "gobernacion"
            else:
                _fail(turn, "reg.kind_unclear")
                prompt_registration(turn)
                return None
            reg.step, reg.failures = "entity", 0
            prompt_registration(turn)
        case "entity":
            if turn.option and turn.option.startswith("ent:"):
                _choose(turn, [turn.option[4:]])
                return None
            place = gaz.place(re.sub(r"\D", "", text)) if reg.kind == "alcaldia" else None
            if place is None and reg.kind == "alcaldia":
                place = next((p for p in gaz.places if fold(p.name) == fold(text)), None)
            if place is not None:
                turn.say("reg.not_registrable", name=place.name, department=place.department_name)
                return None
            named = _named_entity(turn, reg.kind)
            if named is not None:  # a sentence naming it: "es la alcaldía de Cartagena de Indias"
                _choose(turn, named[1])
                return None
            matches = gaz.search(text, kind=reg.kind)
            if not matches:
                _fail(turn, "reg.entity_not_found", text=text[:80], kind=reg.kind)
                return None
            _choose(turn, [m.entity.code for m in matches])
        case "department":
            if turn.option and turn.option.startswith("ent:") and turn.option[4:] in reg.candidates:
                _choose(turn, [turn.option[4:]])
                return None
            dept = gaz.match_department(text)
            picked = [c for c in reg.candidates if (e := gaz.get(c)) and e.department_code == dept]
            if len(picked) == 1:
                _choose(turn, picked)
                return None
            _fail(turn, "reg.department_unclear")
            prompt_registration(turn)
        case "confirm_entity":
            if turn.said_yes():
                reg.step = _after(reg, "name")
            elif turn.said_no():
                reg.step, reg.entity_code = "entity", None
            else:
                turn.say("answer.yes_no")
            prompt_registration(turn)
        case "name":
            name = clean_name(text)
            if name is None:
                _fail(turn, "reg.name_invalid")
                return None
            reg.name, reg.step, reg.failures = name, _after(reg, "role"), 0
            prompt_registration(turn)
        case "role":
            role = clean_role(text)
            if role is None:
                _fail(turn, "reg.role_invalid")
                return None
            reg.role, reg.step, reg.failures = role, _after(reg, "email"), 0
            if turn.msg.key.channel == "email":
                # Writing from it proves nothing about another address, and this one is the
                # one the replies go to: it is the contact's email. "Corregir" starts over.
                reg.email, reg.step = turn.msg.key.address, "confirm"
            prompt_registration(turn)
        case "email":
            email = clean_email(text)
            if email is None:
                _fail(turn, "reg.email_invalid", text=text[:80])
                return None
            if await offer_link(turn, email):
                return None  # that address is registered already: prove it is yours
            reg.email, reg.step, reg.failures = email, _after(reg, "confirm"), 0
            prompt_registration(turn)
        case "confirm":
            if turn.said_yes():
                return await _verify(turn)
            field = _field_named(text)
            if field is not None and field != "again":
                return _fix(turn, field)  # «el correo está mal»
            if turn.said_no() or fold(text).startswith(("corregir", "cambiar")):
                return _ask_field(turn)
            turn.say("reg.confirm_hint")
            prompt_registration(turn)
    return None


# The fields a registration can correct one at a time, in the order they are asked.
_FIX_FIELDS = ("entity", "name", "role", "email")
_FIELD_WORDS = (
    (re.compile(r"\b(empezar|de nuevo|todo|todos)\b"), "again"),
    (re.compile(r"\b(entidad|alcaldia|gobernacion|municipio|departamento)\b"), "entity"),
    (re.compile(r"\bnombre\b"), "name"),
    (re.compile(r"\bcargo\b"), "role"),
    (re.compile(r"\b(correo|email|e-mail|mail)\b"), "email"),
)


def _field_named(text: str) -> str | None:
    """The field a short reply names («el correo», «mi cargo está mal»), «again» for starting
    over, None for anything else (a long text is no choice of field)."""
    folded = fold(text)
    if len(folded) > 80:
        return None
    named = {field for pattern, field in _FIELD_WORDS if pattern.search(folded)}
    return named.pop() if len(named) == 1 else None


def _after(reg: Registration, step: RegStep) -> RegStep:
    """The step after a field: the next one, or back to the confirmation when correcting."""
    if reg.fixing:
        reg.fixing = False
        return "confirm"
    return step


def _ask_field(turn: Turn) -> Next:
    turn.state.reg.step = "fix"
    prompt_registration(turn)
    return None


def _fix(turn: Turn, field: str) -> Next:
    """Ask again for one field only; the others are kept. A code already mailed is void: the
    confirmation that follows mails a new one."""
    reg = turn.state.reg
    if field not in _FIX_FIELDS or (field == "email" and turn.traits.address_is_email):
        return _ask_field(turn)
    reg.fixing, reg.failures = True, 0
    reg.code_hash, reg.code_expires, reg.code_tries = None, None, 0
    if field == "entity":
        reg.step, reg.kind, reg.entity_code, reg.candidates = "kind", None, None, []
    else:
        reg.step = "name" if field == "name" else "role" if field == "role" else "email"
    prompt_registration(turn)
    return None


async def _verify(turn: Turn) -> Next:
    """Prove the address before anything is stored under it: by email, the conversation's own
    address once the message proved its mailbox; elsewhere, a code mailed to it."""
    reg = turn.state.reg
    assert reg.entity_code and reg.email
    by_mail = turn.msg.key.channel == "email"
    if by_mail and turn.refused_unproven():
        return None
    limited = await joining.refusal(turn, reg.entity_code, reg.email)
    if limited is not None:
        turn.state.reg = Registration()
        turn.say(limited, mailbox=turn.deps.mailbox)
        return None
    if by_mail:  # proven above: the address is the conversation's own
        await joining.note_registration(turn, reg.email)
        return await _register(turn)
    sent = await mail_code(
        turn,
        reg,
        reg.email,
        kind=CODE,
        subject="reg.code_subject",
        text="reg.code_text",
        channel=turn.msg.key.channel,
    )
    if not sent:
        turn.say("link.limited")
        return None
    await joining.note_registration(turn, reg.email)
    reg.step = "verify"
    turn.say("reg.code_sent", email=reg.email, minutes=CODE_MINUTES)
    prompt_registration(turn)
    return None


async def _take_code(turn: Turn) -> Next:
    """The code mailed to the address given, typed back."""
    reg = turn.state.reg
    verdict = check_code(turn, reg, turn.text)
    if verdict is None:
        prompt_registration(turn)
        return None
    if verdict in ("expired", "locked"):
        reg.step, reg.code_hash, reg.code_expires, reg.code_tries = "email", None, None, 0
        turn.say(f"reg.code_{verdict}")
        prompt_registration(turn)
        return None
    if verdict == "wrong":
        turn.say("reg.code_wrong", left=MAX_TRIES - reg.code_tries)
        return None
    return await _register(turn)


async def _link_by_address(turn: Turn, text: str) -> bool:
    """At the first step, a registered address instead of "alcaldía" links the conversation."""
    email = clean_email(text)
    if email is None:
        return False
    if await offer_link(turn, email):
        return True
    turn.say("link.not_found")
    prompt_registration(turn)
    return True


async def _register(turn: Turn) -> Next:
    """The address is proved: the contact is stored, joins (or asks to join) the entity."""
    reg, state = turn.state.reg, turn.state
    assert reg.entity_code and reg.name and reg.role and reg.email and state.consent_id
    # Counted again: others may have asked to join while the code travelled.
    if not await turn.tx.membership_basis(reg.entity_code, reg.email) and (
        await turn.tx.requests_since(reg.entity_code, turn.now - joining.DAY)
        >= joining.REQUESTS_PER_ENTITY
    ):
        state.reg = Registration()
        turn.say("reg.limited_entity", mailbox=turn.deps.mailbox)
        return None
    contact = await turn.tx.create_contact(
        reg.entity_code, reg.name, reg.role, reg.email, state.consent_id, turn.now, verified=True
    )
    turn.contact = await joining.join(turn, contact)
    state.reg = Registration()
    standing = await turn.standing()
    if standing != "member":
        turn.say(f"reg.done_{standing}", name=turn.contact.name, title=turn.entity.title)
        return goto("question", fresh=True) if standing == "unverified" else goto("menu")
    others = [
        c for c in await turn.tx.members_of_entity(reg.entity_code) if c.id != turn.contact.id
    ]
    answers = await turn.answers()
    turn.say(
        "reg.done",
        name=turn.contact.name,
        title=turn.entity.title,
        answered=len(answers),
        others=[c.name for c in others],
    )
    return goto("question", fresh=True)


async def reprompt(turn: Turn) -> Next:
    prompt_registration(turn)
    return None


FLOW = Flow(
    "register",
    ("register",),
    enter=enter,
    handle=handle,
    reprompt=reprompt,
    needs_contact=False,
)
