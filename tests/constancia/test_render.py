"""The constancia's documents: a PDF a real parser reads, and an HTML page, both stating the
number, entity, date, version, scores and code."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pypdf
import pytest

from bot.answers_file import sample_answers
from bot.config import load_config
from bot.constancia.code import Keys
from bot.constancia.facts import facts_of
from bot.constancia.render import ConstanciaRenderer
from bot.scoring import score
from bot.storage.api import AssessmentRecord
from bot.territory import Entity, Gazetteer
from dialogues.questionnaire import load_questionnaire
from nlu.numbers import format_number

CONFIG = load_config(env={})
Q = load_questionnaire(CONFIG.path(CONFIG.data.questionnaire))
SUBMITTED = datetime(2026, 12, 5, 17, 3, 4, tzinfo=UTC)  # 12:03 in Bogotá


@pytest.fixture(scope="module")
def pasto() -> Entity:
    gazetteer = Gazetteer.load(CONFIG.path(CONFIG.data.divipola), CONFIG.path(CONFIG.data.aliases))
    found = gazetteer.get("52001")
    assert found is not None
    return found


def built(entity: Entity):
    scores = score(Q, entity.kind, sample_answers(Q, entity.kind, random.Random(3)))
    assessment = AssessmentRecord(42, entity.code, 2026, Q.id, Q.version, "submitted", SUBMITTED)
    facts = facts_of(assessment, 1, SUBMITTED, scores)
    renderer = ConstanciaRenderer(CONFIG.path(CONFIG.data.templates))
    code = Keys.from_secrets("s" * 40).code(facts)
    view = renderer.view(facts, code, scores, Q, entity, ZoneInfo("America/Bogota"))
    return renderer, view, scores


def test_the_pdf_parses_and_states_everything(pasto):
    renderer, view, scores = built(pasto)
    pdf = renderer.pdf(view)
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "N.º CTI-2026-000042" in text
    assert view.code in text
    assert "Alcaldía de Pasto (Nariño)" in text and "52001" in text
    assert "5 de diciembre de 2026, 12:03" in text
    assert f"versión {Q.version}" in text
    assert f"Puntaje general {format_number(scores.overall.value)}" in text
    for dimension in scores.dimensions:
        assert f"{dimension.name} {format_number(dimension.score.value)}" in text
    assert reader.metadata is not None and "CTI-2026-000042" in (reader.metadata.title or "")


def test_the_same_constancia_is_the_same_pdf(pasto):
    renderer, view, _ = built(pasto)
    assert renderer.pdf(view) == renderer.pdf(view)


def test_the_html_page(pasto):
    renderer, view, scores = built(pasto)
    html = renderer.html(view)
    assert "N.º CTI-2026-000042" in html and view.code in html
    assert "Alcaldía de Pasto (Nariño)" in html
    assert format_number(scores.overall.value) in html
    files = {a.filename: a for a in renderer.files(view)}
    assert set(files) == {"constancia-CTI-2026-000042.pdf", "constancia-CTI-2026-000042.html"}
    assert files["constancia-CTI-2026-000042.pdf"].content_type == "application/pdf"


def test_names_cannot_inject_markup(pasto):
    renderer, view, _ = built(pasto)
    hostile = type(view)(
        **{**{f: getattr(view, f) for f in view.__slots__}, "entity_title": "<b>x</b>"}
    )
    assert "<b>x</b>" not in renderer.html(hostile) and "&lt;b&gt;x&lt;/b&gt;" in renderer.html(
        hostile
    )
