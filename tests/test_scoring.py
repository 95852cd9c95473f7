"""Scores of the factory questionnaire worked out by hand (its numbers: tests/factories.py)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from bot.scoring import (
    Answer,
    DimensionScore,
    InvalidAnswer,
    Scores,
    SubdimensionScore,
    item_score,
    score,
)
from dialogues.questionnaire import Question
from tests.factories import answers, build, node, questionnaire_raw

Q = build()

# Every applicable item answered, as an alcaldía.
FULL = {
    "GOB-SER-01": "parcial",  # 50
    "GOB-SER-02": "si",  # 100
    "GOB-SER-03": 60,  # band from 60 -> 80
    "PER-01": "regular",  # 50
    "GOB-DAT-01": "medio",  # 60
    "HAB-MOV-01": "c",  # 70
    "HAB-SER-01": 3,  # band from 2 -> 50
    "HAB-SER-02": "si",  # 100
    "PER-02": "bien",  # 100
}


def sub(scores: Scores, sub_id: str) -> SubdimensionScore:
    return next(s for s in scores.subdimensions() if s.id == sub_id)


def dim(scores: Scores, dim_id: str) -> DimensionScore:
    return next(d for d in scores.dimensions if d.id == dim_id)


def question(qid: str) -> Question:
    return Q.question_index[qid][2]


def test_full_alcaldia_by_hand() -> None:
    s = score(Q, "alcaldia", answers(FULL))
    assert (s.questionnaire_id, s.questionnaire_version, s.kind) == ("prueba", "0.1", "alcaldia")

    # gob-servicios: capacidades mean(50, 100) = 75; resultados 80; percepcion 50
    #   0.5*75 + 0.3*80 + 0.2*50 = 37.5 + 24 + 10 = 71.5
    gs = sub(s, "gob-servicios")
    assert gs.score.value == 71.5
    assert (gs.score.answered, gs.score.applicable) == (4, 4)
    assert {m: c.value for m, c in gs.by_measurement.items()} == {
        "capacidades": 75,
        "resultados": 80,
        "percepcion": 50,
    }
    # gob-datos: only capacidades answered (60); the other measurements have no items at all.
    gd = sub(s, "gob-datos")
    assert gd.score.value == 60
    assert gd.by_measurement["resultados"].value is None
    assert gd.by_measurement["resultados"].applicable == 0
    # gobernanza: 3/4*71.5 + 1/4*60 = 53.625 + 15 = 68.625 -> intermedio (50 <= x < 75)
    assert dim(s, "gobernanza").score.value == 68.625
    assert dim(s, "gobernanza").level is not None
    assert dim(s, "gobernanza").level.id == "intermedio"

    # hab-movilidad: 70 (HAB-MOV-02 is for gobernaciones only).
    assert sub(s, "hab-movilidad").score.value == 70
    assert sub(s, "hab-movilidad").score.applicable == 1
    # hab-servicios: 0.5*100 + 0.3*50 + 0.2*100 = 50 + 15 + 20 = 85
    assert sub(s, "hab-servicios").score.value == 85
    # habitat: 2/5*70 + 3/5*85 = 28 + 51 = 79 -> avanzado
    assert dim(s, "habitat").score.value == 79
    assert dim(s, "habitat").level is not None
    assert dim(s, "habitat").level.id == "avanzado"

    # overall: 1/3*68.625 + 2/3*79 = 549/24 + 1264/24 = 1813/24 = 75.541666... -> avanzado
    assert s.overall.value == pytest.approx(1813 / 24, abs=1e-12)
    assert s.level is not None
    assert s.level.id == "avanzado"
    assert s.overall.coverage == 1
    assert (s.overall.answered, s.overall.applicable) == (9, 9)

    # Measurements use the same weights on their own items:
    #   capacidades: gobernanza 3/4*75 + 1/4*60 = 71.25; habitat 2/5*70 + 3/5*100 = 88
    #                overall 71.25/3 + 2*88/3 = 247.25/3 = 989/12
    #   resultados:  gobernanza 80 (gob-datos has none), habitat 50 -> 80/3 + 100/3 = 60
    #   percepcion:  gobernanza 50, habitat 100 -> 50/3 + 200/3 = 250/3
    assert dim(s, "gobernanza").by_measurement["capacidades"].value == 71.25
    assert dim(s, "habitat").by_measurement["capacidades"].value == 88
    assert dim(s, "gobernanza").by_measurement["resultados"].value == 80
    assert s.measurements["capacidades"].value == pytest.approx(989 / 12, abs=1e-12)
    assert s.measurements["resultados"].value == pytest.approx(60, abs=1e-12)
    assert s.measurements["percepcion"].value == pytest.approx(250 / 3, abs=1e-12)
    assert [s.measurements[m].applicable for m in ("capacidades", "resultados", "percepcion")] == [
        5,
        2,
        2,
    ]

    # Axes: a plain mean of the tagged items.
    #   datos: GOB-SER-01 50, GOB-SER-02 100 -> 75
    #   conectividad: GOB-SER-02 100, GOB-SER-03 80, HAB-MOV-01 70 -> 250/3
    assert s.axes["datos"].value == 75
    assert s.axes["conectividad"].value == pytest.approx(250 / 3, abs=1e-12)
    assert (s.axes["conectividad"].answered, s.axes["conectividad"].applicable) == (3, 3)


def test_gobernacion_ignores_alcaldia_only_questions() -> None:
    given = {k: v for k, v in FULL.items() if k != "GOB-SER-02"}
    s = score(Q, "gobernacion", answers(given))
    # gob-servicios: capacidades 50 only -> 0.5*50 + 0.3*80 + 0.2*50 = 25 + 24 + 10 = 59
    assert sub(s, "gob-servicios").score.value == 59
    assert sub(s, "gob-servicios").score.applicable == 3
    # gobernanza: 3/4*59 + 1/4*60 = 44.25 + 15 = 59.25
    assert dim(s, "gobernanza").score.value == 59.25
    # hab-movilidad: HAB-MOV-02 applies and is unanswered: value 70, coverage 1/2
    assert sub(s, "hab-movilidad").score.value == 70
    assert sub(s, "hab-movilidad").score.coverage == Fraction(1, 2)
    # overall: 59.25/3 + 2*79/3 = 217.25/3 = 869/12
    assert s.overall.value == pytest.approx(869 / 12, abs=1e-12)
    # Applicable: 6 questions + 2 perception items; answered 8 of 9 (HAB-MOV-02 missing).
    assert s.overall.coverage == Fraction(8, 9)
    assert s.axes["datos"].value == 50
    assert (s.axes["datos"].answered, s.axes["datos"].applicable) == (1, 1)
    assert s.axes["conectividad"].value == 75

    # An answer to a question that does not apply is ignored, not scored and not counted.
    assert score(Q, "gobernacion", answers(FULL)) == s


def test_not_applicable_answer_ignored_for_alcaldia() -> None:
    with_extra = score(Q, "alcaldia", answers({**FULL, "HAB-MOV-02": "no"}))
    assert with_extra == score(Q, "alcaldia", answers(FULL))
    assert with_extra.overall.coverage == 1


def test_dont_know_and_skipped_leave_means_and_lower_coverage() -> None:
    given = {**FULL, "GOB-SER-01": "no_se", "GOB-SER-02": "omitida"}
    s = score(Q, "alcaldia", answers(given))
    # gob-servicios: no capacidades answer -> weights renormalised over resultados + percepcion:
    #   (0.3*80 + 0.2*50) / 0.5 = 34 / 0.5 = 68
    gs = sub(s, "gob-servicios")
    assert gs.score.value == 68
    assert gs.by_measurement["capacidades"].value is None
    assert (gs.by_measurement["capacidades"].answered, gs.score.coverage) == (0, Fraction(1, 2))
    # gobernanza: 3/4*68 + 15 = 66; overall: 66/3 + 158/3 = 224/3 = 74.67 -> intermedio (< 75)
    assert dim(s, "gobernanza").score.value == 66
    assert s.overall.value == pytest.approx(224 / 3, abs=1e-12)
    assert s.level is not None
    assert s.level.id == "intermedio"
    assert s.overall.coverage == Fraction(7, 9)
    # capacidades: gobernanza falls back to gob-datos (60): 60/3 + 2*88/3 = 236/3
    assert s.measurements["capacidades"].value == pytest.approx(236 / 3, abs=1e-12)
    assert s.axes["datos"].value is None
    assert s.axes["datos"].coverage == 0
    assert s.axes["conectividad"].value == 75  # mean(80, 70)
    assert s.axes["conectividad"].coverage == Fraction(2, 3)

    # "No sé", "omitida" and simply absent are the same for scores and coverage.
    absent = {k: v for k, v in FULL.items() if k not in ("GOB-SER-01", "GOB-SER-02")}
    assert score(Q, "alcaldia", answers(absent)) == s


def test_measurement_weights_renormalised_when_a_measurement_has_no_answers() -> None:
    given = {k: v for k, v in FULL.items() if not k.startswith("PER-")}
    s = score(Q, "alcaldia", answers(given))
    # gob-servicios: (0.5*75 + 0.3*80) / 0.8 = 61.5 / 0.8 = 76.875
    assert sub(s, "gob-servicios").score.value == 76.875
    # hab-servicios: (0.5*100 + 0.3*50) / 0.8 = 65 / 0.8 = 81.25
    assert sub(s, "hab-servicios").score.value == 81.25
    # gobernanza: 3/4*76.875 + 15 = 72.65625; habitat: 28 + 3/5*81.25 = 76.75
    assert dim(s, "gobernanza").score.value == 72.65625
    assert dim(s, "habitat").score.value == 76.75
    # overall: (72.65625 + 2*76.75) / 3 = 226.15625 / 3 = 7237/96
    assert s.overall.value == pytest.approx(7237 / 96, abs=1e-12)
    assert s.measurements["percepcion"].value is None
    assert (s.measurements["percepcion"].answered, s.measurements["percepcion"].applicable) == (
        0,
        2,
    )
    assert s.overall.coverage == Fraction(7, 9)


def test_nothing_answered() -> None:
    s = score(Q, "alcaldia", {})
    assert s.overall.value is None
    assert s.level is None
    assert s.overall.coverage == 0
    assert s.overall.applicable == 9
    assert s.ranked() == ()
    for d in s.dimensions:
        assert d.score.value is None
        assert d.level is None
        assert all(m.value is None for m in d.by_measurement.values())
        for x in d.subdimensions:
            assert x.score.value is None
            assert x.score.coverage == 0
    assert all(m.value is None and m.answered == 0 for m in s.measurements.values())
    assert all(a.value is None and a.coverage == 0 for a in s.axes.values())
    # Only "no sé" is the same as nothing.
    assert score(Q, "alcaldia", answers(dict.fromkeys(FULL, "no_se"))) == s


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),  # exactly min: first band
        (19.999, 0),
        (20, 40),  # exactly a band start
        (59.999, 40),
        (60, 80),
        (89.5, 80),
        (90, 100),
        (100, 100),  # exactly max
    ],
)
def test_figure_bands_percent(value: float, expected: float) -> None:
    assert item_score(question("GOB-SER-03"), Answer("figure", value=value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 100), (1.99, 100), (2, 50), (7.5, 50), (8, 0), (1e9, 0)],
)
def test_figure_bands_decreasing_scores_without_max(value: float, expected: float) -> None:
    assert item_score(question("HAB-SER-01"), Answer("figure", value=value)) == expected


@pytest.mark.parametrize(
    ("qid", "value"),
    [
        ("GOB-SER-03", 100.001),
        ("GOB-SER-03", -0.001),
        ("HAB-SER-01", -1),
        ("HAB-SER-01", math.nan),
    ],
)
def test_figure_out_of_range_is_invalid(qid: str, value: float) -> None:
    with pytest.raises(InvalidAnswer, match=qid):
        item_score(question(qid), Answer("figure", value=value))
    with pytest.raises(InvalidAnswer, match=qid):
        score(Q, "alcaldia", {qid: Answer("figure", value=value)})


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"GOB-XXX-99": "si"}, "pregunta desconocida 'GOB-XXX-99'"),
        ({"GOB-SER-01": "quizas"}, "GOB-SER-01: opción desconocida 'quizas'"),
        ({"GOB-SER-01": 50}, "GOB-SER-01: esta pregunta se responde con una opción"),
        ({"HAB-SER-01": "alto"}, "HAB-SER-01: opción desconocida 'alto'"),
        ({"PER-01": "excelente"}, "PER-01: opción desconocida 'excelente'"),
        ({"PER-01": 4}, "PER-01: los ítems de percepción se responden con una opción"),
    ],
)
def test_invalid_answers(given: dict[str, str | float], match: str) -> None:
    with pytest.raises(InvalidAnswer, match=match):
        score(Q, "alcaldia", answers({**FULL, **given}))


def test_level_exactly_at_threshold() -> None:
    # Only GOB-DAT-01 = medio (60): gob-datos 60, gobernanza 60, overall 60 (habitat unscored).
    only = answers({"GOB-DAT-01": "medio"})
    s = score(Q, "alcaldia", only)
    assert (s.overall.value, s.level.id if s.level else None) == (60, "intermedio")
    assert dim(s, "habitat").level is None

    raw = questionnaire_raw()
    node(raw, "intermedio")["min_score"] = 60
    at = score(build(raw), "alcaldia", only)
    assert at.level is not None
    assert at.level.id == "intermedio"
    node(raw, "intermedio")["min_score"] = 60.001
    below = score(build(raw), "alcaldia", only)
    assert below.level is not None
    assert below.level.id == "basico"
    assert dim(below, "gobernanza").level == below.level

    assert [Q.level_for(x).id for x in (0, 24.999, 25, 49.999, 50, 74.999, 75, 100)] == [
        "inicial",
        "inicial",
        "basico",
        "basico",
        "intermedio",
        "intermedio",
        "avanzado",
        "avanzado",
    ]


def test_ranked_strongest_first() -> None:
    s = score(Q, "alcaldia", answers(FULL))
    # 85, 71.5, 70, 60
    assert [x.id for x in s.ranked()] == [
        "hab-servicios",
        "gob-servicios",
        "hab-movilidad",
        "gob-datos",
    ]


def test_ranked_ties_follow_questionnaire_order_and_skip_unscored() -> None:
    given = answers({"GOB-SER-01": "si", "GOB-DAT-01": "alto", "HAB-MOV-01": "b"})
    # gob-servicios 100, gob-datos 100, hab-movilidad 30, hab-servicios unscored.
    assert [x.id for x in score(Q, "alcaldia", given).ranked()] == [
        "gob-servicios",
        "gob-datos",
        "hab-movilidad",
    ]
    # Swap the two subdimensions in the file: the tie follows the file, not ids or weights.
    raw = questionnaire_raw()
    subs = node(raw, "gobernanza")["subdimensions"]
    subs.reverse()
    assert [x.id for x in score(build(raw), "alcaldia", given).ranked()] == [
        "gob-datos",
        "gob-servicios",
        "hab-movilidad",
    ]


@pytest.mark.parametrize(
    ("raw", "answer", "dumped"),
    [
        ("si", Answer("option", option="si"), "si"),
        ("  parcial ", Answer("option", option="parcial"), "parcial"),
        ("no_se", Answer("dont_know"), "no_se"),
        ("omitida", Answer("skipped"), "omitida"),
        (12.5, Answer("figure", value=12.5), 12.5),
        (3, Answer("figure", value=3.0), 3.0),
        (0, Answer("figure", value=0.0), 0.0),
    ],
)
def test_answer_parse_dump_round_trip(
    raw: str | float, answer: Answer, dumped: str | float
) -> None:
    assert Answer.parse(raw) == answer
    assert answer.dump() == dumped
    assert Answer.parse(answer.dump()) == answer
    assert answer.counts == (answer.kind in ("option", "figure"))


def test_answer_parse_refuses_booleans() -> None:
    with pytest.raises(ValueError, match="verdadero/falso"):
        Answer.parse(True)
