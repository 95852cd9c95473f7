"""Parts of the model that are our own design are labelled provisional in the report, as the
questionnaire file declares (`provisional`); an official instrument's file declares none."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.report import build_report
from bot.scoring import score
from dialogues.questionnaire import QuestionnaireError
from tests.factories import answers, build, questionnaire_raw
from tests.report.helpers import ANSWERS, MAILBOX, MEDELLIN, visible

WHEN = datetime(2026, 3, 7, 15, 30)


def rendered(templates_dir, provisional: list[str] | None):
    raw = questionnaire_raw()
    if provisional is not None:
        raw["provisional"] = provisional
    q = build(raw)
    return build_report(
        q, score(q, "alcaldia", answers(ANSWERS)), MEDELLIN, WHEN, templates_dir, mailbox=MAILBOX
    )


def section(html: str, heading: str) -> str:
    """The visible text of the report section under this heading."""
    [found] = [part for part in html.split("<section")[1:] if f"<h2>{heading}</h2>" in part]
    return visible(found)


def test_our_levels_and_axes_are_labelled_provisional(templates_dir):
    report = rendered(templates_dir, ["levels", "axes"])
    text = visible(report.html)
    levels = section(report.html, "Niveles de madurez (provisionales)")
    assert (
        "Provisional: el número de niveles, sus nombres y sus umbrales son un diseño propio"
        in levels
    )
    axes = section(report.html, "Ejes habilitadores (provisionales)")
    assert (
        "Provisional: el Modelo de Madurez de MinTIC tiene ejes habilitadores, pero estos" in axes
    )
    assert "Nivel de madurez: Avanzado (escala provisional)" in text
    assert "Los niveles siguen una escala provisional" in text
    assert "Nivel: Avanzado (escala provisional)" in report.summary


def test_only_the_parts_declared_provisional(templates_dir):
    text = visible(rendered(templates_dir, ["axes"]).html)
    assert "Ejes habilitadores (provisionales)" in text
    assert "Niveles de madurez (provisionales)" not in text and "escala provisional" not in text


def test_an_official_instrument_is_not_labelled_provisional(templates_dir):
    report = rendered(templates_dir, None)
    text = visible(report.html)
    assert section(report.html, "Niveles de madurez") and section(report.html, "Ejes habilitadores")
    assert "provisional" not in text.lower() and "provisional" not in report.summary


def test_the_questionnaire_in_use_declares_its_levels_and_axes_provisional(questionnaire):
    assert set(questionnaire.provisional) == {"levels", "axes"}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (["niveles"], "provisional[0]: valor no permitido; use 'levels' o 'axes'"),
        ("levels", "provisional: debe ser una lista"),
    ],
)
def test_an_unknown_part_is_refused_in_one_line(value, reason: str):
    raw = questionnaire_raw()
    raw["provisional"] = value
    with pytest.raises(QuestionnaireError) as caught:
        build(raw)
    assert str(caught.value) == f"<f>: {reason}"
