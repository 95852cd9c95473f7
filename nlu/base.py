"""What the engine asks of language understanding: Rasa's `/model/parse` shape, nothing more.

Every backend (rule-based, embedded classifier, a Rasa server) returns exactly this shape, so a
backend can be swapped in `config.yml` without the dialogue noticing.
"""

from __future__ import annotations

from typing import Protocol, TypedDict

FALLBACK = "nlu_fallback"

# The fixed intent inventory (evaluation data uses these names).
INTENTS: tuple[str, ...] = (
    "saludo",
    "despedida",
    "agradecer",
    "afirmar",
    "negar",
    "iniciar_diagnostico",
    "continuar_diagnostico",
    "ver_resultados",
    "solicitar_asesoria",
    "info_cofinanciacion",
    "info_modelo",
    "info_plazos",
    "ayuda",
    "no_sabe",
    "omitir",
    "corregir",
    "repetir",
    "estado_ticket",
    "privacidad",
    "ver_datos",
    "descargar_datos",
    "corregir_datos",
    "borrar_datos",
    "cancelar",
    "hablar_humano",
    "fuera_de_alcance",
)


class Intent(TypedDict):
    name: str
    confidence: float


class Entity(TypedDict):
    entity: str
    start: int
    end: int
    value: str
    confidence: float


class Parse(TypedDict):
    text: str
    intent: Intent
    intent_ranking: list[Intent]
    entities: list[Entity]


class Interpreter(Protocol):
    """Turns free text into an intent and entities."""

    async def parse(self, text: str) -> Parse: ...


def make_parse(
    text: str, intent: str, confidence: float, entities: list[Entity] | None = None
) -> Parse:
    """A parse with a one-item ranking (for deterministic backends)."""
    top = Intent(name=intent, confidence=confidence)
    return Parse(text=text, intent=top, intent_ranking=[top], entities=entities or [])


def with_threshold(parse: Parse, threshold: float, ranking_size: int = 10) -> Parse:
    """`nlu_fallback` on top when the best intent is below `threshold` (as Rasa's
    FallbackClassifier: scored at the threshold, the classifier's candidates following)."""
    top = parse["intent"]
    if top["name"] == FALLBACK or top["confidence"] >= threshold:
        return parse
    fallback = Intent(name=FALLBACK, confidence=threshold)
    ranking = [i for i in parse["intent_ranking"] if i["name"] != FALLBACK]
    return Parse(
        text=parse["text"],
        intent=fallback,
        intent_ranking=[fallback, *ranking[: ranking_size - 1]],
        entities=parse["entities"],
    )


def candidates(parse: Parse, *, floor: float = 0.0) -> list[Intent]:
    """The ranking without the fallback, best first, down to `floor` confidence."""
    return [
        i for i in parse["intent_ranking"] if i["name"] != FALLBACK and i["confidence"] >= floor
    ]
