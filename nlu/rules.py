"""A rule-based interpreter: slash commands and the few words a questionnaire needs.

It is the floor every other backend stands on: deterministic, instant, and always right about
commands, so the trained interpreter is asked only for free text these rules do not settle.
"""

from __future__ import annotations

import re
import unicodedata

from nlu.base import FALLBACK, Parse, make_parse

COMMANDS: dict[str, str] = {
    "start": "saludo",
    "inicio": "saludo",
    "diagnostico": "iniciar_diagnostico",
    "continuar": "continuar_diagnostico",
    "resultados": "ver_resultados",
    "asesoria": "solicitar_asesoria",
    "ayuda": "ayuda",
    "help": "ayuda",
    "privacidad": "privacidad",
    "borrar": "borrar_datos",
    "cancelar": "cancelar",
    "estado": "estado_ticket",
}

# (intent, pattern over folded text). Order matters: the first full match wins.
_RULES: tuple[tuple[str, str], ...] = (
    ("no_sabe", r"(yo )?no (lo )?se|nose|ni idea|no tengo (el )?dato|desconozco( el dato)?"),
    ("borrar_datos", r"(borr|elimin|suprim)\w* (todos )?(mis|los) datos.*"),
    ("privacidad", r"(ver )?mis datos|privacidad|habeas data|politica de (datos|privacidad)"),
    ("omitir", r"omit\w*|saltar\w*|salt(e|a) esta|paso|siguiente( pregunta)?|despues la respondo"),
    (
        "corregir",
        r"atras|anterior|volver|corregir|me equivoque.*|cambiar (la )?(respuesta )?anterior",
    ),
    ("repetir", r"repet\w*|otra vez|de nuevo|no (le )?entendi la pregunta"),
    ("ayuda", r"\?+|ayuda|help|como funciona|que (puedo|debo) hacer|menu|opciones"),
    ("cancelar", r"cancel\w*|pausa|pausar|salir|terminar por ahora|luego sigo|despues sigo"),
    (
        "afirmar",
        r"si|sii+|claro|correcto|de acuerdo|dale|ok|okay|listo|confirmo|acepto|exacto|asi es",
    ),
    ("negar", r"no|nop|nones|negativo|para nada|no acepto|no gracias|incorrecto"),
    ("saludo", r"hola|buen(os|as) (dias|tardes|noches)|buenas|saludos"),
    ("agradecer", r"(muchas )?gracias|mil gracias|muy amable"),
    ("despedida", r"chao|adios|hasta (luego|pronto|manana)|nos vemos"),
    ("ver_resultados", r"(ver |mis |los )?resultados|puntaje|mi (nivel|calificacion)"),
    ("continuar_diagnostico", r"continuar|seguir|retomar|sigamos"),
    (
        "iniciar_diagnostico",
        r"(iniciar|empezar|comenzar) (el )?(diagnostico|cuestionario)|diagnostico",
    ),
    ("solicitar_asesoria", r".*(asesori|acompanamiento|asesor).*"),
    ("hablar_humano", r".*(hablar con|comunicarme con) (una persona|un humano|alguien).*"),
)
_COMPILED = tuple((intent, re.compile(rf"(?:{pattern})[.!¡¿ ]*")) for intent, pattern in _RULES)


def fold(text: str) -> str:
    """Lower case without accents or surrounding punctuation; inner spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"\s+", " ", plain).strip()
    return plain.strip("¡!¿.,;: ") or plain.strip()


def command_intent(text: str) -> str | None:
    """'/ayuda', '/start@CtiBot' -> the command's intent."""
    match = re.fullmatch(r"\s*/([a-zA-Z_]+)(?:@\w+)?\s*", text)
    return COMMANDS.get(fold(match.group(1))) if match else None


def rule_intent(text: str) -> str | None:
    command = command_intent(text)
    if command:
        return command
    folded = fold(text)
    for intent, pattern in _COMPILED:
        if pattern.fullmatch(folded):
            return intent
    return None


class RuleInterpreter:
    """Commands and keywords; anything else is `nlu_fallback`."""

    async def parse(self, text: str) -> Parse:
        intent = rule_intent(text)
        return make_parse(text, intent or FALLBACK, 1.0 if intent else 0.0)
