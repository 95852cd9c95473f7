"""The answers file: one entity's answers as YAML, for demos, benchmarks and `cti report`.

    questionnaire: cti-mm-v1      # the questionnaire id
    version: "1.0.0"              # the version the answers were given against
    entity: "05001"               # optional DANE code, always quoted
    answers:
      PER-EDU-01: adoptado        # an option id
      PER-EDU-02: 62.5            # a figure, in the question's unit
      PER-INC-01: no_se           # "no sé": scores nothing, lowers coverage
      PER-INC-02: omitida         # skipped (the same as leaving the question out)

Perception items (the citizen survey) may be answered in the same mapping. Every problem becomes
one `AnswersFileError` whose text names the file and the question.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.scoring import Answer
from dialogues.questionnaire import (
    DONT_KNOW,
    SKIPPED,
    Figure,
    Kind,
    Option,
    Questionnaire,
)

KEYS = ("questionnaire", "version", "entity", "answers")
_DANE_CODE = re.compile(r"^(\d{2}|\d{5})$")
_KIND_NAMES: dict[str, str] = {"alcaldia": "una alcaldía", "gobernacion": "una gobernación"}

# How `sample_answers` leaves gaps, so demos show coverage below 100 %.
DONT_KNOW_SHARE = 0.06
SKIPPED_SHARE = 0.06


@dataclass(frozen=True, slots=True)
class AnswersFile:
    questionnaire: str
    version: str
    answers: Mapping[str, Answer] = field(default_factory=dict)
    entity: str | None = None


class AnswersFileError(Exception):
    """An answers file that cannot be used; `str()` is one line naming the file and the place."""

    def __init__(self, path: Path | str, where: str, reason: str) -> None:
        self.path, self.where, self.reason = path, where, reason
        super().__init__(f"{path}: {where}: {reason}" if where else f"{path}: {reason}")


class _UniqueKeyLoader(yaml.SafeLoader):
    """Refuses a question answered twice (plain PyYAML would keep the last answer silently)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"clave repetida {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _option_list(options: tuple[Option, ...]) -> str:
    return ", ".join([o.id for o in options] + [DONT_KNOW, SKIPPED])


def _figure_range(figure: Figure) -> str:
    upper = "sin máximo" if figure.max is None else f"hasta {figure.max:g}"
    return f"desde {figure.min:g} {upper} ({figure.unit})"


def answer_problem(
    questionnaire: Questionnaire, item_id: str, raw: Any, kind: Kind | None = None
) -> str | None:
    """Why `raw` is not a valid answer to `item_id` (for `kind`, if given), or None if it is."""
    found = questionnaire.question_index.get(item_id)
    question = found[2] if found is not None else None
    asked = question if question is not None else questionnaire.perception_index.get(item_id)
    if asked is None:
        return f"pregunta desconocida en {questionnaire.id} {questionnaire.version}"
    if raw is None:
        return f"respuesta vacía; escriba una respuesta, {DONT_KNOW} u {SKIPPED}"
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return "la respuesta debe ser un id de opción, una cifra, no_se u omitida"
    if question is not None and kind is not None and not question.applies(kind):
        return f"esta pregunta no aplica a {_KIND_NAMES[kind]}; quítela del archivo"
    if raw in (DONT_KNOW, SKIPPED):
        return None
    options = asked.options
    figure = question.figure if question is not None else None
    if options is not None:
        if not isinstance(raw, str):
            return f"se responde con una opción, no con una cifra; use: {_option_list(options)}"
        if not any(o.id == raw for o in options):
            return f"opción desconocida {raw!r}; use: {_option_list(options)}"
        return None
    assert figure is not None  # a question has options or a figure
    if isinstance(raw, str):
        return f"se responde con una cifra {_figure_range(figure)}, {DONT_KNOW} u {SKIPPED}"
    if not math.isfinite(raw) or not figure.accepts(float(raw)):
        return f"cifra fuera de rango: {raw:g}; se admite {_figure_range(figure)}"
    return None


def parse_answers(
    raw: Any, questionnaire: Questionnaire, path: Path | str, kind: Kind | None = None
) -> AnswersFile:
    """Validate an already-parsed answers file against the questionnaire (and the entity kind)."""
    if not isinstance(raw, dict):
        raise AnswersFileError(path, "", "el archivo debe ser un mapa YAML con 'answers'")
    unknown = [str(k) for k in raw if k not in KEYS]
    if unknown:
        raise AnswersFileError(path, str(unknown[0]), f"campo desconocido; use {', '.join(KEYS)}")
    for key in ("questionnaire", "version"):
        if key not in raw:
            raise AnswersFileError(path, key, "falta este campo")
    qid, version = str(raw["questionnaire"]), str(raw["version"])
    if qid != questionnaire.id:
        raise AnswersFileError(
            path,
            "questionnaire",
            f"el archivo es del cuestionario {qid!r}, pero el cargado es {questionnaire.id!r}",
        )
    if version != questionnaire.version:
        raise AnswersFileError(
            path,
            "version",
            f"las respuestas son de la versión {version!r}, pero la cargada es "
            f"{questionnaire.version!r}",
        )
    entity = raw.get("entity")
    if entity is not None and not (isinstance(entity, str) and _DANE_CODE.match(entity)):
        raise AnswersFileError(
            path,
            "entity",
            'código DANE no válido: escriba 2 o 5 dígitos entre comillas, p. ej. entity: "05001"',
        )
    answers_raw = raw.get("answers") or {}
    if not isinstance(answers_raw, dict):
        raise AnswersFileError(path, "answers", "debe ser un mapa 'id de pregunta: respuesta'")
    answers: dict[str, Answer] = {}
    for key, value in answers_raw.items():
        item_id = str(key)
        problem = answer_problem(questionnaire, item_id, value, kind)
        if problem:
            raise AnswersFileError(path, f"pregunta {item_id}", problem)
        answers[item_id] = Answer.parse(value)
    return AnswersFile(qid, version, answers, entity)


def check_kind(
    file: AnswersFile, questionnaire: Questionnaire, kind: Kind, path: Path | str
) -> None:
    """Refuse answers to questions that do not apply to the entity's kind."""
    for item_id, answer in file.answers.items():
        problem = answer_problem(questionnaire, item_id, answer.dump(), kind)
        if problem:
            raise AnswersFileError(path, f"pregunta {item_id}", problem)


def read_answers(path: Path, questionnaire: Questionnaire, kind: Kind | None = None) -> AnswersFile:
    """Read and validate one answers file; every problem is an `AnswersFileError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AnswersFileError(path, "", "el archivo no existe") from None
    except UnicodeDecodeError:
        raise AnswersFileError(path, "", "el archivo no está en UTF-8") from None
    except OSError as exc:
        raise AnswersFileError(path, "", f"no se puede leer ({exc.strerror or exc})") from None
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"línea {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "estructura no reconocida"
        raise AnswersFileError(path, where, f"YAML no válido: {problem}") from None
    return parse_answers(raw, questionnaire, path, kind)


def _plain(answer: Answer) -> str | int | float:
    value = answer.dump()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def dump_answers(file: AnswersFile, questionnaire: Questionnaire) -> str:
    """YAML text with the answers in questionnaire order (perception items last)."""
    order = {
        qid: i
        for i, qid in enumerate([*questionnaire.question_index, *questionnaire.perception_index])
    }
    answers = {
        qid: _plain(file.answers[qid])
        for qid in sorted(file.answers, key=lambda q: order.get(q, len(order)))
    }
    doc: dict[str, Any] = {"questionnaire": file.questionnaire, "version": file.version}
    if file.entity is not None:
        doc["entity"] = file.entity
    doc["answers"] = answers
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def write_answers(path: Path, file: AnswersFile, questionnaire: Questionnaire) -> None:
    path.write_text(dump_answers(file, questionnaire), encoding="utf-8")


def _pick(n: int, target: float, rng: random.Random) -> int:
    """An index in 0..n-1 near `target` (0..1), with some noise."""
    return max(0, min(n - 1, round(target * (n - 1) + rng.gauss(0, 0.7))))


def _sample_figure(figure: Figure, target: float, rng: random.Random) -> float:
    """A value inside a band chosen by score, so `target` drives figures as it drives options."""
    bands = sorted(range(len(figure.bands)), key=lambda i: figure.bands[i].score)
    i = bands[_pick(len(bands), target, rng)]
    low = figure.bands[i].from_
    if i + 1 < len(figure.bands):
        high = figure.bands[i + 1].from_
    else:
        high = figure.max if figure.max is not None else low + max(abs(low), 10.0)
    value = round(rng.uniform(low, high), 1)
    upper = figure.max if figure.max is not None else value
    return min(max(value, figure.min), upper)


def _outcome(rng: random.Random) -> str:
    """'answer', DONT_KNOW, SKIPPED (written in the file) or 'absent' (left out)."""
    roll = rng.random()
    if roll < DONT_KNOW_SHARE:
        return DONT_KNOW
    if roll < DONT_KNOW_SHARE + SKIPPED_SHARE:
        return SKIPPED if rng.random() < 0.5 else "absent"
    return "answer"


def sample_answers(
    questionnaire: Questionnaire, kind: Kind, rng: random.Random, *, perception: bool = False
) -> dict[str, Answer]:
    """A plausible answers mapping: each subdimension has its own level, with gaps.

    Deterministic for a seeded `rng`. About 6 % "no sé" and 6 % skipped (half of those written
    as `omitida`, half left out). Perception items only when `perception` is true.
    """
    out: dict[str, Answer] = {}
    targets = {s.id: rng.random() for _, s in questionnaire.iter_subdimensions()}
    for _, sub in questionnaire.iter_subdimensions():
        for q in sub.questions:
            if not q.applies(kind):
                continue
            outcome = _outcome(rng)
            if outcome != "answer":
                if outcome != "absent":
                    out[q.id] = Answer.parse(outcome)
                continue
            if q.options is not None:
                ranked = sorted(q.options, key=lambda o: o.score)
                pick = ranked[_pick(len(ranked), targets[sub.id], rng)]
                out[q.id] = Answer("option", option=pick.id)
            else:
                assert q.figure is not None
                out[q.id] = Answer("figure", value=_sample_figure(q.figure, targets[sub.id], rng))
    items = questionnaire.perception.items if questionnaire.perception and perception else ()
    for item in items:
        outcome = _outcome(rng)
        if outcome != "answer":
            if outcome != "absent":
                out[item.id] = Answer.parse(outcome)
            continue
        ranked = sorted(item.options, key=lambda o: o.score)
        out[item.id] = Answer(
            "option", option=ranked[_pick(len(ranked), targets[item.subdimension], rng)].id
        )
    return out
