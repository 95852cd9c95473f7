"""Deterministic intents: slash commands and the short fixed words the dialogue advertises.

Two tiers:
- `rule_intent`: slash commands and whole-message keywords ("no sé", "atrás", "pausa"). Precise
  enough to stand in front of every other backend (`RulesFirst`), so what the help text promises
  works the same with the classifier, a Rasa server, or neither.
- `keyword_intent`: those plus substring rules ("... asesoría ..."). Too loose to overrule a
  classifier, good enough for the `rules` backend, which has nothing better.
"""

from __future__ import annotations

import re

from nlu.base import FALLBACK, Intent, Interpreter, Parse, make_parse
from nlu.text import fold_phrase

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
    "pausa": "cancelar",
    "estado": "estado_ticket",
}

# (intent, pattern over folded text), each matched against the whole message; first match wins.
# They must agree with the training data: tests check every training example they match.
_EXACT: tuple[tuple[str, str], ...] = (
    # What the ticket messages advertise: «¿en qué va mi solicitud?».
    (
        "estado_ticket",
        r"(en que va|como va|estado de) (mi|la) solicitud( de (asesoria|acompanamiento))?\??",
    ),
    ("no_sabe", r"(yo )?no (lo )?se|nose|ni idea|no tengo (el )?dato|desconozco( el dato)?"),
    ("borrar_datos", r"(borr|elimin|suprim)\w* (todos )?(mis|los) datos.*"),
    ("ver_datos", r"(ver|mostrar|muestreme|consultar) mis datos( personales)?"),
    ("descargar_datos", r"(descargar|exportar|bajar) mis datos( personales)?"),
    ("corregir_datos", r"(corregir|actualizar|rectificar) mis datos( personales)?"),
    ("privacidad", r"mis datos|privacidad|habeas data|politica de (datos|privacidad)"),
    ("omitir", r"omit\w*|saltar\w*|salt(e|a) esta|paso|despues la respondo"),
    (
        "corregir",
        r"atras|anterior|volver atras|corregir|me equivoque.*|cambiar (la )?(respuesta )?anterior",
    ),
    ("repetir", r"repet\w*|otra vez|de nuevo|no (le )?entendi la pregunta"),
    ("ayuda", r"\?+|ayuda|help|como funciona|que (puedo|debo) hacer|opciones"),
    ("cancelar", r"cancel\w*|pausa|pausar|salir|terminar por ahora|luego sigo|despues sigo"),
    (
        "afirmar",
        r"si|sii+|claro|correcto|de acuerdo|dale|ok|okay|listo|confirmo|acepto|exacto|asi es",
    ),
    ("negar", r"no|nop|nones|negativo|para nada|no acepto|no gracias|incorrecto"),
    ("saludo", r"hola|buen(os|as) (dias|tardes|noches)|buenas|saludos"),
    ("agradecer", r"(muchas )?gracias|mil gracias|muy amable"),
    ("despedida", r"chao|adios|hasta (luego|pronto|manana)|nos vemos"),
    ("ver_resultados", r"(ver )?(mis |los )?resultados|mi puntaje"),
    ("continuar_diagnostico", r"continuar|seguir|retomar|sigamos"),
    ("iniciar_diagnostico", r"(iniciar|empezar|comenzar) (el )?(diagnostico|cuestionario)"),
)
_LOOSE: tuple[tuple[str, str], ...] = (
    (
        "estado_ticket",
        r".*((en que va|como va|estado de|estado del|que paso con) (mi |la |el |nuestra )?"
        r"(solicitud|ticket|caso|peticion|radicado)|\bcti-\d{4}-\d{5}\b).*",
    ),
    ("solicitar_asesoria", r".*(asesori|acompanamiento|asesor).*"),
    ("hablar_humano", r".*(hablar con|comunicarme con) (una persona|un humano|alguien).*"),
    ("ver_resultados", r".*(puntaje|mi nivel|calificacion).*"),
    ("iniciar_diagnostico", r".*diagnostico.*"),
)


def _compile(rules: tuple[tuple[str, str], ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((intent, re.compile(rf"(?:{pattern})[.!¡¿ ]*")) for intent, pattern in rules)


_EXACT_RE = _compile(_EXACT)
_LOOSE_RE = _compile(_LOOSE)


def command_intent(text: str) -> str | None:
    """'/ayuda', '/start@CtiBot' -> the command's intent."""
    match = re.fullmatch(r"\s*/([a-zA-Z_]+)(?:@\w+)?\s*", text)
    return COMMANDS.get(fold_phrase(match.group(1))) if match else None


def _first(rules: tuple[tuple[str, re.Pattern[str]], ...], folded: str) -> str | None:
    return next((intent for intent, pattern in rules if pattern.fullmatch(folded)), None)


def rule_intent(text: str) -> str | None:
    """The intent of a slash command or of a whole-message keyword; None for anything else."""
    return command_intent(text) or _first(_EXACT_RE, fold_phrase(text))


def keyword_intent(text: str) -> str | None:
    """`rule_intent`, then looser substring rules (for the rules-only backend)."""
    return rule_intent(text) or _first(_LOOSE_RE, fold_phrase(text))


class RuleInterpreter:
    """Commands and keywords; anything else is `nlu_fallback`. Needs no data and no training."""

    async def parse(self, text: str) -> Parse:
        intent = keyword_intent(text)
        return make_parse(text, intent or FALLBACK, 1.0 if intent else 0.0)


def promote(parse: Parse, intent: str) -> Parse:
    """`parse` with `intent` on top at confidence 1.0; the rest of the ranking keeps its order."""
    top = Intent(name=intent, confidence=1.0)
    rest = [i for i in parse["intent_ranking"] if i["name"] not in (intent, FALLBACK)]
    return Parse(
        text=parse["text"], intent=top, intent_ranking=[top, *rest], entities=parse["entities"]
    )


class RulesFirst:
    """Another interpreter, overruled by `rule_intent` where a rule matches the whole message."""

    def __init__(self, inner: Interpreter) -> None:
        self.inner = inner

    async def parse(self, text: str) -> Parse:
        parse = await self.inner.parse(text)
        intent = rule_intent(text)
        return promote(parse, intent) if intent else parse
