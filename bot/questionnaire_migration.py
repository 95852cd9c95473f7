"""Carrying an assessment's answers from one questionnaire version to another, by a mapping file.

The mapping file (YAML) names each old question's new id, and optionally how its options are
renamed; a question mapped to nothing is dropped on purpose:

    from: "1.0.0"              # the versions it was written for (checked)
    to: "2.0.0"
    questions:
      PER-EDU-01: PER-EDU-01   # same id, same options
      PER-EDU-02: D0-2         # renamed; options and figures carried as they are
      GOB-DAT-03:
        to: GOB-DAT-01
        options: {parcial: en_proceso, b: c}  # old option id -> new option id
      HAB-MOV-02: null         # no equivalent: reported as dropped

`plan` is pure: (mapping, answers) -> what is carried and what is not, with the reason. An
answer the mapping does not carry stays in the old version's history and is always reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.scoring import Answer
from dialogues.messages import Catalog
from dialogues.questionnaire import Question, Questionnaire

MAX_MAP_BYTES = 1_000_000  # a mapping of a few hundred questions is a few kilobytes
_TEXTS = Path(__file__).resolve().parents[1] / "data" / "templates" / "questionnaire.yml"


@cache
def _texts() -> Catalog:
    return Catalog.load(_TEXTS)


def say(key: str, **params: object) -> str:
    """The text `questionnaire.migrate.<key>`."""
    return _texts().render(f"questionnaire.migrate.{key}", **params)


class MappingError(Exception):
    """A mapping file that cannot be used; `str()` is one line naming the file and the place."""

    def __init__(self, path: Path, where: str, reason: str) -> None:
        super().__init__(f"{path}: {where}: {reason}" if where else f"{path}: {reason}")


@dataclass(frozen=True, slots=True)
class Target:
    question: str  # the new id
    options: Mapping[str, str]  # old option id -> new option id (others keep their id)


@dataclass(frozen=True, slots=True)
class QuestionMap:
    old: Questionnaire
    new: Questionnaire
    targets: Mapping[str, Target | None]  # None: dropped on purpose


@dataclass(frozen=True, slots=True)
class Plan:
    carried: dict[str, tuple[str, Answer]]  # new id -> (old id, the answer as it will be)
    unmapped: list[tuple[str, str]]  # (old id, why it is not carried)


def _question(q: Questionnaire, qid: str) -> Question | None:
    entry = q.question_index.get(qid)
    return entry[2] if entry else None


def parse_mapping(raw: Any, path: Path, old: Questionnaire, new: Questionnaire) -> QuestionMap:
    """Validate an already-read mapping against both versions (ids and options must exist)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("questions"), dict):
        raise MappingError(path, "", say("no_questions"))
    for key, q in (("from", old), ("to", new)):
        if key in raw and str(raw[key]) != q.version:
            raise MappingError(path, key, say("wrong_version", given=raw[key], loaded=q.version))
    targets: dict[str, Target | None] = {}
    seen: dict[str, str] = {}
    for old_id, spec in raw["questions"].items():
        where = f"questions.{old_id}"
        question = _question(old, str(old_id))
        if question is None:
            raise MappingError(path, where, say("unknown_old", version=old.version))
        if spec is None:
            targets[question.id] = None
            continue
        options: dict[str, str] = {}
        if isinstance(spec, dict):
            extra = set(spec) - {"to", "options"}
            if extra or "to" not in spec:
                raise MappingError(path, where, say("bad_entry"))
            raw_options = spec.get("options") or {}
            if not isinstance(raw_options, dict):
                raise MappingError(path, f"{where}.options", say("bad_options"))
            options = {str(k): str(v) for k, v in raw_options.items()}
            spec = spec["to"]
        if not isinstance(spec, str | int):
            raise MappingError(path, where, say("bad_entry"))
        target = _question(new, str(spec))
        if target is None:
            raise MappingError(path, where, say("unknown_new", id=spec, version=new.version))
        if target.id in seen:
            raise MappingError(
                path, where, say("repeated_target", id=target.id, other=seen[target.id])
            )
        seen[target.id] = question.id
        for old_option, new_option in options.items():
            if question.option(old_option) is None:
                raise MappingError(path, f"{where}.options", say("unknown_option", id=old_option))
            if target.option(new_option) is None:
                raise MappingError(path, f"{where}.options", say("unknown_option", id=new_option))
        targets[question.id] = Target(target.id, options)
    return QuestionMap(old, new, targets)


def read_mapping(path: Path, old: Questionnaire, new: Questionnaire) -> QuestionMap:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_MAP_BYTES + 1)
    except OSError as exc:
        raise MappingError(path, "", say("unreadable", error=exc.strerror or exc)) from None
    if len(data) > MAX_MAP_BYTES:
        raise MappingError(path, "", say("too_big", limit=MAX_MAP_BYTES))
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(path, "", say("not_yaml", error=str(exc).splitlines()[0])) from None
    return parse_mapping(raw, path, old, new)


def _carry(answer: Answer, target: Target, question: Question) -> Answer | str:
    """The answer as the new question takes it, or why it cannot be carried."""
    if answer.kind in ("dont_know", "skipped"):
        return answer
    if answer.kind == "option" and question.options is not None:
        option = target.options.get(answer.option or "", answer.option or "")
        if question.option(option) is None:
            return say("no_option", option=answer.option)
        return Answer("option", option=option)
    if answer.kind == "figure" and question.figure is not None:
        if answer.value is None or not question.figure.accepts(answer.value):
            return say("out_of_range", value=answer.value)
        return answer
    return say("other_kind")


def plan(mapping: QuestionMap, answers: Mapping[str, Answer]) -> Plan:
    """What each stored answer becomes under the new version."""
    carried: dict[str, tuple[str, Answer]] = {}
    unmapped: list[tuple[str, str]] = []
    for old_id, answer in sorted(answers.items()):
        if old_id not in mapping.targets:
            unmapped.append((old_id, say("not_in_map")))
            continue
        target = mapping.targets[old_id]
        if target is None:
            unmapped.append((old_id, say("dropped")))
            continue
        question = _question(mapping.new, target.question)
        assert question is not None  # checked by parse_mapping
        result = _carry(answer, target, question)
        if isinstance(result, str):
            unmapped.append((old_id, result))
        else:
            carried[target.question] = (old_id, result)
    return Plan(carried, unmapped)
