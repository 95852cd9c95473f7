"""Habeas Data rights beyond viewing and erasing (Ley 1581 de 2012, art. 8): correcting one's
own data (rectify) and getting a copy of it as a file (export).

Correcting asks which field, takes the new value with the same validation as registration, and
stores it only after a yes. The old value is not kept: keeping a wrong address or name after
the person corrected it is what rectification exists to prevent; the log records that a field
changed, without values. The entity is not a field to correct here: it decides which diagnosis
the person answers, so changing it means erasing and registering again (the text says so).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.contract import Attachment, OutboundEmail, OutgoingMessage
from bot.flows.turn import NO, YES, Turn
from bot.mailtrust import refused_unproven
from bot.storage.outbox import EMAIL_CHANGED
from dialogues.contact_fields import clean_email, clean_name, clean_role
from dialogues.parsing import fold
from dialogues.state import Rectify
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
    if turn.msg.key.channel in turn.deps.block_channels and text:
        text = text.splitlines()[0].strip()  # the value, without the signature below it
    return text


# --- rectify ---------------------------------------------------------------------------------


async def start_rectify(turn: Turn, field: str | None = None) -> None:
    """Ask which field to correct (or, if named already, its new value)."""
    if turn.contact is None:
        turn.say("privacy.nothing")
        return
    turn.state.flow = "rectify"
    turn.state.fix = Rectify()
    if field in FIELDS:
        _ask_value(turn, field)
        return
    _ask_field(turn)


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


async def handle_rectify(turn: Turn) -> None:
    from bot.flows.general import show_menu

    fix = turn.state.fix or Rectify()
    turn.state.fix = fix
    text = _text(turn)
    option = turn.option or ""
    if option == "fix:cancel" or (not option and rule_intent(text) == "cancelar"):
        _finish(turn)
        turn.say("privacy.fix_cancelled")
        show_menu(turn)
        return
    if turn.contact is None:  # erased on another channel meanwhile
        _finish(turn)
        turn.say("privacy.nothing")
        return
    if fix.field is None:
        chosen = option.removeprefix("fix:") if option.startswith("fix:") else None
        chosen = chosen or _FIELD_WORDS.get(fold(text))
        if chosen == "entity":
            _finish(turn)
            turn.say("privacy.fix_entity", title=turn.entity.title)
            show_menu(turn)
        elif chosen in FIELDS:
            _ask_value(turn, chosen)
        else:
            _ask_field(turn)
        return
    if fix.value is None:
        await _take_value(turn, fix, text)
        return
    if turn.said_yes():
        await _store(turn, fix)
    elif turn.said_no():
        _ask_value(turn, fix.field)
    else:
        turn.say("answer.yes_no")
        _confirm(turn, fix)


async def _take_value(turn: Turn, fix: Rectify, text: str) -> None:
    assert fix.field is not None and turn.contact is not None
    value = _CLEAN[fix.field](text) if text and not turn.option else None
    if value is None:
        fix.failures += 1
        turn.say(_INVALID[fix.field], text=text[:80])
        if fix.failures >= turn.deps.max_failed_tries:
            turn.say("privacy.fix_stuck")
        return
    fix.failures = 0
    if value == getattr(turn.contact, fix.field):
        _finish(turn)
        turn.say("privacy.fix_same")
        from bot.flows.general import show_menu

        show_menu(turn)
        return
    if fix.field == "email":
        owner = await turn.tx.contact_by_email(value)
        if owner is not None and owner.id != turn.contact.id:
            # Two people on one address would let each link to the other's registration.
            turn.say("privacy.fix_email_taken", email=value)
            return
    fix.value = value
    _confirm(turn, fix)


def _confirm(turn: Turn, fix: Rectify) -> None:
    turn.say(
        f"privacy.fix_confirm_{fix.field}",
        options=turn.options((YES, "label.fix_save"), (NO, "label.fix_retype")),
        value=fix.value,
    )


async def _store(turn: Turn, fix: Rectify) -> None:
    from bot.flows.general import show_menu

    assert turn.contact is not None and fix.field is not None and fix.value is not None
    if fix.field == "email" and refused_unproven(turn):
        return
    field, old = fix.field, turn.contact
    turn.contact = await turn.tx.update_contact(turn.contact.id, **{field: fix.value})
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
    show_menu(turn)


def email_changed_id(contact_id: int, fresh_id: str) -> str:
    """The notice's Message-ID names the contact, so erasing them finds it unsent (it holds an
    address they no longer have); `fresh_id` is a new "<unique@domain>"."""
    return f"<{EMAIL_CHANGED}-{contact_id}-{fresh_id.strip('<>')}>"


def _finish(turn: Turn) -> None:
    turn.state.fix = None
    turn.state.flow = "menu"


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
