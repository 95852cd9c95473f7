"""Dialogue-level commands that are not NLU intents: review, submit, progress, reopen, scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from dialogues.parsing import fold, parse_goto
from dialogues.question_lookup import change_topic
from dialogues.questionnaire import Questionnaire

_WORDS: dict[str, str] = {
    "revisar": "review",
    "revision": "review",
    "resumen": "review",
    "enviar": "submit",
    "enviar diagnostico": "submit",
    "progreso": "progress",
    "avance": "progress",
    "mi avance": "progress",
    "reabrir": "reopen",
    "reabrir diagnostico": "reopen",
    "menu": "menu",
    "dimensiones": "dimensions",
    "/dimensiones": "dimensions",
    "/revisar": "review",
    "/progreso": "progress",
    "excel": "spreadsheet",
    "hoja de calculo": "spreadsheet",
    "cuestionario en excel": "spreadsheet",
    "enviar excel": "spreadsheet",
    "/excel": "spreadsheet",
}
_SCOPE = re.compile(r"(?:yo\s+)?(?:respondo|respondere|me encargo de|me encargare de|tomo)\s+(.+)")


@dataclass(frozen=True, slots=True)
class Command:
    # review, submit, progress, reopen, menu, dimensions, goto, find, spreadsheet, rectify,
    # export
    name: str
    arg: str | tuple[str, ...] | None = None


def parse_dimensions(questionnaire: Questionnaire, text: str) -> tuple[str, ...] | None:
    """'gobernanza y hábitat' -> ('gobernanza', 'habitat'); 'todas' -> (); None if unclear."""
    folded = fold(text)
    if folded in {"todas", "todo", "todas las dimensiones", "todo el cuestionario"}:
        return ()
    names = {d.id: fold(d.name) for d in questionnaire.dimensions}
    parts = [p for p in re.split(r",|\s+y\s+|\s+e\s+|;", folded) if p.strip()]
    chosen: list[str] = []
    for part in parts:
        part = re.sub(r"^(la|el|las|los|dimension(es)? de|dimension)\s+", "", part.strip())
        hit = process.extractOne(part, names, scorer=fuzz.WRatio, score_cutoff=85)
        if hit is None:
            return None
        if hit[2] not in chosen:
            chosen.append(hit[2])
    order = [d.id for d in questionnaire.dimensions]
    return tuple(sorted(chosen, key=order.index)) or None


# About reminders, in a few words: "no más recordatorios", "activar recordatorios". Longer texts
# that merely mention reminders (a request for advice, say) are not taken as a command.
_REMINDER = re.compile(r"\brecordatorios?\b")
_REMINDERS_STOP = re.compile(
    r"\b(no|sin|desactiv\w*|cancel\w*|deten\w*|suspend\w*|quit\w*|par(ar|en)|dej\w*|basta|stop)\b"
)
_REMINDERS_START = re.compile(r"\b(activ\w*|reactiv\w*|recib\w*|quiero|envi\w*|reanud\w*|si)\b")
_REMINDER_MAX_WORDS = 6


def reminder_request(text: str) -> Literal["off", "on"] | None:
    """'No más recordatorios' -> 'off'; 'activar recordatorios' -> 'on'; else None."""
    folded = fold(text)
    if not _REMINDER.search(folded) or len(folded.split()) > _REMINDER_MAX_WORDS:
        return None
    if _REMINDERS_STOP.search(folded):
        return "off"
    if _REMINDERS_START.search(folded):
        return "on"
    return None


# Habeas Data rights beyond seeing and erasing: correcting ("rectify") and getting a copy
# ("export"). Always about "mis datos" or one of the person's fields: a bare "corregir" is the NLU
# intent for changing a questionnaire answer and must stay so.
_FIELDS = {"nombre": "name", "cargo": "role", "correo": "email", "email": "email"}
_RECTIFY = re.compile(
    r"(?:(?:quiero|deseo|necesito|como) (?:puedo )?)?"
    r"(?:corregir|rectificar|actualizar|cambiar|modificar|corrijan|actualicen|cambien)"
    r" (?:mis datos(?: personales)?|los datos de mi registro|mi registro"
    r"|(?:mi|el) (?P<field>nombre|cargo|correo|email)(?: electronico)?)"
)
_EXPORT = re.compile(
    r"(?:(?:quiero|deseo|necesito) )?"
    r"(?:descargar|exportar|bajar|obtener|recibir|una copia de|copia de) (?:todos )?mis datos"
    r"(?: personales)?(?: en (?:un )?archivo)?"
)


def privacy_request(text: str) -> Command | None:
    """'Corregir mis datos' -> rectify; 'cambiar mi correo' -> rectify email; 'descargar mis
    datos' -> export; else None."""
    folded = fold(text).rstrip(".")
    rectify = _RECTIFY.fullmatch(folded)
    if rectify:
        field = rectify.group("field")
        return Command("rectify", _FIELDS[field] if field else None)
    if _EXPORT.fullmatch(folded):
        return Command("export")
    return None


def parse_command(questionnaire: Questionnaire, text: str) -> Command | None:
    folded = fold(text)
    if folded in _WORDS:
        return Command(_WORDS[folded])
    privacy = privacy_request(text)
    if privacy:
        return privacy
    goto = parse_goto(text)
    if goto:
        return Command("goto", goto)
    topic = change_topic(text)
    if topic:
        return Command("find", topic)  # «cambiar la de los homicidios»
    scope = _SCOPE.fullmatch(folded)
    if scope:
        dims = parse_dimensions(questionnaire, scope.group(1))
        if dims is not None:
            return Command("dimensions", dims)
    return None
