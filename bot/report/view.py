"""What a report shows, as plain frozen data: built from `Scores`, never recomputing them.

Templates receive one `ReportView` and only format it; every choice (which subdimensions are the
strongest and weakest, which level a score falls in, which components can be co-financed) is made
here, where it can be tested without rendering.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from bot.analytics.peers import GroupAverages, PeerComparison
from bot.scoring import Score, Scores, SubdimensionScore, level_of
from bot.territory import Entity
from dialogues.questionnaire import Level, Questionnaire

TOP = 3  # how many strongest and weakest subdimensions the report lists


@dataclass(frozen=True, slots=True)
class ScoreView:
    value: float | None
    answered: int
    applicable: int
    coverage: Fraction
    level: Level | None

    @property
    def has_value(self) -> bool:
        return self.value is not None


@dataclass(frozen=True, slots=True)
class Recommendation:
    next_step: str
    accompaniment: str
    cofinancing: tuple[str, ...]  # component names, in the questionnaire's order


@dataclass(frozen=True, slots=True)
class MeasurementCell:
    id: str
    name: str
    score: ScoreView


@dataclass(frozen=True, slots=True)
class SubdimensionView:
    id: str
    name: str
    dimension_name: str
    score: ScoreView
    measurements: tuple[MeasurementCell, ...]  # every measurement; applicable=0 when none
    recommendation: Recommendation


@dataclass(frozen=True, slots=True)
class DimensionView:
    id: str
    name: str
    score: ScoreView
    subdimensions: tuple[SubdimensionView, ...]
    measurement_names: tuple[str, ...]  # the table's measurement columns


@dataclass(frozen=True, slots=True)
class NamedScore:
    id: str
    name: str
    description: str
    score: ScoreView
    weight: Fraction | None = None


@dataclass(frozen=True, slots=True)
class PeerColumn:
    """One group's averages, laid out like the report's dimensions."""

    scope: str  # "department" or "country"
    members: int
    overall: float | None  # None: withheld (too few scores) or no data
    dimensions: tuple[float | None, ...]  # aligned with ReportView.dimensions


@dataclass(frozen=True, slots=True)
class PeersView:
    cycle: int
    department_name: str
    columns: tuple[PeerColumn, ...]  # the department first (when shown), then the country
    min_peers: int


@dataclass(frozen=True, slots=True)
class ReportView:
    questionnaire_title: str
    questionnaire_id: str
    version: str
    label: str
    label_note: str
    entity_title: str
    entity_code: str
    kind: str
    date: date
    overall: ScoreView
    dimensions: tuple[DimensionView, ...]
    strongest: tuple[SubdimensionView, ...]
    weakest: tuple[SubdimensionView, ...]  # weakest first
    unscored: tuple[SubdimensionView, ...]  # no answer at all: neither strong nor weak
    measurements: tuple[NamedScore, ...]
    axes: tuple[NamedScore, ...]
    levels: tuple[Level, ...]
    provisional: frozenset[str]  # "levels", "axes": our own design, labelled so in the report
    mailbox: str
    perception_survey: str | None  # the citizen survey's title, if the questionnaire has one
    peers: PeersView | None = None  # None: no database, or too few peers to compare safely

    @property
    def radar_labels(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions)

    @property
    def radar_values(self) -> tuple[float | None, ...]:
        return tuple(d.score.value for d in self.dimensions)


def _score(questionnaire: Questionnaire, score: Score) -> ScoreView:
    level = level_of(questionnaire, score.value)
    return ScoreView(score.value, score.answered, score.applicable, score.coverage, level)


def peers_view(comparison: PeerComparison, dimension_ids: tuple[str, ...]) -> PeersView:
    def column(scope: str, group: GroupAverages) -> PeerColumn:
        return PeerColumn(
            scope,
            group.members,
            group.overall.value,
            tuple(group.dimensions[d].value for d in dimension_ids),
        )

    groups = [("department", comparison.department), ("country", comparison.country)]
    return PeersView(
        comparison.cycle,
        comparison.department_name,
        tuple(column(scope, group) for scope, group in groups if group is not None),
        comparison.min_peers,
    )


def split_ranked(ranked: tuple[SubdimensionScore, ...]) -> tuple[list[str], list[str]]:
    """Ids of the strongest and weakest (weakest first), never listing one subdimension twice.

    With fewer than 2·TOP scored subdimensions the strongest take the upper half (rounded up).
    """
    n_strong = min(TOP, math.ceil(len(ranked) / 2))
    strong = [s.id for s in ranked[:n_strong]]
    weak = [s.id for s in reversed(ranked[n_strong:])][:TOP]
    return strong, weak


def report_view(
    questionnaire: Questionnaire,
    scores: Scores,
    entity: Entity,
    generated_at: date | datetime,
    mailbox: str,
    peers: PeerComparison | None = None,
) -> ReportView:
    """Everything the templates need for one entity's report (peer averages when given)."""
    if (scores.questionnaire_id, scores.questionnaire_version) != (
        questionnaire.id,
        questionnaire.version,
    ):
        raise ValueError(
            f"los puntajes son del cuestionario {scores.questionnaire_id} "
            f"{scores.questionnaire_version}, no de {questionnaire.id} {questionnaire.version}"
        )
    components = {c.id: c.name for c in questionnaire.cofinancing_components}
    component_order = [c.id for c in questionnaire.cofinancing_components]
    measurement_names = {m.id: m.name for m in questionnaire.measurements}

    subviews: dict[str, SubdimensionView] = {}
    dimensions: list[DimensionView] = []
    for dim_q, dim_s in zip(questionnaire.dimensions, scores.dimensions, strict=True):
        subs: list[SubdimensionView] = []
        for sub_q, sub_s in zip(dim_q.subdimensions, dim_s.subdimensions, strict=True):
            rec = sub_q.recommendation
            view = SubdimensionView(
                id=sub_s.id,
                name=sub_s.name,
                dimension_name=dim_s.name,
                score=_score(questionnaire, sub_s.score),
                measurements=tuple(
                    MeasurementCell(m, measurement_names[m], _score(questionnaire, s))
                    for m, s in sub_s.by_measurement.items()
                ),
                recommendation=Recommendation(
                    rec.next_step,
                    rec.accompaniment,
                    tuple(components[c] for c in component_order if c in rec.cofinancing),
                ),
            )
            subviews[view.id] = view
            subs.append(view)
        dimensions.append(
            DimensionView(
                dim_s.id,
                dim_s.name,
                _score(questionnaire, dim_s.score),
                tuple(subs),
                tuple(measurement_names[m] for m in dim_s.by_measurement),
            )
        )

    strong, weak = split_ranked(scores.ranked())
    return ReportView(
        questionnaire_title=questionnaire.title,
        questionnaire_id=questionnaire.id,
        version=questionnaire.version,
        label=questionnaire.label,
        label_note=questionnaire.label_note,
        entity_title=entity.title,
        entity_code=entity.code,
        kind=entity.kind,
        date=generated_at.date() if isinstance(generated_at, datetime) else generated_at,
        overall=_score(questionnaire, scores.overall),
        dimensions=tuple(dimensions),
        strongest=tuple(subviews[i] for i in strong),
        weakest=tuple(subviews[i] for i in weak),
        unscored=tuple(v for v in subviews.values() if v.score.value is None),
        measurements=tuple(
            NamedScore(
                m.id,
                m.name,
                m.description,
                _score(questionnaire, scores.measurements[m.id]),
                m.weight,
            )
            for m in questionnaire.measurements
        ),
        axes=tuple(
            NamedScore(a.id, a.name, a.description, _score(questionnaire, scores.axes[a.id]))
            for a in questionnaire.axes
            if a.id in scores.axes
        ),
        levels=questionnaire.levels,
        provisional=frozenset(questionnaire.provisional),
        mailbox=mailbox,
        perception_survey=questionnaire.perception.title if questionnaire.perception else None,
        peers=peers_view(peers, tuple(d.id for d in dimensions)) if peers else None,
    )
