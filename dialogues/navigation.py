"""Where a contact is in the questionnaire: pure functions over (questionnaire, kind, answers)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from dialogues.questionnaire import Dimension, Kind, Question, Questionnaire


def in_scope(
    questionnaire: Questionnaire, kind: Kind, dimensions: Collection[str] = ()
) -> list[Question]:
    """Applicable questions, in order, limited to the contact's dimensions when they chose some."""
    index = questionnaire.question_index
    return [
        q
        for q in questionnaire.questions_for(kind)
        if not dimensions or index[q.id][0].id in dimensions
    ]


def next_question(
    questionnaire: Questionnaire,
    kind: Kind,
    answered: Collection[str],
    skipped: Collection[str] = (),
    dimensions: Collection[str] = (),
) -> Question | None:
    """The first question in scope that nobody answered and this contact did not skip."""
    for q in in_scope(questionnaire, kind, dimensions):
        if q.id not in answered and q.id not in skipped:
            return q
    return None


def next_block(
    questionnaire: Questionnaire,
    kind: Kind,
    answered: Collection[str],
    skipped: Collection[str] = (),
    dimensions: Collection[str] = (),
) -> list[Question]:
    """The questions still open in the subdimension of the next question: one email's worth."""
    first = next_question(questionnaire, kind, answered, skipped, dimensions)
    if first is None:
        return []
    index = questionnaire.question_index
    sub = index[first.id][1].id
    return [
        q
        for q in in_scope(questionnaire, kind, dimensions)
        if index[q.id][1].id == sub and q.id not in answered and q.id not in skipped
    ]


def previous_question(
    questionnaire: Questionnaire, kind: Kind, current: str | None, dimensions: Collection[str] = ()
) -> Question | None:
    """The question before `current` in scope (the last one when there is no current)."""
    scope = in_scope(questionnaire, kind, dimensions)
    ids = [q.id for q in scope]
    if current in ids:
        pos = ids.index(current)
        return scope[pos - 1] if pos > 0 else None
    return scope[-1] if scope else None


@dataclass(frozen=True, slots=True)
class Position:
    number: int  # 1-based among the applicable questions
    total: int
    dimension: Dimension
    dimension_answered: int
    dimension_total: int

    @property
    def dimension_percent(self) -> int:
        return (
            round(100 * self.dimension_answered / self.dimension_total)
            if self.dimension_total
            else 0
        )


def position(
    questionnaire: Questionnaire, kind: Kind, question_id: str, answered: Collection[str]
) -> Position:
    applicable = questionnaire.questions_for(kind)
    ids = [q.id for q in applicable]
    dimension = questionnaire.question_index[question_id][0]
    in_dim = [q.id for q in applicable if questionnaire.question_index[q.id][0].id == dimension.id]
    return Position(
        number=ids.index(question_id) + 1,
        total=len(ids),
        dimension=dimension,
        dimension_answered=sum(1 for i in in_dim if i in answered),
        dimension_total=len(in_dim),
    )


def by_number(questionnaire: Questionnaire, kind: Kind, token: str) -> Question | None:
    """'12' (position among applicable questions) or a question id -> the question."""
    applicable = questionnaire.questions_for(kind)
    if token.isdigit():
        n = int(token)
        return applicable[n - 1] if 1 <= n <= len(applicable) else None
    return next((q for q in applicable if q.id == token.upper()), None)


@dataclass(frozen=True, slots=True)
class DimensionProgress:
    dimension: Dimension
    answered: int
    dont_know: int
    total: int
    missing: tuple[int, ...]  # question numbers without an answer

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


def progress(
    questionnaire: Questionnaire, kind: Kind, answered: Collection[str], dont_know: Collection[str]
) -> list[DimensionProgress]:
    """Per dimension: answered (with "no sé"), how many "no sé", and missing question numbers."""
    applicable = questionnaire.questions_for(kind)
    number = {q.id: i for i, q in enumerate(applicable, 1)}
    out = []
    for dim in questionnaire.dimensions:
        ids = [q.id for s in dim.subdimensions for q in s.questions if q.id in number]
        out.append(
            DimensionProgress(
                dimension=dim,
                answered=sum(1 for i in ids if i in answered),
                dont_know=sum(1 for i in ids if i in dont_know),
                total=len(ids),
                missing=tuple(number[i] for i in ids if i not in answered),
            )
        )
    return out
