"""A small, valid questionnaire and answer helpers that tests copy, vary or break.

`questionnaire_raw()` returns a fresh raw dict (the shape of the YAML file) every call, so a test
may mutate it freely. The numbers are chosen so scores can be worked out by hand:

    measurements: capacidades 0.5, resultados 0.3, percepcion 0.2
    levels: inicial 0, basico 25, intermedio 50, avanzado 75
    gobernanza (1/3)
      gob-servicios (0.75): GOB-SER-01 cap {no 0, parcial 50, si 100}      axes datos
                            GOB-SER-02 cap {no 0, si 100}, alcaldía only  axes datos, conectividad
                            GOB-SER-03 res figure % [0,100]: 0->0 20->40 60->80 90->100
                                                                          axes conectividad
                            PER-01 (perception) {mal 0, regular 50, bien 100}
      gob-datos (0.25):     GOB-DAT-01 cap {bajo 0, medio 60, alto 100}
    habitat (2/3)
      hab-movilidad (2/5):  HAB-MOV-01 cap {a 0, b 30, c 70, d 100}       axes conectividad
                            HAB-MOV-02 cap {no 0, si 100}, gobernación only
      hab-servicios (3/5):  HAB-SER-01 res figure hours [0, no max]: 0->100 2->50 8->0
                            HAB-SER-02 cap {no 0, si 100}
                            PER-02 (perception) {mal 0, bien 100}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.scoring import Answer
from dialogues.questionnaire import Questionnaire, parse_questionnaire


def _options(**scores: float) -> list[dict[str, Any]]:
    return [{"id": oid, "text": f"Opción {oid}", "score": score} for oid, score in scores.items()]


def _question(qid: str, measurement: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": qid,
        "text": f"¿Pregunta {qid}?",
        "help": f"Ayuda de {qid}.",
        "measurement": measurement,
        **extra,
    }


def _recommendation(*components: str) -> dict[str, Any]:
    return {
        "next_step": "Formule un plan con metas.",
        "accompaniment": "MinTIC puede acompañarle.",
        "cofinancing": list(components),
    }


def questionnaire_raw() -> dict[str, Any]:
    """A fresh valid raw questionnaire (see the module docstring for its numbers)."""
    percent = {
        "unit": "%",
        "min": 0,
        "max": 100,
        "bands": [
            {"from": 0, "score": 0},
            {"from": 20, "score": 40},
            {"from": 60, "score": 80},
            {"from": 90, "score": 100},
        ],
    }
    # Hours without service: more is worse, so band scores go down.
    hours = {
        "unit": "horas",
        "min": 0,
        "bands": [
            {"from": 0, "score": 100},
            {"from": 2, "score": 50},
            {"from": 8, "score": 0},
        ],
    }
    return {
        "id": "prueba",
        "version": "0.1",
        "title": "Cuestionario de prueba",
        "label": "autodiagnóstico orientativo",
        "label_note": "Resultado orientativo.",
        "measurements": [
            {"id": "capacidades", "name": "Capacidades", "weight": 0.5},
            {"id": "resultados", "name": "Resultados", "weight": 0.3},
            {"id": "percepcion", "name": "Percepción", "weight": 0.2},
        ],
        "axes": [
            {"id": "datos", "name": "Datos"},
            {"id": "conectividad", "name": "Conectividad"},
        ],
        "cofinancing_components": [
            {"id": "equipos", "name": "Equipos"},
            {"id": "formacion", "name": "Formación"},
        ],
        "levels": [
            {"id": "inicial", "name": "Inicial", "min_score": 0, "description": "Inicial."},
            {"id": "basico", "name": "Básico", "min_score": 25, "description": "Básico."},
            {"id": "intermedio", "name": "Intermedio", "min_score": 50, "description": "Medio."},
            {"id": "avanzado", "name": "Avanzado", "min_score": 75, "description": "Avanzado."},
        ],
        "dimensions": [
            {
                "id": "gobernanza",
                "name": "Gobernanza",
                "weight": "1/3",
                "subdimensions": [
                    {
                        "id": "gob-servicios",
                        "name": "Servicios digitales",
                        "weight": 0.75,
                        "recommendation": _recommendation("equipos"),
                        "questions": [
                            _question(
                                "GOB-SER-01",
                                "capacidades",
                                axes=["datos"],
                                options=_options(no=0, parcial=50, si=100),
                            ),
                            _question(
                                "GOB-SER-02",
                                "capacidades",
                                axes=["datos", "conectividad"],
                                applies_to="alcaldia",
                                options=_options(no=0, si=100),
                            ),
                            _question(
                                "GOB-SER-03", "resultados", axes=["conectividad"], figure=percent
                            ),
                        ],
                    },
                    {
                        "id": "gob-datos",
                        "name": "Datos abiertos",
                        "weight": 0.25,
                        "recommendation": _recommendation("formacion"),
                        "questions": [
                            _question(
                                "GOB-DAT-01",
                                "capacidades",
                                options=_options(bajo=0, medio=60, alto=100),
                            ),
                        ],
                    },
                ],
            },
            {
                "id": "habitat",
                "name": "Hábitat",
                "weight": "2/3",
                "subdimensions": [
                    {
                        "id": "hab-movilidad",
                        "name": "Movilidad",
                        "weight": "2/5",
                        "recommendation": _recommendation("equipos", "formacion"),
                        "questions": [
                            _question(
                                "HAB-MOV-01",
                                "capacidades",
                                axes=["conectividad"],
                                options=_options(a=0, b=30, c=70, d=100),
                            ),
                            _question(
                                "HAB-MOV-02",
                                "capacidades",
                                applies_to="gobernacion",
                                options=_options(no=0, si=100),
                            ),
                        ],
                    },
                    {
                        "id": "hab-servicios",
                        "name": "Servicios públicos",
                        "weight": "3/5",
                        "recommendation": _recommendation("equipos"),
                        "questions": [
                            _question("HAB-SER-01", "resultados", figure=hours),
                            _question("HAB-SER-02", "capacidades", options=_options(no=0, si=100)),
                        ],
                    },
                ],
            },
        ],
        "perception": {
            "title": "Encuesta ciudadana",
            "intro": "Califique su territorio.",
            "items": [
                {
                    "id": "PER-01",
                    "subdimension": "gob-servicios",
                    "text": "Los trámites en línea funcionan.",
                    "options": _options(mal=0, regular=50, bien=100),
                },
                {
                    "id": "PER-02",
                    "subdimension": "hab-servicios",
                    "text": "Los servicios públicos son buenos.",
                    "options": _options(mal=0, bien=100),
                },
            ],
        },
    }


def build(raw: Mapping[str, Any] | None = None) -> Questionnaire:
    """Validate `raw` (default: the factory questionnaire) the way the loader does."""
    return parse_questionnaire(dict(raw) if raw is not None else questionnaire_raw(), Path("<f>"))


def write_yaml(directory: Path, raw: Any, name: str = "cuestionario.yml") -> Path:
    """Write `raw` as a YAML file (Spanish text kept readable) and return its path."""
    path = directory / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def node(raw: Any, ident: str) -> dict[str, Any]:
    """The first mapping in `raw` (depth first) whose id is `ident`, for a test to change."""
    for found in _walk(raw):
        if found.get("id") == ident:
            return found
    raise KeyError(ident)


def answers(raw: Mapping[str, str | float]) -> dict[str, Answer]:
    """Answers from their stored form: option id, number, "no_se" or "omitida"."""
    return {item_id: Answer.parse(value) for item_id, value in raw.items()}
