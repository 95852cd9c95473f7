"""Content rules for questionnaire v1: what the schema cannot check but the model promises."""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import pytest

from dialogues.questionnaire import Kind, Questionnaire, load_questionnaire

V1 = Path(__file__).resolve().parents[2] / "data" / "questionnaire" / "v1.yml"

DIMENSIONS = [
    ("personas", "Personas", "PER"),
    ("gobernanza", "Gobernanza", "GOB"),
    ("calidad-de-vida", "Calidad de Vida", "CV"),
    ("desarrollo-economico", "Desarrollo Económico", "DE"),
    ("medio-ambiente", "Medio Ambiente", "MA"),
    ("habitat", "Hábitat", "HAB"),
]
LIKERT = [
    ("muy_en_desacuerdo", 0),
    ("en_desacuerdo", 25),
    ("neutral", 50),
    ("de_acuerdo", 75),
    ("muy_de_acuerdo", 100),
]
KINDS: tuple[Kind, ...] = ("alcaldia", "gobernacion")


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load_questionnaire(V1)


def test_file_loads_with_orientative_label(q: Questionnaire) -> None:
    assert q.id == "cti-mm-v1"
    assert q.label == "autodiagnóstico orientativo"


def test_six_dimensions_in_order_with_spanish_names(q: Questionnaire) -> None:
    assert [(d.id, d.name) for d in q.dimensions] == [(i, n) for i, n, _ in DIMENSIONS]
    assert all(d.weight == Fraction(1, 6) for d in q.dimensions)


def test_twenty_four_subdimensions_four_per_dimension(q: Questionnaire) -> None:
    assert len(q.subdimension_index) == 24
    for d in q.dimensions:
        assert len(d.subdimensions) == 4, d.id
        assert all(s.weight == Fraction(1, 4) for s in d.subdimensions), d.id


def test_subdimension_ids_carry_their_dimension_prefix(q: Questionnaire) -> None:
    prefixes = {i: p.lower() for i, _, p in DIMENSIONS}
    bad = [s.id for d, s in q.iter_subdimensions() if not s.id.startswith(prefixes[d.id] + "-")]
    assert bad == []


def test_three_to_six_questions_per_subdimension(q: Questionnaire) -> None:
    bad = {
        s.id: len(s.questions) for _, s in q.iter_subdimensions() if not 3 <= len(s.questions) <= 6
    }
    assert bad == {}


def test_at_least_ninety_questions(q: Questionnaire) -> None:
    assert len(q.questions) >= 90


def test_question_ids_follow_dimension_and_subdimension(q: Questionnaire) -> None:
    prefixes = {i: p for i, _, p in DIMENSIONS}
    for d, s in q.iter_subdimensions():
        pattern = re.compile(rf"^{prefixes[d.id]}-([A-Z]{{3}})-\d{{2}}$")
        matches = [pattern.match(question.id) for question in s.questions]
        assert all(matches), [question.id for question in s.questions]
        assert len({m.group(1) for m in matches if m}) == 1, s.id


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_gets_three_questions_per_subdimension(q: Questionnaire, kind: Kind) -> None:
    short = {
        s.id: n
        for _, s in q.iter_subdimensions()
        if (n := sum(question.applies(kind) for question in s.questions)) < 3
    }
    assert short == {}


def test_both_kinds_have_questions_of_their_own(q: Questionnaire) -> None:
    scope = Counter(question.applies_to for question in q.questions)
    assert scope["alcaldia"] >= 5
    assert scope["gobernacion"] >= 5
    assert scope["ambos"] > scope["alcaldia"] + scope["gobernacion"]


def test_every_question_has_real_help(q: Questionnaire) -> None:
    bad = [x.id for x in q.questions if not x.help.strip() or x.help.strip() == x.text.strip()]
    assert bad == []


def test_every_question_has_one_to_three_axes(q: Questionnaire) -> None:
    bad = [
        x.id for x in q.questions if not 1 <= len(x.axes) <= 3 or len(set(x.axes)) != len(x.axes)
    ]
    assert bad == []


def test_options_go_from_zero_to_hundred_worst_first(q: Questionnaire) -> None:
    for question in q.questions:
        if question.options is None:
            continue
        scores = [o.score for o in question.options]
        assert scores[0] == 0 and scores[-1] == 100, question.id
        assert all(a < b for a, b in pairwise(scores)), question.id


def test_figure_bands_cover_their_range_on_the_full_scale(q: Questionnaire) -> None:
    figures = [(x.id, x.figure) for x in q.questions if x.figure is not None]
    assert figures
    for qid, fig in figures:
        starts = [b.from_ for b in fig.bands]
        scores = [b.score for b in fig.bands]
        assert fig.unit.strip(), qid
        assert starts[0] == fig.min, qid
        assert all(a < b for a, b in pairwise(starts)), qid
        if fig.max is not None:
            assert starts[-1] <= fig.max, qid
            assert fig.accepts(fig.max), qid
        assert {scores[0], scores[-1]} == {0, 100}, qid
        rising = all(a < b for a, b in pairwise(scores))
        falling = all(a > b for a, b in pairwise(scores))
        assert rising or falling, qid
        assert fig.score_of(fig.min) == scores[0], qid


def test_most_subdimensions_ask_for_a_result_figure(q: Questionnaire) -> None:
    with_figure = [s.id for _, s in q.iter_subdimensions() if any(x.figure for x in s.questions)]
    assert len(with_figure) >= 20
    assert all(x.measurement == "resultados" for x in q.questions if x.figure)


def test_recommendations_offer_one_or_two_components(q: Questionnaire) -> None:
    for _, s in q.iter_subdimensions():
        rec = s.recommendation
        assert 1 <= len(rec.cofinancing) <= 2, s.id
        assert rec.next_step.strip() != rec.accompaniment.strip(), s.id
    steps = [s.recommendation.next_step for _, s in q.iter_subdimensions()]
    assert len(set(steps)) == len(steps)


def test_perception_items_reference_subdimensions_with_likert_options(q: Questionnaire) -> None:
    assert q.perception is not None
    items = q.perception.items
    assert 12 <= len(items) <= 18
    assert [i.id for i in items] == [f"PERC-{n:02d}" for n in range(1, len(items) + 1)]
    for item in items:
        assert item.subdimension in q.subdimension_index, item.id
        assert [(o.id, o.score) for o in item.options] == LIKERT, item.id
    dimensions = {q.subdimension_index[i.subdimension][0].id for i in items}
    assert dimensions == {i for i, _, _ in DIMENSIONS}


def test_no_text_is_duplicated(q: Questionnaire) -> None:
    texts = [x.text.strip().lower() for x in q.questions]
    assert [t for t, n in Counter(texts).items() if n > 1] == []
    assert q.perception is not None
    items = [i.text.strip().lower() for i in q.perception.items]
    assert len(set(items)) == len(items)


def test_questions_are_well_punctuated_spanish(q: Questionnaire) -> None:
    for x in q.questions:
        text = x.text.strip()
        if text.endswith("?"):
            assert "¿" in text, x.id
        assert text.count("¿") == text.count("?"), x.id
