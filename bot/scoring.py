"""Scores as pure functions of (questionnaire, entity kind, answers).

How unanswered questions count (the rule the report states too):

* An *option* answer scores that option's 0-100 value; a *figure* answer scores its band.
* "No sé" (`DONT_KNOW`) is a final answer that scores nothing: the question is left out of
  every mean and counts as *not answered* for coverage. Skipped questions (`SKIPPED`, or simply
  absent) are treated the same way for scoring; the conversation asks skipped ones again at review.
  Counting them as zero would punish honesty, so we show coverage beside every score instead.
* Questions that do not apply to the entity's kind (alcaldía / gobernación) are not counted at all.
* Subdimension: for each measurement with answers, the mean of its answered items; those means are
  combined with the measurements' weights, renormalised over the measurements that have answers.
* Dimension: weighted mean of its subdimensions that have a score (weights renormalised).
* Overall: weighted mean of the dimensions that have a score (weights renormalised).
* Measurement (capacidades / resultados / percepcion): the same dimension and subdimension weights
  applied to that measurement's items only.
* Every aggregate is a weighted mean with fixed positive weights over the set of answered items, so
  a better answer can never lower any score, and the order of answers never matters.
* Coverage = answered applicable items / applicable items, exactly, as a Fraction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from dialogues.questionnaire import (
    DONT_KNOW,
    SKIPPED,
    Kind,
    Level,
    MeasurementId,
    Question,
    Questionnaire,
)

AnswerKind = Literal["option", "figure", "dont_know", "skipped"]


@dataclass(frozen=True, slots=True)
class Answer:
    """One stored answer: an option id, a figure, "no sé" or skipped."""

    kind: AnswerKind
    option: str | None = None
    value: float | None = None

    @classmethod
    def parse(cls, raw: str | float | int) -> Answer:
        """From the answers-file / database representation."""
        if isinstance(raw, bool):
            raise ValueError("una respuesta no puede ser verdadero/falso")
        if isinstance(raw, int | float):
            return cls("figure", value=float(raw))
        text = str(raw).strip()
        if text == DONT_KNOW:
            return cls("dont_know")
        if text == SKIPPED:
            return cls("skipped")
        return cls("option", option=text)

    def dump(self) -> str | float:
        match self.kind:
            case "option":
                assert self.option is not None
                return self.option
            case "figure":
                assert self.value is not None
                return self.value
            case "dont_know":
                return DONT_KNOW
            case "skipped":
                return SKIPPED

    @property
    def counts(self) -> bool:
        """Whether this answer enters scores and coverage."""
        return self.kind in ("option", "figure")


class InvalidAnswer(ValueError):
    """An answer that does not fit its question (unknown option, figure out of range...)."""


def item_score(question: Question, answer: Answer) -> float | None:
    """0-100 for a counted answer, None for "no sé"/skipped; raises InvalidAnswer if it misfits."""
    if answer.kind in ("dont_know", "skipped"):
        return None
    if answer.kind == "option":
        opt = question.option(answer.option or "")
        if opt is None:
            raise InvalidAnswer(f"{question.id}: opción desconocida {answer.option!r}")
        return opt.score
    if question.figure is None or answer.value is None:
        raise InvalidAnswer(f"{question.id}: esta pregunta se responde con una opción")
    if not question.figure.accepts(answer.value):
        raise InvalidAnswer(f"{question.id}: valor fuera de rango {answer.value:g}")
    return question.figure.score_of(answer.value)


@dataclass(frozen=True, slots=True)
class Score:
    """A score (None when nothing was answered) with its exact coverage."""

    value: float | None
    answered: int
    applicable: int

    @property
    def coverage(self) -> Fraction:
        return Fraction(self.answered, self.applicable) if self.applicable else Fraction(0)


@dataclass(frozen=True, slots=True)
class SubdimensionScore:
    id: str
    name: str
    dimension_id: str
    score: Score
    by_measurement: Mapping[MeasurementId, Score]


@dataclass(frozen=True, slots=True)
class DimensionScore:
    id: str
    name: str
    score: Score
    level: Level | None
    subdimensions: tuple[SubdimensionScore, ...]
    by_measurement: Mapping[MeasurementId, Score]


@dataclass(frozen=True, slots=True)
class Scores:
    questionnaire_id: str
    questionnaire_version: str
    kind: Kind
    overall: Score
    level: Level | None
    dimensions: tuple[DimensionScore, ...]
    measurements: Mapping[str, Score]
    axes: Mapping[str, Score] = field(default_factory=dict)

    def subdimensions(self) -> tuple[SubdimensionScore, ...]:
        return tuple(s for d in self.dimensions for s in d.subdimensions)

    def ranked(self) -> tuple[SubdimensionScore, ...]:
        """Scored subdimensions from strongest to weakest (ties by questionnaire order)."""
        scored = [s for s in self.subdimensions() if s.score.value is not None]
        order = {s.id: i for i, s in enumerate(self.subdimensions())}
        return tuple(sorted(scored, key=lambda s: (-(s.score.value or 0), order[s.id])))


def _weighted_mean(pairs: Iterable[tuple[Fraction, float | None]]) -> float | None:
    present = [(w, v) for w, v in pairs if v is not None]
    total = sum((w for w, _ in present), Fraction(0))
    if not present or total == 0:
        return None
    return float(sum(w * Fraction(v) for w, v in present) / total)


def _mean(values: list[float]) -> float | None:
    return float(sum(Fraction(v) for v in values) / len(values)) if values else None


def _items(
    questionnaire: Questionnaire, kind: Kind
) -> list[tuple[str, str, MeasurementId, tuple[str, ...], str]]:
    """(item id, subdimension id, measurement, axes, kind of item) for every applicable item."""
    rows = [
        (q.id, s.id, q.measurement, q.axes, "question")
        for _, s in questionnaire.iter_subdimensions()
        for q in s.questions
        if q.applies(kind)
    ]
    if questionnaire.perception:
        rows += [
            (i.id, i.subdimension, "percepcion", (), "perception")
            for i in questionnaire.perception.items
        ]
    return rows


def item_scores(
    questionnaire: Questionnaire, kind: Kind, answers: Mapping[str, Answer]
) -> dict[str, float | None]:
    """Score of every applicable item (None when not counted). Unknown ids raise InvalidAnswer."""
    known = questionnaire.question_index
    perception = questionnaire.perception_index
    for qid in answers:
        if qid not in known and qid not in perception:
            raise InvalidAnswer(f"pregunta desconocida {qid!r}")
    out: dict[str, float | None] = {}
    for item_id, _, _, _, what in _items(questionnaire, kind):
        answer = answers.get(item_id)
        if answer is None:
            out[item_id] = None
        elif what == "question":
            out[item_id] = item_score(known[item_id][2], answer)
        elif answer.kind == "option":
            opt = next((o for o in perception[item_id].options if o.id == answer.option), None)
            if opt is None:
                raise InvalidAnswer(f"{item_id}: opción desconocida {answer.option!r}")
            out[item_id] = opt.score
        elif answer.kind in ("dont_know", "skipped"):
            out[item_id] = None
        else:
            raise InvalidAnswer(f"{item_id}: los ítems de percepción se responden con una opción")
    return out


def level_of(questionnaire: Questionnaire, value: float | None) -> Level | None:
    """The maturity level a score falls in; None without a score (nothing answered)."""
    return None if value is None else questionnaire.level_for(value)


def score(questionnaire: Questionnaire, kind: Kind, answers: Mapping[str, Answer]) -> Scores:
    """Every score of one assessment. Pure: same inputs, same result, whatever the answer order."""
    per_item = item_scores(questionnaire, kind, answers)
    items = _items(questionnaire, kind)
    m_weight = {m.id: m.weight for m in questionnaire.measurements}
    measurement_ids = [m.id for m in questionnaire.measurements]

    # Per subdimension and measurement: the answered item scores, and the applicable count.
    values: dict[tuple[str, str], list[float]] = {}
    applicable: dict[tuple[str, str], int] = {}
    axis_values: dict[str, list[float]] = {}
    axis_applicable: dict[str, int] = {}
    for item_id, sub_id, meas, axes, _ in items:
        key = (sub_id, meas)
        applicable[key] = applicable.get(key, 0) + 1
        value = per_item[item_id]
        if value is not None:
            values.setdefault(key, []).append(value)
        for axis in axes:
            axis_applicable[axis] = axis_applicable.get(axis, 0) + 1
            if value is not None:
                axis_values.setdefault(axis, []).append(value)

    def cell(sub_id: str, meas: str) -> Score:
        got = values.get((sub_id, meas), [])
        return Score(_mean(got), len(got), applicable.get((sub_id, meas), 0))

    def combine(scores: list[tuple[Fraction, Score]]) -> Score:
        return Score(
            _weighted_mean((w, s.value) for w, s in scores),
            sum(s.answered for _, s in scores),
            sum(s.applicable for _, s in scores),
        )

    dimensions: list[DimensionScore] = []
    dim_by_meas: dict[str, list[tuple[Fraction, Score]]] = {m: [] for m in measurement_ids}
    for dim in questionnaire.dimensions:
        subs: list[SubdimensionScore] = []
        sub_by_meas: dict[str, list[tuple[Fraction, Score]]] = {m: [] for m in measurement_ids}
        for sub in dim.subdimensions:
            cells = {m: cell(sub.id, m) for m in measurement_ids}
            for m, c in cells.items():
                sub_by_meas[m].append((sub.weight, c))
            subs.append(
                SubdimensionScore(
                    sub.id,
                    sub.name,
                    dim.id,
                    combine([(m_weight[m], c) for m, c in cells.items()]),
                    cells,
                )
            )
        dim_meas = {m: combine(sub_by_meas[m]) for m in measurement_ids}
        for m, s in dim_meas.items():
            dim_by_meas[m].append((dim.weight, s))
        dim_score = combine(
            [(sub.weight, s.score) for sub, s in zip(dim.subdimensions, subs, strict=True)]
        )
        dimensions.append(
            DimensionScore(
                dim.id,
                dim.name,
                dim_score,
                level_of(questionnaire, dim_score.value),
                tuple(subs),
                dim_meas,
            )
        )

    overall = combine(
        [(d.weight, ds.score) for d, ds in zip(questionnaire.dimensions, dimensions, strict=True)]
    )
    return Scores(
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        kind=kind,
        overall=overall,
        level=level_of(questionnaire, overall.value),
        dimensions=tuple(dimensions),
        measurements={m: combine(dim_by_meas[m]) for m in measurement_ids},
        axes={
            a.id: Score(
                _mean(axis_values.get(a.id, [])),
                len(axis_values.get(a.id, [])),
                axis_applicable.get(a.id, 0),
            )
            for a in questionnaire.axes
        },
    )
