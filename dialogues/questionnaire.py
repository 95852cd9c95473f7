"""The maturity questionnaire as validated, immutable data.

The YAML file is the single source of truth about the model: dimensions, subdimensions, enabling
axes, measurements, questions, weights, maturity levels and the "orientativo" label. Nothing about
the model lives in Python. `load_questionnaire` turns a broken file into one `QuestionnaireError`
naming the file, the path inside it and the reason, so start-up never shows a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from fractions import Fraction
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    model_validator,
)

from dialogues.messages import Catalog

log = logging.getLogger(__name__)

# Reserved answer words: an option may not use them as its id (see `Answer` in bot.scoring).
DONT_KNOW = "no_se"
SKIPPED = "omitida"
RESERVED_OPTION_IDS = frozenset({DONT_KNOW, SKIPPED})

# The loader's messages are read by MinTIC staff, so they are Spanish texts kept with the others.
_TEXTS = Path(__file__).resolve().parents[1] / "data" / "templates" / "questionnaire.yml"


@cache
def _texts() -> Catalog:
    return Catalog.load(_TEXTS)


def _say(key: str, **params: object) -> str:
    """The loader's message `questionnaire.<key>`."""
    return _texts().render(f"questionnaire.{key}", **params)


Kind = Literal["alcaldia", "gobernacion"]
AppliesTo = Literal["alcaldia", "gobernacion", "ambos"]
MeasurementId = Literal["capacidades", "resultados", "percepcion"]
ProvisionalPart = Literal["levels", "axes"]
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=40)]
Score = Annotated[float, Field(ge=0, le=100)]
Loc = tuple[int | str, ...]


class _Invalid(ValueError):
    """A validation error that knows where it is, relative to the model that raises it.

    Pydantic locates a model validator's error at the model itself; `parse_questionnaire` appends
    this `loc` so the message points at the offending field (e.g. the second copy of an id).
    """

    def __init__(self, loc: Loc, reason: str) -> None:
        super().__init__(reason)
        self.loc = loc


def _to_fraction(value: Any) -> Fraction:
    """Weights are exact rationals ("1/6", 0.25, 2) so "they sum to 1" is an exact check."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise ValueError(_say("weight.boolean"))
    if isinstance(value, int | float | str):
        try:
            weight = Fraction(str(value).strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(_say("weight.invalid_hint", value=repr(value))) from None
        if weight <= 0:
            raise ValueError(_say("weight.not_positive", value=repr(value)))
        return weight
    raise ValueError(_say("weight.invalid", value=repr(value)))


Weight = Annotated[
    Fraction,
    BeforeValidator(_to_fraction),
    PlainSerializer(lambda f: str(f), return_type=str),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Option(_Model):
    """One graded option: a concrete state of the entity, mapped to a score."""

    id: Id
    text: str = Field(min_length=1)
    score: Score


class Band(_Model):
    """Values from `from_` (inclusive) up to the next band's start score `score`."""

    from_: float = Field(alias="from")
    score: Score


class Figure(_Model):
    """A figure the entity reports (a rate, a share, a count), scored by bands."""

    unit: str = Field(min_length=1)
    min: float
    max: float | None = None
    bands: tuple[Band, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _bands_cover_range(self) -> Figure:
        starts = [b.from_ for b in self.bands]
        if starts[0] != self.min:
            raise _Invalid(("bands", 0, "from"), _say("figure.first_band", min=f"{self.min:g}"))
        for i in range(1, len(starts)):
            if not starts[i] > starts[i - 1]:
                raise _Invalid(
                    ("bands", i, "from"),
                    _say("figure.band_order"),
                )
        if self.max is not None and (self.max <= self.min or starts[-1] > self.max):
            raise _Invalid(("max",), _say("figure.max"))
        return self

    def score_of(self, value: float) -> float:
        """The score of the last band whose start is <= value (value already range-checked)."""
        chosen = self.bands[0].score
        for band in self.bands:
            if value >= band.from_:
                chosen = band.score
        return chosen

    def accepts(self, value: float) -> bool:
        return value >= self.min and (self.max is None or value <= self.max)


class Question(_Model):
    id: Id
    text: str = Field(min_length=1)
    help: str = Field(min_length=1)
    measurement: MeasurementId
    axes: tuple[Id, ...] = ()
    applies_to: AppliesTo = "ambos"
    options: tuple[Option, ...] | None = None
    figure: Figure | None = None

    @model_validator(mode="after")
    def _options_xor_figure(self) -> Question:
        if (self.options is None) == (self.figure is None):
            raise ValueError(_say("question.options_or_figure"))
        if self.options is not None:
            if len(self.options) < 2:
                raise _Invalid(("options",), _say("question.two_options"))
            _check_options(self.options)
        return self

    def applies(self, kind: Kind) -> bool:
        return self.applies_to in ("ambos", kind)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options or () if o.id == option_id), None)


class Recommendation(_Model):
    """What the programme offers when a subdimension is weak."""

    next_step: str = Field(min_length=1)
    accompaniment: str = Field(min_length=1)
    cofinancing: tuple[Id, ...] = Field(min_length=1)


class Subdimension(_Model):
    id: Id
    name: str = Field(min_length=1)
    weight: Weight
    recommendation: Recommendation
    questions: tuple[Question, ...] = Field(min_length=1)


class Dimension(_Model):
    id: Id
    name: str = Field(min_length=1)
    weight: Weight
    subdimensions: tuple[Subdimension, ...] = Field(min_length=1)


class Named(_Model):
    id: Id
    name: str = Field(min_length=1)
    description: str = ""


class Measurement(Named):
    id: MeasurementId
    weight: Weight


class Level(_Model):
    id: Id
    name: str = Field(min_length=1)
    min_score: Score
    description: str = Field(min_length=1)


class PerceptionItem(_Model):
    """A statement residents rate in the citizen survey; it scores its subdimension."""

    id: Id
    subdimension: Id
    text: str = Field(min_length=1)
    options: tuple[Option, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _valid_options(self) -> PerceptionItem:
        _check_options(self.options)
        return self


class PerceptionSurvey(_Model):
    title: str = Field(min_length=1)
    intro: str = Field(min_length=1)
    items: tuple[PerceptionItem, ...] = ()


class Questionnaire(_Model):
    id: Id
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    label: str = Field(min_length=1, description="'autodiagnóstico orientativo' and the like")
    label_note: str = Field(min_length=1)
    # Parts of this file that are the project's own design, not MinTIC's model: the report
    # labels them provisional. An official instrument's file leaves this out.
    provisional: tuple[ProvisionalPart, ...] = ()
    measurements: tuple[Measurement, ...] = Field(min_length=1)
    axes: tuple[Named, ...] = ()
    cofinancing_components: tuple[Named, ...] = Field(min_length=1)
    levels: tuple[Level, ...] = Field(min_length=2)
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    perception: PerceptionSurvey | None = None

    # --- derived views (cached: the model is frozen) -------------------------------------------

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Every officials' question, in questionnaire order."""
        return tuple(q for d in self.dimensions for s in d.subdimensions for q in s.questions)

    @cached_property
    def question_index(self) -> dict[str, tuple[Dimension, Subdimension, Question]]:
        return {
            q.id: (d, s, q) for d in self.dimensions for s in d.subdimensions for q in s.questions
        }

    @cached_property
    def subdimension_index(self) -> dict[str, tuple[Dimension, Subdimension]]:
        return {s.id: (d, s) for d in self.dimensions for s in d.subdimensions}

    @cached_property
    def perception_index(self) -> dict[str, PerceptionItem]:
        return {i.id: i for i in (self.perception.items if self.perception else ())}

    def questions_for(self, kind: Kind) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.applies(kind))

    def level_for(self, score: float) -> Level:
        chosen = self.levels[0]
        for level in self.levels:
            if score >= level.min_score:
                chosen = level
        return chosen

    def iter_subdimensions(self) -> Iterator[tuple[Dimension, Subdimension]]:
        for d in self.dimensions:
            for s in d.subdimensions:
                yield d, s

    # --- cross-reference checks ------------------------------------------------------------------

    @model_validator(mode="after")
    def _check_references(self) -> Questionnaire:
        dims: list[tuple[Loc, Dimension]] = [
            (("dimensions", i), d) for i, d in enumerate(self.dimensions)
        ]
        subs: list[tuple[Loc, Subdimension]] = [
            ((*loc, "subdimensions", j), s)
            for loc, d in dims
            for j, s in enumerate(d.subdimensions)
        ]
        questions: list[tuple[Loc, Question]] = [
            ((*loc, "questions", k), q) for loc, s in subs for k, q in enumerate(s.questions)
        ]
        items: list[tuple[Loc, PerceptionItem]] = [
            (("perception", "items", k), item)
            for k, item in enumerate(self.perception.items if self.perception else ())
        ]
        _check_ids("dimensions", [(loc, d.id) for loc, d in dims])
        _check_ids("subdimensions", [(loc, s.id) for loc, s in subs])
        _check_ids(
            "questions", [(loc, q.id) for loc, q in questions] + [(loc, i.id) for loc, i in items]
        )
        _check_ids(
            "measurements", [(("measurements", i), m.id) for i, m in enumerate(self.measurements)]
        )
        _check_ids("axes", [(("axes", i), a.id) for i, a in enumerate(self.axes)])
        _check_ids(
            "cofinancing_components",
            [
                (("cofinancing_components", i), c.id)
                for i, c in enumerate(self.cofinancing_components)
            ],
        )
        _check_ids("levels", [(("levels", i), lv.id) for i, lv in enumerate(self.levels)])

        _check_weights(("measurements",), [m.weight for m in self.measurements])
        _check_weights(("dimensions",), [d.weight for d in self.dimensions])
        for loc, d in dims:
            _check_weights((*loc, "subdimensions"), [s.weight for s in d.subdimensions])

        if self.levels[0].min_score != 0:
            raise _Invalid(("levels", 0, "min_score"), _say("level.first"))
        for i in range(1, len(self.levels)):
            prev, cur = self.levels[i - 1].min_score, self.levels[i].min_score
            if cur <= prev:
                raise _Invalid(
                    ("levels", i, "min_score"),
                    _say(
                        "level.unreachable",
                        id=repr(self.levels[i].id),
                        threshold=f"{cur:g}",
                        previous=f"{prev:g}",
                    ),
                )

        axes = {a.id for a in self.axes}
        components = {c.id for c in self.cofinancing_components}
        measurements = {m.id for m in self.measurements}
        for loc, s in subs:
            for c in s.recommendation.cofinancing:
                if c not in components:
                    raise _Invalid(
                        (*loc, "recommendation", "cofinancing"),
                        _say("unknown.cofinancing", id=repr(c)),
                    )
        for loc, q in questions:
            unknown = [a for a in q.axes if a not in axes]
            if unknown:
                raise _Invalid((*loc, "axes"), _say("unknown.axis", id=repr(unknown[0])))
            if q.measurement == "percepcion":
                raise _Invalid((*loc, "measurement"), _say("perception.in_questions"))
            if q.measurement not in measurements:
                raise _Invalid(
                    (*loc, "measurement"), _say("unknown.measurement", id=repr(q.measurement))
                )
        sub_ids = {s.id for _, s in subs}
        for loc, item in items:
            if item.subdimension not in sub_ids:
                raise _Invalid(
                    (*loc, "subdimension"), _say("unknown.subdimension", id=repr(item.subdimension))
                )
        if items and "percepcion" not in measurements:
            raise _Invalid(("measurements",), _say("perception.no_measurement"))
        return self


class QuestionnaireError(Exception):
    """A questionnaire file that cannot be used; `str()` is one readable line."""

    def __init__(self, path: Path, where: str, reason: str) -> None:
        self.path, self.where, self.reason = path, where, reason
        super().__init__(f"{path}: {where}: {reason}" if where else f"{path}: {reason}")


def _check_options(options: tuple[Option, ...]) -> None:
    ids = [(("options", i), o.id) for i, o in enumerate(options)]
    _check_ids("options", ids)
    for loc, oid in ids:
        if oid in RESERVED_OPTION_IDS:
            raise _Invalid((*loc, "id"), _say("option.reserved", id=repr(oid)))


def _check_ids(what: str, ids: Sequence[tuple[Loc, str]]) -> None:
    """Point at the second occurrence of the first repeated id; `what` names the collection
    (`questionnaire.collection.<what>` in the texts)."""
    seen: set[str] = set()
    for loc, ident in ids:
        if ident in seen:
            raise _Invalid(
                (*loc, "id"), _say("repeated_id", what=_say(f"collection.{what}"), id=repr(ident))
            )
        seen.add(ident)


def _check_weights(loc: Loc, weights: list[Fraction]) -> None:
    total = sum(weights, Fraction(0))
    if total != 1:
        raise _Invalid(loc, _say("weight.sum", total=str(total), approx=f"{float(total):g}"))


def _location(raw: Any, loc: Loc) -> str:
    """Turn pydantic's loc into a readable path, naming list items by their id if they have one."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
            node = node[key]
            ident = node.get("id") if isinstance(node, dict) else None
            parts.append(
                f"[{ident}]" if isinstance(ident, str | int) and ident != "" else f"[{key}]"
            )
            continue
        if isinstance(key, str) and isinstance(node, dict):
            if key not in node and key.startswith(("function-", "tagged-")):
                continue
            node = node.get(key)
            parts.append(f".{key}" if parts else key)
            continue
        if isinstance(key, str) and key.startswith(("function-", "tagged-")):
            continue
        parts.append(f".{key}" if parts else str(key))
    return "".join(parts)


def _reason(err: Any) -> str:
    """One Spanish sentence for one pydantic error."""
    kind = err["type"]
    ctx = {
        k: f"{v:g}" if isinstance(v, float) else str(v).replace(" or ", " o ")
        for k, v in (err.get("ctx") or {}).items()
    }
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if kind == "string_too_short" and ctx.get("min_length") == "1":
        return _say("pydantic.not_empty")
    if f"questionnaire.pydantic.{kind}" in _texts():
        return _say(f"pydantic.{kind}", **ctx)
    return _say("pydantic.other", message=str(err["msg"]))


def parse_questionnaire(raw: Any, path: Path) -> Questionnaire:
    """Validate already-parsed YAML; raise `QuestionnaireError` with one readable message."""
    if raw is None:
        raise QuestionnaireError(path, "", _say("file.empty"))
    if not isinstance(raw, dict):
        raise QuestionnaireError(path, "", _say("file.not_a_mapping"))
    try:
        return Questionnaire.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A list whose items failed also reports "too short" at the list itself: not a new error.
        locs = [tuple(e["loc"]) for e in errors]
        errors = [
            e
            for e, loc in zip(errors, locs, strict=True)
            if not any(len(other) > len(loc) and other[: len(loc)] == loc for other in locs)
        ] or errors
        err = errors[0]
        loc = tuple(err["loc"])
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, _Invalid):
            loc += cause.loc
        reason = _reason(err)
        if len(errors) > 1:
            reason += " " + _say("more_errors", count=len(errors) - 1)
        raise QuestionnaireError(path, _location(raw, loc), reason) from None


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a key repeated in one mapping (PyYAML keeps the last silently)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                _say("yaml.repeated_key_context"),
                node.start_mark,
                _say("yaml.repeated_key", name=repr(key)),
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# The commonest PyYAML complaints -> their key among the texts' `questionnaire.yaml.*`; anything
# else keeps PyYAML's own words.
_YAML_PROBLEMS: dict[str, str] = {
    "mapping values are not allowed here": "mapping_values",
    "found character '\\t' that cannot start any token": "tab",
    "could not find expected ':'": "expected_colon",
    "found undefined alias": "undefined_alias",
    "found unexpected end of stream": "end_of_stream",
}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        reason = _say("file.missing")
    except IsADirectoryError:
        reason = _say("file.directory")
    except PermissionError:
        reason = _say("file.permission")
    except OSError as exc:
        reason = _say("file.unreadable", error=str(exc.strerror or exc))
    except UnicodeDecodeError as exc:
        reason = _say("file.not_utf8", byte=exc.start)
    raise QuestionnaireError(path, "", reason)


def load_questionnaire(path: Path) -> Questionnaire:
    """Read and validate one questionnaire file."""
    text = _read(path)
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _say("yaml.line", number=mark.line + 1) if mark else ""
        problem = str(getattr(exc, "problem", None) or _say("yaml.unrecognised"))
        if problem in _YAML_PROBLEMS:
            problem = _say(f"yaml.{_YAML_PROBLEMS[problem]}")
        raise QuestionnaireError(path, where, _say("yaml.invalid", problem=problem)) from None
    return parse_questionnaire(raw, path)


class Versioned(Protocol):
    """A record made under one questionnaire version (an assessment)."""

    @property
    def questionnaire_id(self) -> str: ...

    @property
    def questionnaire_version(self) -> str: ...


class Questionnaires:
    """Every questionnaire version loaded at once: one is the default for new assessments, and
    an assessment keeps the version it was opened under (its answers name that version's
    questions)."""

    def __init__(self, default: Questionnaire, others: Sequence[Questionnaire] = ()) -> None:
        self.default = default
        self._by_key: dict[tuple[str, str], Questionnaire] = {}
        for q in (*others, default):
            self._by_key.setdefault((q.id, q.version), q)

    def get(self, questionnaire_id: str, version: str) -> Questionnaire | None:
        return self._by_key.get((questionnaire_id, version))

    def of(self, record: Versioned | None) -> Questionnaire:
        """The version `record` was made under; the default for none, or for a version no
        longer loaded (logged: its answers to questions the default lacks are then unseen)."""
        if record is None:
            return self.default
        found = self.get(record.questionnaire_id, record.questionnaire_version)
        if found is None:
            log.warning(
                "questionnaire %s %s is not loaded (data.questionnaires): using %s %s",
                record.questionnaire_id,
                record.questionnaire_version,
                self.default.id,
                self.default.version,
            )
            return self.default
        return found

    def __iter__(self) -> Iterator[Questionnaire]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)


def load_questionnaires(default: Path, others: Sequence[Path] = ()) -> Questionnaires:
    """The default version and the others still in use; two files with one id and version are
    refused (which of them an assessment means would be a guess)."""
    first = load_questionnaire(default)
    seen: dict[tuple[str, str], Path] = {(first.id, first.version): default}
    loaded: list[Questionnaire] = []
    for path in others:
        q = load_questionnaire(path)
        key = (q.id, q.version)
        if key in seen:
            if seen[key].resolve() == path.resolve():
                continue  # the default listed again among the others
            raise QuestionnaireError(
                path,
                "version",
                _say("version.repeated", id=q.id, version=q.version, other=seen[key]),
            )
        seen[key] = path
        loaded.append(q)
    return Questionnaires(first, loaded)
