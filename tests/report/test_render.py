"""The report of a hand-built case (the factory questionnaire), checked number by number.

Alcaldía answers: GOB-SER-01 si (100), GOB-SER-02 no (0), GOB-SER-03 65 % (band 60 -> 80),
GOB-DAT-01 medio (60), HAB-MOV-01 c (70), HAB-SER-01 no sé, HAB-SER-02 si (100); no perception.

    gob-servicios = (0.5·50 + 0.3·80) / 0.8 = 61.25   -> "61,3"
    gob-datos     = 60                                 -> "60,0"
    gobernanza    = 0.75·61.25 + 0.25·60 = 60.9375     -> "60,9"
    hab-movilidad = 70; hab-servicios = 100 (its figure is "no sé")
    habitat       = 0.4·70 + 0.6·100 = 88              -> "88,0"
    overall       = 60.9375/3 + 2·88/3 = 78.979...     -> "79,0", level Avanzado (>= 75)
    coverage      = 6 answered of 7 questions + 2 perception items = 67 %
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime

import pytest

from bot.report import build_report, render_html, render_summary
from bot.report.render import tone
from bot.report.view import report_view, split_ranked
from bot.scoring import score
from bot.territory import Entity
from nlu.numbers import NBSP
from tests.factories import answers, build, node, questionnaire_raw
from tests.report.helpers import ANSWERS, MAILBOX, MEDELLIN, visible

HOSTILE = Entity("05999", "alcaldia", '<script>alert("x")</script> & Cía', "05", "Antioquia")
WHEN = datetime(2026, 3, 7, 15, 30)


@pytest.fixture(scope="module")
def case():
    raw = questionnaire_raw()
    for sub_id, step in [
        ("gob-servicios", "Publique en GOV.CO sus cinco trámites más pedidos."),
        ("gob-datos", "Publique tres conjuntos de datos en datos.gov.co."),
        ("hab-movilidad", "Instale conteos automáticos de tráfico."),
        ("hab-servicios", "Mida las horas sin servicio."),
    ]:
        node(raw, sub_id)["recommendation"]["next_step"] = step
    node(raw, "gob-datos")["recommendation"]["accompaniment"] = "Le ayudamos con el inventario."
    raw["label_note"] = "Resultado orientativo: no reemplaza la medición oficial (A & B)."
    q = build(raw)
    return q, score(q, "alcaldia", answers(ANSWERS))


@pytest.fixture(scope="module")
def report(case, templates_dir):
    q, s = case
    return build_report(q, s, MEDELLIN, WHEN, templates_dir, mailbox=MAILBOX)


def test_view_holds_the_hand_computed_numbers(case):
    q, s = case
    view = report_view(q, s, MEDELLIN, WHEN, MAILBOX)
    assert view.overall.value == pytest.approx(60.9375 / 3 + 2 * 88 / 3)
    assert view.overall.level.id == "avanzado"
    assert (view.overall.answered, view.overall.applicable) == (6, 9)
    assert [s.id for s in view.strongest] == ["hab-servicios", "hab-movilidad"]
    assert [s.id for s in view.weakest] == ["gob-datos", "gob-servicios"]
    assert view.weakest[0].recommendation.cofinancing == ("Formación",)
    assert view.date == date(2026, 3, 7)
    assert view.radar_values == pytest.approx((60.9375, 88.0))


def test_summary_of_the_hand_built_case(report):
    text = report.summary
    assert len(text) < 1500
    for expected in [
        "AUTODIAGNÓSTICO ORIENTATIVO",
        "Alcaldía de Medellín (Antioquia)",
        "versión 0.1",
        "7 de marzo de 2026",
        "Puntaje general: 79,0/100 · Nivel: Avanzado",
        f"Cobertura: 67{NBSP}% (6 de 9 ítems",
        f"• Gobernanza: 60,9 · 80{NBSP}%",  # 4 of 5 items, PER-01 included
        f"• Hábitat: 88,0 · 50{NBSP}%",  # 2 of 4: HAB-MOV-02 is for gobernaciones
        "Fortaleza: Servicios públicos (Hábitat), 100,0",
        "Prioridad: Datos abiertos (Gobernanza), 60,0",
        "Siguiente paso: Publique tres conjuntos de datos en datos.gov.co.",
        "(A & B)",  # plain text: nothing escaped in a chat message
        MAILBOX,
    ]:
        assert expected in text


def test_html_of_the_hand_built_case(report):
    text = visible(report.html)
    for expected in [
        "autodiagnóstico orientativo",
        "Alcaldía de Medellín (Antioquia)",
        "versión 0.1",
        "7 de marzo de 2026",
        "Resultado orientativo: no reemplaza la medición oficial (A & B).",
        "79,0 / 100",
        "Nivel de madurez: Avanzado",
        "Cobertura: 67 % (6 de 9 ítems respondidos",
        "Gobernanza 60,9 Intermedio 80 % Hábitat 88,0 Avanzado 50 %",
        "Servicios digitales 61,3 Intermedio 75 % 50,0 (100 %) 80,0 (100 %) sin datos",
        "Datos abiertos 60,0 Intermedio 100 % 60,0 (100 %) — —",
        "Servicios públicos 100,0 Avanzado 33 % 100,0 (100 %) sin datos sin datos",
        "Fortalezas Servicios públicos (Hábitat) 100,0 Movilidad (Hábitat) 70,0",
        "1. Datos abiertos (Gobernanza) 60,0 Siguiente paso Publique tres conjuntos de datos en "
        "datos.gov.co. Acompañamiento técnico de MinTIC Le ayudamos con el inventario.",
        f"Puede solicitarlo escribiendo a {MAILBOX}",
        "Componentes cofinanciables que podrían apoyarlo Formación",
        "2. Servicios digitales (Gobernanza) 61,3 Siguiente paso Publique en GOV.CO",
        "requiere la encuesta ciudadana («Encuesta ciudadana»)",
        "Capacidades (peso 50 %) 76,2 cobertura 100 %",
        "Resultados (peso 30 %) 80,0 cobertura 50 %",
        "Datos 50,0 · 100 %",  # GOB-SER-01 100 and GOB-SER-02 0
        "Conectividad 50,0 · 100 %",  # GOB-SER-02 0, GOB-SER-03 80, HAB-MOV-01 70
        "no entran en los promedios",
        "código DANE 05001",
    ]:
        assert expected in text, expected
    assert f'href="mailto:{MAILBOX}"' in report.html


def test_html_is_self_contained_and_embeds_the_radar(report):
    html = report.html
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    assert 'name="viewport"' in html
    (uri,) = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert base64.b64decode(uri) == report.radar_png


def test_hostile_entity_name_is_escaped_in_html(case, templates_dir):
    q, s = case
    html = render_html(q, s, HOSTILE, WHEN, templates_dir, mailbox=MAILBOX)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Cía" in html
    assert '<script>alert("x")</script> & Cía' in visible(html)


def test_summary_keeps_names_as_typed(case, templates_dir):
    q, s = case
    summary = render_summary(q, s, HOSTILE, WHEN, templates_dir, mailbox=MAILBOX)
    assert 'Alcaldía de <script>alert("x")</script> & Cía (Antioquia)' in summary


def test_empty_assessment_renders_without_scores(templates_dir):
    q = build()
    s = score(q, "gobernacion", {})
    gob = Entity("05", "gobernacion", "Antioquia", "05", "Antioquia")
    rep = build_report(q, s, gob, WHEN, templates_dir, mailbox=MAILBOX)
    assert "Puntaje general: sin datos · Nivel: sin datos" in rep.summary
    text = visible(rep.html)
    assert "Aún no hay respuestas suficientes" in text
    assert "Subdimensiones sin respuestas" in text
    assert "Fortalezas" not in text and "Prioridades" not in text


def test_scores_of_another_questionnaire_are_refused(case, templates_dir):
    q, _ = case
    raw = questionnaire_raw()
    raw["version"] = "0.2"
    other = build(raw)
    with pytest.raises(ValueError, match=r"prueba 0\.2"):
        build_report(
            q, score(other, "alcaldia", {}), MEDELLIN, WHEN, templates_dir, mailbox=MAILBOX
        )


@pytest.mark.parametrize(
    ("scores", "strong", "weak"),
    [
        ([90, 80, 70, 60, 50, 40, 30], [0, 1, 2], [6, 5, 4]),
        ([90, 80, 70, 60], [0, 1], [3, 2]),
        ([90, 80, 70], [0, 1], [2]),
        ([90], [0], []),
        ([], [], []),
    ],
)
def test_strongest_and_weakest_never_overlap(scores, strong, weak):
    class Ranked:
        def __init__(self, i: int) -> None:
            self.id = i

    ranked = tuple(Ranked(i) for i, _ in enumerate(scores))
    assert split_ranked(ranked) == (strong, weak)  # type: ignore[arg-type]


def test_real_questionnaire_report(questionnaire, gazetteer, templates_dir):
    """The longest entity title still fits a chat message; every dimension is shown."""
    from random import Random

    from bot.answers_file import sample_answers

    entity = max(gazetteer.entities, key=lambda e: len(e.title))
    s = score(questionnaire, entity.kind, sample_answers(questionnaire, entity.kind, Random(1)))
    rep = build_report(questionnaire, s, entity, WHEN, templates_dir, mailbox=MAILBOX)
    assert len(rep.summary) < 1500
    text = visible(rep.html)
    assert entity.title in text and questionnaire.label in text
    assert questionnaire.label_note in text
    for dim in questionnaire.dimensions:
        assert f"• {dim.name}: " in rep.summary
        assert dim.name in text
    assert "requiere la encuesta ciudadana" in text
    assert text.count("Siguiente paso") == 3


def test_label_keeps_its_capitals(templates_dir):
    raw = questionnaire_raw()
    raw["label"] = "medición orientativa de MinTIC"
    q = build(raw)
    html = render_html(q, score(q, "alcaldia", {}), MEDELLIN, WHEN, templates_dir, mailbox=MAILBOX)
    assert "<title>Medición orientativa de MinTIC: Alcaldía de Medellín (Antioquia)</title>" in html


@pytest.mark.parametrize(
    ("value", "css"),
    [(None, "tn"), (0, "t0"), (19.99, "t0"), (20, "t1"), (61.25, "t3"), (100, "t4")],
)
def test_score_colour_bands(value, css):
    assert tone(value) == css
