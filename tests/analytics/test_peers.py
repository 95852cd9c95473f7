"""The k-anonymity rule of peer comparisons (`bot.analytics.peers.compare`), by hand.

Pasto (52001, Nariño) is the entity; its peers are alcaldías with a snapshot. Numbers are chosen
so every average can be checked by eye.
"""

from __future__ import annotations

import pytest

from bot.analytics.peers import MIN_PEERS, Average, averages, compare
from bot.storage.api import PeerScores
from bot.territory import Entity

PASTO = Entity("52001", "alcaldia", "Pasto", "52", "Nariño")
DIMS = ("gobernanza", "habitat")


def peer(code: str, overall: float | None, gob: float | None, hab: float | None) -> PeerScores:
    return PeerScores(code, code[:2], overall, {"gobernanza": gob, "habitat": hab})


def narino(n: int, start: int = 2) -> list[PeerScores]:
    """n Nariño peers: overall 10, 20, 30...; gobernanza the same; habitat 100 minus it."""
    return [
        peer(f"52{start + i:03d}", 10.0 * (i + 1), 10.0 * (i + 1), 100 - 10.0 * (i + 1))
        for i in range(n)
    ]


def antioquia(n: int, value: float = 90.0) -> list[PeerScores]:
    return [peer(f"05{i + 1:03d}", value, value, value) for i in range(n)]


def test_the_threshold_is_five():
    assert MIN_PEERS == 5


def test_four_peers_show_nothing_five_show_the_averages():
    assert compare(PASTO, 2026, narino(4), DIMS) is None
    shown = compare(PASTO, 2026, narino(5), DIMS)
    assert shown is not None
    assert shown.department is not None and shown.country is not None
    # 10, 20, 30, 40, 50 -> 30; habitat 90, 80, 70, 60, 50 -> 70
    assert shown.department.members == 5
    assert shown.department.overall == Average(30.0, 5)
    assert shown.department.dimensions == {
        "gobernanza": Average(30.0, 5),
        "habitat": Average(70.0, 5),
    }
    assert shown.country == shown.department  # nobody elsewhere yet
    assert (shown.cycle, shown.kind, shown.department_name) == (2026, "alcaldia", "Nariño")


def test_the_entity_itself_never_counts():
    own = peer("52001", 100.0, 100.0, 100.0)
    assert compare(PASTO, 2026, [own, *narino(4)], DIMS) is None
    with_own = compare(PASTO, 2026, [own, *narino(5)], DIMS)
    assert with_own == compare(PASTO, 2026, narino(5), DIMS)


def test_each_dimension_needs_five_scores_of_its_own():
    rows = narino(5)
    rows[0] = peer("52002", 10.0, 10.0, None)  # answered no habitat question
    shown = compare(PASTO, 2026, rows, DIMS)
    assert shown is not None and shown.department is not None
    assert shown.department.dimensions["gobernanza"] == Average(30.0, 5)
    assert shown.department.dimensions["habitat"] == Average(None, 4)  # withheld, not 65


def test_country_and_department_side_by_side():
    shown = compare(PASTO, 2026, narino(5) + antioquia(5), DIMS)
    assert shown is not None and shown.department is not None and shown.country is not None
    assert shown.department.overall == Average(30.0, 5)
    # (10+20+30+40+50 + 5·90) / 10 = 60; habitat (90+80+70+60+50 + 5·90) / 10 = 80
    assert shown.country.members == 10
    assert shown.country.overall == Average(60.0, 10)
    assert shown.country.dimensions["habitat"] == Average(80.0, 10)


def test_too_few_in_the_department_shows_the_country_only():
    shown = compare(PASTO, 2026, narino(4) + antioquia(6), DIMS)
    assert shown is not None and shown.department is None
    assert shown.country is not None
    assert shown.country.overall.value == pytest.approx((100 + 6 * 90) / 10)


@pytest.mark.parametrize("elsewhere", [1, 2, 4])
def test_department_withheld_when_the_rest_of_the_country_is_one_to_four(elsewhere):
    # Country and department averages together would give the mean of those few.
    shown = compare(PASTO, 2026, narino(5) + antioquia(elsewhere), DIMS)
    assert shown is not None
    assert shown.department is None
    assert shown.country is not None
    assert shown.country.overall.value == pytest.approx((150 + elsewhere * 90) / (5 + elsewhere))


def test_the_rest_guard_works_dimension_by_dimension():
    rest = antioquia(5)
    rest[:4] = [peer(p.entity_code, 90.0, 90.0, None) for p in rest[:4]]  # 1 habitat score
    shown = compare(PASTO, 2026, narino(5) + rest, DIMS)
    assert shown is not None and shown.department is not None
    assert shown.department.overall == Average(30.0, 5)  # 5 scores elsewhere: fine
    assert shown.department.dimensions["habitat"] == Average(None, 5)  # 1 elsewhere: withheld
    assert shown.country.dimensions["habitat"] == Average(
        pytest.approx(440 / 6), 6
    )  # (350 + 90) / 6


def test_a_gobernacion_is_compared_with_the_country_only():
    narino_gob = Entity("52", "gobernacion", "Nariño", "52", "Nariño")
    others = [
        PeerScores(f"{c:02d}", f"{c:02d}", 50.0, {"gobernanza": 50.0}) for c in (5, 8, 11, 13, 15)
    ]
    shown = compare(narino_gob, 2026, others, ("gobernanza",))
    assert shown is not None and shown.department is None
    assert shown.country.overall == Average(50.0, 5)


def test_averages_are_exact_means():
    rows = [peer(f"52{i:03d}", 0.1, 0.1, 0.1) for i in range(10)]
    assert averages(rows, DIMS).overall.value == 0.1  # fsum: not 0.09999999999999999
    assert averages([], DIMS).overall == Average(None, 0)
