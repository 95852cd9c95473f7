"""Habeas Data rights beyond viewing and erasing (Ley 1581 de 2012, art. 8): correcting one's
own data (rectify) and getting a copy of it as a file (export).

Correcting asks which field, takes the new value with the same validation as registration, and
stores it only after a yes. A new email address is stored only once a code mailed to it comes
back (as when linking a channel): an address nobody proved would receive results, replies and
links to the registration; without mail no code can travel, so the email cannot change then.
The old value is not kept: keeping a wrong address or name after
the person corrected it is what rectification exists to prevent; the log records that a field
changed, without values. The entity is not a field to correct here: it decides which diagnosis
the person answers, so changing it means erasing and registering again (the text says so).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.contract import Attachment, OutboundEmail, OutgoingMessage
from bot.conversation.codes import CODE_MINUTES, MAX_TRIES
from bot.conversation.mailcode import check_code, mail_code
from bot.conversation.registry import Flow, Next, NotMine, goto
from bot.conversation.state import Rectify
from bot.conversation.turn import NO, YES, Turn
from bot.storage.outbox import EMAIL_CHANGED, EMAIL_CODE
from dialogues.contact_fields import clean_email, clean_name, clean_role
from dialogues.parsing import fold
from nlu.rules import rule_intent

log = logging.getLogger(__name__)

EXPORT_FILENAME = "mis-datos-asistente-cti.json"
EXPORT_MIME = "application/json"
FIELDS = ("name", "role", "email")
_FIELD_WORDS = {
    "nombre": "name",
    "mi nombre": "name",
    "cargo": "role",
    "mi cargo": "role",
    "correo": "email",
    "mi correo": "email",
    "correo electronico": "email",
    "email": "email",
    "entidad": "entity",
    "mi entidad": "entity",
    "alcaldia": "entity",
    "gobernacion": "entity",
}
_CLEAN = {"name": clean_name, "role": clean_role, "email": clean_email}
_INVALID = {"name": "reg.name_invalid", "role": "reg.role_invalid", "email": "reg.email_invalid"}


def _text(turn: Turn) -> str:
    text = turn.text.strip()
    if turn.traits.first_paragraph and text:
        text = text.splitlines()[0].strip()  # the value, without the signature below it
    return text


# --- rectify ---------------------------------------------------------------------------------


async def start_rectify(turn: Turn, field: str | None = None) -> Next:
    """Ask which field to correct (or, if named already, its new value)."""
    if turn.contact is None:
        turn.say("privacy.nothing")
        return None
    turn.state.flow = "rectify"
    turn.state.fix = Rectify()
    if field in FIELDS:
        return _choose(turn, field)
    _ask_field(turn)
    return None


async def reprompt_rectify(turn: Turn) -> Next:
    fix = turn.state.fix
    if turn.contact is None or fix is None:
        return goto("menu")
    if fix.field is None:
        _ask_field(turn)
    elif fix.value is None:
        _ask_value(turn, fix.field)
    elif fix.code_hash is not None:
        _ask_code(turn, fix.value)
    else:
        _confirm(turn, fix)
    return None


def _ask_field(turn: Turn) -> None:
    assert turn.contact is not None
    turn.say(
        "privacy.fix_which",
        options=turn.options(
            ("fix:name", "label.fix_name"),
            ("fix:role", "label.fix_role"),
            ("fix:email", "label.fix_email"),
            ("fix:entity", "label.fix_entity"),
            ("fix:cancel", "label.fix_cancel"),
        ),
        name=turn.contact.name,
        role=turn.contact.role,
        email=turn.contact.email,
        title=turn.entity.title,
    )


def _choose(turn: Turn, field: str) -> Next:
    if field == "email" and not turn.deps.mail_enabled:
        _finish(turn)
        turn.say("privacy.fix_email_no_mail")
        return goto("menu")
    _ask_value(turn, field)
    return None


def _ask_value(turn: Turn, field: str) -> None:
    assert turn.contact is not None and turn.state.fix is not None
    turn.state.fix.field = field  # type: ignore[assignment]
    turn.state.fix.value = None
    current = {"name": turn.contact.name, "role": turn.contact.role, "email": turn.contact.email}
    turn.say(
        f"privacy.fix_ask_{field}",
        options=turn.options(("fix:cancel", "label.fix_cancel")),
        current=current[field],
        channel=turn.msg.key.channel,
    )


async def handle_rectify(turn: Turn) -> Next:
    fix = turn.state.fix or Rectify()
    turn.state.fix = fix
    text = _text(turn)
    option = turn.option or ""
    if option and not option.startswith("fix:") and option not in (YES, NO):
        return NotMine()  # another flow's button; a stale one is ignored by the router
    if option == "fix:cancel" or (not option and rule_intent(text) == "cancelar"):
        _finish(turn)
        turn.say("privacy.fix_cancelled")
        return goto("menu")
    if turn.contact is None:  # erased on another channel meanwhile
        _finish(turn)
        turn.say("privacy.nothing")
        return None
    if fix.field is None:
        chosen = option.removeprefix("fix:") if option.startswith("fix:") else None
        chosen = chosen or _FIELD_WORDS.get(fold(text))
        if chosen == "entity":
            _finish(turn)
            turn.say("privacy.fix_entity", title=turn.entity.title)
            return goto("menu")
        if chosen in FIELDS:
            return _choose(turn, chosen)
        _ask_field(turn)
        return None
    if fix.value is None:
        return await _take_value(turn, fix, text)
    if fix.code_hash is not None:
        return await _take_code(turn, fix, text)
    if turn.said_yes():
        if fix.field == "email":
            return await _send_code(turn, fix)
        return await _store(turn, fix)
    if turn.said_no():
        _ask_value(turn, fix.field)
    else:
        turn.say("answer.yes_no")
        _confirm(turn, fix)
    return None


async def _take_value(turn: Turn, fix: Rectify, text: str) -> Next:
    assert fix.field is not None and turn.contact is not None
    value = _CLEAN[fix.field](text) if text and not turn.option else None
    if value is None:
        fix.failures += 1
        turn.say(_INVALID[fix.field], text=text[:80])
        if fix.failures >= turn.deps.max_failed_tries:
            turn.say("privacy.fix_stuck")
        return None
    fix.failures = 0
    if value == getattr(turn.contact, fix.field):
        _finish(turn)
        turn.say("privacy.fix_same")
        return goto("menu")
    if fix.field == "email":
        owner = await turn.tx.contact_by_email(value)
        if owner is not None and owner.id != turn.contact.id:
            # Two people on one address would let each link to the other's registration.
            turn.say("privacy.fix_email_taken", email=value)
            return None
    fix.value = value
    _confirm(turn, fix)
    return None


def _confirm(turn: Turn, fix: Rectify) -> None:
    turn.say(
        f"privacy.fix_confirm_{fix.field}",
        options=turn.options((YES, "label.fix_save"), (NO, "label.fix_retype")),
        value=fix.value,
    )


async def _send_code(turn: Turn, fix: Rectify) -> Next:
    """Mail a code to the new address; the old one stays until the code comes back."""
    assert turn.contact is not None and fix.value is not None
    if turn.refused_unproven():
        return None
    if not turn.deps.mail_enabled:  # switched off since the address was asked
        _finish(turn)
        turn.say("privacy.fix_email_no_mail")
        return goto("menu")
    sent = await mail_code(
        turn,
        fix,
        fix.value,
        kind=EMAIL_CODE,
        subject="privacy.fix_code_subject",
        text="privacy.fix_code_text",
        name=turn.contact.name,
        channel=turn.msg.key.channel,
        mailbox=turn.deps.mailbox,
    )
    if not sent:
        _finish(turn)
        turn.say("privacy.fix_code_limited")
        return goto("menu")
    turn.say(
        "privacy.fix_code_sent",
        options=turn.options(("fix:cancel", "label.fix_cancel")),
        email=fix.value,
        minutes=CODE_MINUTES,
    )
    return None


def _ask_code(turn: Turn, email: str) -> None:
    turn.say(
        "privacy.fix_code_ask",
        options=turn.options(("fix:cancel", "label.fix_cancel")),
        email=email,
        minutes=CODE_MINUTES,
    )


async def _take_code(turn: Turn, fix: Rectify, text: str) -> Next:
    assert fix.value is not None
    verdict = check_code(turn, fix, text) if not turn.option else None
    if verdict is None:
        _ask_code(turn, fix.value)
        return None
    if verdict in ("expired", "locked"):
        _finish(turn)
        turn.say(f"privacy.fix_code_{verdict}")
        return goto("menu")
    if verdict == "wrong":
        turn.say(
            "privacy.fix_code_wrong",
            options=turn.options(("fix:cancel", "label.fix_cancel")),
            left=MAX_TRIES - fix.code_tries,
        )
        return None
    return await _store(turn, fix)


async def _store(turn: Turn, fix: Rectify) -> Next:
    assert turn.contact is not None and fix.field is not None and fix.value is not None
    if fix.field == "email":
        if turn.refused_unproven():
            return None
        owner = await turn.tx.contact_by_email(fix.value)
        if owner is not None and owner.id != turn.contact.id:  # taken while the code travelled
            _finish(turn)
            turn.say("privacy.fix_email_taken", email=fix.value)
            return goto("menu")
    field, old = fix.field, turn.contact
    value = fix.value
    turn.contact = await turn.tx.update_contact(
        turn.contact.id,
        name=value if field == "name" else None,
        role=value if field == "role" else None,
        email=value if field == "email" else None,
    )
    log.info("contact %s rectified their %s", turn.contact.id, field)
    if field == "email" and turn.deps.mail_enabled:
        # Whoever controls the old mailbox hears of it: a takeover (a forged From: on the email
        # channel, a borrowed phone) does not go unnoticed. The new address is not named.
        catalog = turn.deps.catalog
        await turn.tx.enqueue(
            OutboundEmail(
                recipient=old.email,
                subject=catalog.render("privacy.email_changed_subject"),
                text=catalog.render(
                    "privacy.email_changed_text",
                    name=old.name,
                    channel=turn.msg.key.channel,
                    mailbox=turn.deps.mailbox,
                ),
                message_id=email_changed_id(turn.contact.id, turn.deps.new_email_id()),
                kind=EMAIL_CHANGED,
            ),
            turn.now,
        )
    _finish(turn)
    turn.say("privacy.fixed", field=field, value=fix.value)
    return goto("menu")


def email_changed_id(contact_id: int, fresh_id: str) -> str:
    """The notice's Message-ID names the contact, so erasing them finds it unsent (it holds an
    address they no longer have); `fresh_id` is a new "<unique@domain>"."""
    return f"<{EMAIL_CHANGED}-{contact_id}-{fresh_id.strip('<>')}>"


def _finish(turn: Turn) -> None:
    turn.state.fix = None
    turn.state.flow = "menu"


# --- erase ---------------------------------------------------------------------------------


async def ask_erase(turn: Turn) -> Next:
    turn.state.flow = "confirm_erase"
    turn.say(
        "privacy.confirm_erase",
        options=turn.options((YES, "label.erase_now"), (NO, "label.keep_data")),
    )
    return None


async def handle_confirm_erase(turn: Turn) -> Next:
    if turn.said_yes():
        if turn.refused_unproven():
            return None
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
        return None
    if turn.option not in (None, NO):
        return NotMine()  # another flow's button; a stale one is ignored by the router
    turn.say("privacy.kept")
    # Someone still registering goes on with it.
    return goto("menu" if turn.contact is not None else "register")


async def _menu(turn: Turn) -> Next:
    return goto("menu" if turn.contact is not None else "register")


# --- showing the data -----------------------------------------------------------------------


def show_privacy(turn: Turn) -> None:
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


# --- export ----------------------------------------------------------------------------------


async def send_export(turn: Turn) -> None:
    """The contact's data as a JSON file: a document on Telegram, an attachment by email."""
    data = await turn.tx.personal_export(turn.contact.id) if turn.contact else None
    if data is None:
        turn.say("privacy.nothing")
        return
    document = export_document(turn, data)
    payload = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    text = turn.deps.catalog.render(
        "privacy.export_sent",
        answers=len(data["answers"]),
        channel=turn.msg.key.channel,
        filename=EXPORT_FILENAME,
    )
    attachment = Attachment(EXPORT_FILENAME, EXPORT_MIME, payload)
    turn.replies.append(OutgoingMessage(turn.msg.key, text, (), (attachment,)))


def export_document(turn: Turn, data: dict[str, Any]) -> dict[str, Any]:
    """The stored data, with what makes it readable (the entity's name, each question's text)
    and the field names in Spanish (`export.field.*` in the catalog)."""
    entity = turn.deps.gazetteer.get(data["contact"]["entity_code"])
    data = dict(data)
    data["contact"] = dict(data["contact"], entity=entity.title if entity else None)
    index = turn.q.question_index
    data["answers"] = [
        dict(a, question=index[a["question_id"]][2].text if a["question_id"] in index else None)
        for a in data["answers"]
    ]
    catalog = turn.deps.catalog
    header = {
        "about": catalog.render("export.about"),
        "generated_at": turn.now.isoformat(),
        "controller": catalog.render("export.controller", mailbox=turn.deps.mailbox),
    }
    return _spanish(turn, {**header, **data})


def _spanish(turn: Turn, value: Any) -> Any:
    catalog = turn.deps.catalog
    if isinstance(value, dict):
        return {
            (catalog.render(f"export.field.{k}") if f"export.field.{k}" in catalog else k): (
                _spanish(turn, v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_spanish(turn, v) for v in value]
    return value


async def _enter_rectify(turn: Turn, *, field: str | None = None) -> Next:
    return await start_rectify(turn, field)


async def _enter_erase(turn: Turn) -> Next:
    return await ask_erase(turn)


FLOWS = (
    Flow(
        "rectify",
        ("rectify",),
        enter=_enter_rectify,
        handle=handle_rectify,
        reprompt=reprompt_rectify,
    ),
    # Erasing works before registration is complete, too: it then revokes the consent.
    Flow(
        "confirm_erase",
        ("confirm_erase",),
        enter=_enter_erase,
        handle=handle_confirm_erase,
        reprompt=_menu,
        needs_contact=False,
    ),
)
