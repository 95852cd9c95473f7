"""Peer averages for an entity's report, withheld whenever they could expose a single entity.

The rule (k-anonymity with k = `MIN_PEERS`):

* Peers are the *other* entities of the same kind (alcaldías with alcaldías, gobernaciones with
  gobernaciones) that **submitted** their diagnosis of the same cycle with the same questionnaire
  version. In-progress diagnoses change from one day to the next and are not the entity's
  answer yet, so they never count. The entity itself never counts, submitted or not: including
  it would let it subtract its own score and learn the mean of k-1 others.
* Two groups: the entity's department and the whole country.
* An average is shown only over at least k scores. Each dimension counts separately, since a
  peer that answered only some dimensions has no score in the others.
* The department's average is also withheld when the rest of the country has between 1 and
  k-1 scores: the country's and the department's averages together would give the mean of
  those few (country sum minus department sum).

Not covered: comparing the averages a report shows before and after one more entity submits
reveals that entity's score. Averages of a group that changes one member at a time cannot
avoid this; staff see every score in the export anyway, entities only their own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.storage.api import PeerScores
from bot.territory import Entity, EntityKind

MIN_PEERS = 5


@dataclass(frozen=True, slots=True)
class Average:
    value: float | None  # None when withheld or when nobody has a score here
    count: int  # how many scores exist here (averaged or not)


@dataclass(frozen=True, slots=True)
class GroupAverages:
    members: int  # entities in the group
    overall: Average
    dimensions: dict[str, Average]  # by dimension id, in questionnaire order


@dataclass(frozen=True, slots=True)
class PeerComparison:
    cycle: int
    kind: EntityKind
    department_name: str
    department: GroupAverages | None  # None: fewer than min_peers peers in the department
    country: GroupAverages | None
    min_peers: int = MIN_PEERS


def mean(values: Sequence[float]) -> float | None:
    """Exactly rounded mean (fsum), None for no values."""
    return math.fsum(values) / len(values) if values else None


def averages(
    rows: Sequence[PeerScores], dimension_ids: Sequence[str], min_count: int = 1
) -> GroupAverages:
    """Each dimension's and the overall mean over the rows that have a score there; a mean of
    fewer than `min_count` scores is withheld (value None, count kept)."""

    def average(values: list[float | None]) -> Average:
        present = [v for v in values if v is not None]
        return Average(mean(present) if len(present) >= min_count else None, len(present))

    return GroupAverages(
        members=len(rows),
        overall=average([r.overall for r in rows]),
        dimensions={d: average([r.dimensions.get(d) for r in rows]) for d in dimension_ids},
    )


def _exposes_rest(department: Average, country: Average, k: int) -> bool:
    rest = country.count - department.count
    return 0 < rest < k


def _guard_department(department: GroupAverages, country: GroupAverages, k: int) -> GroupAverages:
    """The department's averages, withholding those that would expose the rest of the country."""

    def guarded(dep: Average, cty: Average) -> Average:
        return Average(None, dep.count) if _exposes_rest(dep, cty, k) else dep

    return GroupAverages(
        members=department.members,
        overall=guarded(department.overall, country.overall),
        dimensions={
            d: guarded(avg, country.dimensions[d]) for d, avg in department.dimensions.items()
        },
    )


def compare(
    entity: Entity,
    cycle: int,
    peers: Iterable[PeerScores],
    dimension_ids: Sequence[str],
    min_peers: int = MIN_PEERS,
) -> PeerComparison | None:
    """The comparison a report of `entity` may show, or None when no group is big enough.

    `peers` are the cycle's submitted snapshots of the entity's kind (`Tx.peer_scores`); the
    entity's own is dropped here."""
    others = [p for p in peers if p.entity_code != entity.code]
    in_department = [p for p in others if p.department_code == entity.department_code]
    if len(others) < min_peers:
        return None
    country = averages(others, dimension_ids, min_peers)
    department = None
    if len(in_department) >= min_peers:
        department = _guard_department(
            averages(in_department, dimension_ids, min_peers), country, min_peers
        )
    department, shown_country = _shown(department), _shown(country)
    if department is None and shown_country is None:
        return None
    return PeerComparison(
        cycle, entity.kind, entity.department_name, department, shown_country, min_peers
    )


def _shown(group: GroupAverages | None) -> GroupAverages | None:
    """The group, or None when every one of its averages is withheld."""
    if group is None:
        return None
    values = [group.overall.value, *(a.value for a in group.dimensions.values())]
    return group if any(v is not None for v in values) else None
