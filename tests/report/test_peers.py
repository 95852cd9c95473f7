"""Peer averages in the report and the chat summary (the comparison itself: tests/analytics).

The hand-built case of test_render (Medellín: gobernanza 60,9, hábitat 88,0, overall 79,0) next
to two groups: Antioquia (5 alcaldías; its hábitat average withheld) and Colombia (9).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.analytics.peers import Average, GroupAverages, PeerComparison
from bot.report import build_report
from bot.report.view import report_view
from bot.scoring import score
from bot.territory import Entity
from nlu.numbers import NBSP
from tests.factories import answers, build
from tests.report.helpers import ANSWERS, MAILBOX, MEDELLIN, visible

WHEN = datetime(2026, 3, 7, 15, 30)
COMPARISON = PeerComparison(
    cycle=2026,
    kind="alcaldia",
    department_name="Antioquia",
    department=GroupAverages(
        5,
        Average(55.25, 5),
        {"gobernanza": Average(50.0, 5), "habitat": Average(None, 4)},
    ),
    country=GroupAverages(
        9,
        Average(48.04, 9),
        {"gobernanza": Average(41.5, 9), "habitat": Average(62.75, 8)},
    ),
)


@pytest.fixture(scope="module")
def case():
    q = build()
    return q, score(q, "alcaldia", answers(ANSWERS))


def test_view_lays_the_groups_out_like_the_dimensions(case):
    q, s = case
    view = report_view(q, s, MEDELLIN, WHEN, MAILBOX, COMPARISON)
    assert view.peers is not None
    assert [c.scope for c in view.peers.columns] == ["department", "country"]
    assert view.peers.columns[0].dimensions == (50.0, None)
    assert view.peers.columns[1].dimensions == (41.5, 62.75)
    assert (view.peers.columns[1].members, view.peers.min_peers) == (9, 5)
    only_country = PeerComparison(2026, "alcaldia", "Antioquia", None, COMPARISON.country)
    view = report_view(q, s, MEDELLIN, WHEN, MAILBOX, only_country)
    assert [c.scope for c in view.peers.columns] == ["country"]
    assert report_view(q, s, MEDELLIN, WHEN, MAILBOX).peers is None


def test_summary_shows_both_groups_per_dimension(case, templates_dir):
    q, s = case
    text = build_report(
        q, s, MEDELLIN, WHEN, templates_dir, mailbox=MAILBOX, peers=COMPARISON
    ).summary
    assert len(text) < 1500
    for expected in [
        "Promedio de sus pares: Antioquia 55,3 · Colombia 48,0",
        f"• Gobernanza: 60,9 · 80{NBSP}% (Antioquia 50,0 · Colombia 41,5)",
        f"• Hábitat: 88,0 · 50{NBSP}% (Antioquia — · Colombia 62,8)",
        "Promedios de las alcaldías que enviaron su diagnóstico de 2026, sin contar la suya "
        "(Antioquia: 5; Colombia: 9); cada promedio reúne al menos 5 entidades.",
    ]:
        assert expected in text


def test_html_adds_a_column_per_group(case, templates_dir):
    q, s = case
    report = build_report(q, s, MEDELLIN, WHEN, templates_dir, mailbox=MAILBOX, peers=COMPARISON)
    text = visible(report.html)
    for expected in [
        "Promedio de sus pares: Antioquia 55,3 · Colombia 48,0",
        "Gobernanza 60,9 Intermedio 80 % Hábitat 88,0 Avanzado 50 %",  # main table unchanged
        "Comparación con otras alcaldías Dimensión Su puntaje Antioquia Colombia",
        "General 79,0 55,3 48,0",
        "Gobernanza 60,9 50,0 41,5",
        "Hábitat 88,0 — 62,8",
        "Antioquia y Colombia: promedio de las alcaldías que enviaron su diagnóstico de 2026",
    ]:
        assert expected in text


def test_no_comparison_no_trace(case, templates_dir):
    q, s = case
    report = build_report(q, s, MEDELLIN, WHEN, templates_dir, mailbox=MAILBOX)
    for text in (report.summary, visible(report.html)):
        assert "pares" not in text and "Colombia" not in text


def test_a_gobernacion_reads_gobernaciones(case, templates_dir):
    q, s = case
    antioquia = Entity("05", "gobernacion", "Antioquia", "05", "Antioquia")
    peers = PeerComparison(2026, "gobernacion", "Antioquia", None, COMPARISON.country)
    report = build_report(q, s, antioquia, WHEN, templates_dir, mailbox=MAILBOX, peers=peers)
    assert "Promedios de las gobernaciones que enviaron" in report.summary
    assert "(Colombia: 9)" in report.summary and "Antioquia 50,0" not in report.summary
    html = visible(report.html)
    assert "Comparación con otras gobernaciones Dimensión Su puntaje Colombia General" in html
