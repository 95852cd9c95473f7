"""Invariants of scoring over generated questionnaires and answer sets (hypothesis)."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.scoring import Answer, Score, Scores, item_scores, score
from dialogues.questionnaire import (
    DONT_KNOW,
    SKIPPED,
    Figure,
    Kind,
    Option,
    Questionnaire,
    load_questionnaire,
)
from tests.factories import build, questionnaire_raw

# Each property stays under ~200 examples so the suite stays fast on a 2-core CI machine.
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
V1 = Path(__file__).resolve().parent.parent / "data" / "questionnaire" / "v1.yml"
MEASUREMENTS = ("capacidades", "resultados", "percepcion")

# --- generated questionnaires --------------------------------------------------------------------


@st.composite
def _weights(draw: st.DrawFn, n: int) -> list[str]:
    """n positive weights written as exact fractions that sum to 1."""
    parts = draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
    return [str(Fraction(p, sum(parts))) for p in parts]


_scores = st.one_of(st.integers(0, 100), st.floats(0, 100, allow_nan=False))


@st.composite
def _options(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(2, 4))
    return [{"id": f"o{i}", "text": f"Opción {i}", "score": draw(_scores)} for i in range(n)]


@st.composite
def _figure(draw: st.DrawFn) -> dict[str, Any]:
    low = draw(st.integers(-50, 50))
    steps = draw(st.lists(st.floats(0.5, 40, allow_nan=False), min_size=1, max_size=3))
    starts = [float(low)]
    for step in steps:
        starts.append(starts[-1] + step)
    figure: dict[str, Any] = {
        "unit": "u",
        "min": low,
        "bands": [{"from": start, "score": draw(_scores)} for start in starts],
    }
    if draw(st.booleans()):
        figure["max"] = starts[-1] + draw(st.floats(0, 30, allow_nan=False))
        if figure["max"] <= low:
            figure["max"] = starts[-1] + 1
    return figure


@st.composite
def _question(draw: st.DrawFn, qid: str) -> dict[str, Any]:
    question: dict[str, Any] = {
        "id": qid,
        "text": f"¿{qid}?",
        "help": "Ayuda.",
        "measurement": draw(st.sampled_from(["capacidades", "resultados"])),
        "applies_to": draw(st.sampled_from(["alcaldia", "gobernacion", "ambos"])),
        "axes": draw(st.lists(st.sampled_from(["e0", "e1", "e2"]), max_size=2, unique=True)),
    }
    if draw(st.booleans()):
        question["options"] = draw(_options())
    else:
        question["figure"] = draw(_figure())
    return question


@st.composite
def generated_questionnaires(draw: st.DrawFn) -> Questionnaire:
    raw = questionnaire_raw()
    raw["axes"] = [{"id": f"e{i}", "name": f"Eje {i}"} for i in range(3)]
    for m, w in zip(raw["measurements"], draw(_weights(3)), strict=True):
        m["weight"] = w
    thresholds = sorted(draw(st.sets(st.integers(1, 100), min_size=1, max_size=4)))
    raw["levels"] = [
        {"id": f"n{i}", "name": f"Nivel {i}", "min_score": t, "description": "Nivel."}
        for i, t in enumerate([0, *thresholds])
    ]
    dimensions = []
    sub_ids: list[str] = []
    n_dims = draw(st.integers(1, 3))
    for d, dw in enumerate(draw(_weights(n_dims))):
        n_subs = draw(st.integers(1, 3))
        subs = []
        for s, sw in enumerate(draw(_weights(n_subs))):
            sub_ids.append(f"s{d}{s}")
            n_questions = draw(st.integers(1, 3))
            subs.append(
                {
                    "id": f"s{d}{s}",
                    "name": f"Sub {d}{s}",
                    "weight": sw,
                    "recommendation": {
                        "next_step": "Paso.",
                        "accompaniment": "Acompañamiento.",
                        "cofinancing": ["equipos"],
                    },
                    "questions": [draw(_question(f"q{d}{s}{k}")) for k in range(n_questions)],
                }
            )
        dimensions.append({"id": f"d{d}", "name": f"Dim {d}", "weight": dw, "subdimensions": subs})
    raw["dimensions"] = dimensions
    n_items = draw(st.integers(0, 3))
    raw["perception"]["items"] = [
        {
            "id": f"p{k}",
            "subdimension": draw(st.sampled_from(sub_ids)),
            "text": "Afirmación.",
            "options": draw(_options()),
        }
        for k in range(n_items)
    ]
    return build(raw)


questionnaires = st.one_of(st.just(build()), generated_questionnaires())

# --- generated answers ---------------------------------------------------------------------------


def _options_of(q: Questionnaire, item_id: str) -> tuple[Option, ...] | None:
    if item_id in q.perception_index:
        return q.perception_index[item_id].options
    return q.question_index[item_id][2].options


def _figure_of(q: Questionnaire, item_id: str) -> Figure | None:
    if item_id in q.perception_index:
        return None
    return q.question_index[item_id][2].figure


def _in_band(figure: Figure, index: int) -> st.SearchStrategy[float]:
    """Values that fall in band `index` (its start included, to hit the edge often)."""
    start = figure.bands[index].from_
    if index + 1 < len(figure.bands):
        inside = st.floats(start, figure.bands[index + 1].from_, exclude_max=True)
    elif figure.max is not None:
        inside = st.floats(start, figure.max)
    else:
        inside = st.floats(start, start + 1e6)
    edges = [start] if figure.max is None or index + 1 < len(figure.bands) else [start, figure.max]
    return st.one_of(st.sampled_from(edges), inside)


@st.composite
def _counted(draw: st.DrawFn, q: Questionnaire, item_id: str) -> Answer:
    figure = _figure_of(q, item_id)
    if figure is not None:
        band = draw(st.integers(0, len(figure.bands) - 1))
        return Answer("figure", value=draw(_in_band(figure, band)))
    options = _options_of(q, item_id) or ()
    return Answer("option", option=draw(st.sampled_from([o.id for o in options])))


@st.composite
def answer_sets(draw: st.DrawFn, q: Questionnaire) -> dict[str, Answer]:
    """Any mix of answered, "no sé", skipped and absent items (non-applicable ones included)."""
    out: dict[str, Answer] = {}
    for item_id in [*q.question_index, *q.perception_index]:
        what = draw(st.sampled_from(["absent", "dont_know", "skipped", "answer", "answer"]))
        if what == "dont_know":
            out[item_id] = Answer("dont_know")
        elif what == "skipped":
            out[item_id] = Answer("skipped")
        elif what == "answer":
            out[item_id] = draw(_counted(q, item_id))
    return out


@st.composite
def cases(draw: st.DrawFn) -> tuple[Questionnaire, Kind, dict[str, Answer]]:
    q = draw(questionnaires)
    kind: Kind = draw(st.sampled_from(["alcaldia", "gobernacion"]))
    return q, kind, draw(answer_sets(q))


# --- the properties, as functions (also run over the real questionnaire below) ------------------


def all_scores(s: Scores) -> dict[str, Score]:
    """Every aggregate of one result, by a readable key."""
    out = {"overall": s.overall}
    out |= {f"measurement/{m}": x for m, x in s.measurements.items()}
    out |= {f"axis/{a}": x for a, x in s.axes.items()}
    for d in s.dimensions:
        out[f"dimension/{d.id}"] = d.score
        out |= {f"dimension/{d.id}/{m}": x for m, x in d.by_measurement.items()}
        for sub in d.subdimensions:
            out[f"subdimension/{sub.id}"] = sub.score
            out |= {f"subdimension/{sub.id}/{m}": x for m, x in sub.by_measurement.items()}
    return out


def check_bounds(q: Questionnaire, kind: Kind, given: dict[str, Answer]) -> None:
    s = score(q, kind, given)
    for value in item_scores(q, kind, given).values():
        assert value is None or 0 <= value <= 100
    for key, x in all_scores(s).items():
        assert x.value is None or 0 <= x.value <= 100, key
        assert 0 <= x.answered <= x.applicable, key
        assert (x.value is None) == (x.answered == 0), key
    assert s.level == (q.level_for(s.overall.value) if s.overall.value is not None else None)


def _better(
    q: Questionnaire, item_id: str, current: float, data: st.DataObject
) -> tuple[Answer, float]:
    """An answer to `item_id` scoring at least `current`, and the score it must get."""
    figure = _figure_of(q, item_id)
    if figure is not None:
        bands = [i for i, b in enumerate(figure.bands) if b.score >= current]
        band = data.draw(st.sampled_from(bands), label=f"band of {item_id}")
        value = data.draw(_in_band(figure, band), label=f"value of {item_id}")
        return Answer("figure", value=value), figure.bands[band].score
    options = [o for o in _options_of(q, item_id) or () if o.score >= current]
    option = data.draw(st.sampled_from(options), label=f"option of {item_id}")
    return Answer("option", option=option.id), option.score


def check_monotone(
    q: Questionnaire,
    kind: Kind,
    given: dict[str, Answer],
    data: st.DataObject,
    limit: int | None = None,
) -> None:
    """Replace counted answers in turn (`limit` of them at most) by ones scoring at least as much:
    nothing may go down."""
    before = all_scores(score(q, kind, given))
    current = item_scores(q, kind, given)
    counted = [i for i, v in current.items() if v is not None]
    if limit is not None and len(counted) > limit:
        counted = data.draw(st.permutations(counted), label="items to improve")[:limit]
    for item_id in counted:
        answer, expected = _better(q, item_id, current[item_id] or 0, data)
        changed = {**given, item_id: answer}
        assert item_scores(q, kind, changed)[item_id] == expected
        after = all_scores(score(q, kind, changed))
        for key, x in before.items():
            y = after[key]
            assert (x.answered, x.applicable) == (y.answered, y.applicable), key
            if x.value is None:
                assert y.value is None, key
            else:
                assert y.value is not None, key
                assert y.value >= x.value, (item_id, key, x.value, y.value)


def check_order_free(
    q: Questionnaire, kind: Kind, given: dict[str, Answer], data: st.DataObject
) -> None:
    shuffled = dict(data.draw(st.permutations(list(given.items())), label="order"))
    assert score(q, kind, shuffled) == score(q, kind, given)


def _keys(dimension: str, subdimension: str, measurement: str) -> list[str]:
    """The `all_scores` keys an item of this place and measurement counts towards."""
    return [
        "overall",
        f"measurement/{measurement}",
        f"dimension/{dimension}",
        f"dimension/{dimension}/{measurement}",
        f"subdimension/{subdimension}",
        f"subdimension/{subdimension}/{measurement}",
    ]


def check_coverage_exact(q: Questionnaire, kind: Kind, given: dict[str, Answer]) -> None:
    """Count applicable and answered items by walking the questionnaire, not through scoring."""
    applicable: Counter[str] = Counter()
    answered: Counter[str] = Counter()

    def count(keys: list[str], item_id: str) -> None:
        answer = given.get(item_id)
        counted = answer is not None and answer.kind in ("option", "figure")
        for key in keys:
            applicable[key] += 1
            answered[key] += counted

    for d in q.dimensions:
        for sub in d.subdimensions:
            for question in sub.questions:
                if question.applies_to not in ("ambos", kind):
                    continue
                keys = [f"axis/{a}" for a in question.axes]
                keys += _keys(d.id, sub.id, question.measurement)
                count(keys, question.id)
    for item in q.perception.items if q.perception else ():
        d_id = next(
            d.id for d in q.dimensions for s in d.subdimensions if s.id == item.subdimension
        )
        count(_keys(d_id, item.subdimension, "percepcion"), item.id)

    for key, x in all_scores(score(q, kind, given)).items():
        assert (x.answered, x.applicable) == (answered[key], applicable[key]), key
        expected = Fraction(answered[key], applicable[key]) if applicable[key] else Fraction(0)
        assert x.coverage == expected, key
        assert isinstance(x.coverage, Fraction)


def check_dont_know_neutral(
    q: Questionnaire, kind: Kind, given: dict[str, Answer], data: st.DataObject
) -> None:
    """Marking an unanswered item "no sé" (or skipped) changes nothing, coverage included."""
    open_items = [
        i for i in [*q.question_index, *q.perception_index] if i not in given or not given[i].counts
    ]
    if not open_items:
        return
    item_id = data.draw(st.sampled_from(open_items), label="open item")
    word = data.draw(st.sampled_from([DONT_KNOW, SKIPPED]), label="word")
    before = score(q, kind, given)
    after = score(q, kind, {**given, item_id: Answer.parse(word)})
    assert after == before
    assert after.overall.coverage == before.overall.coverage


def check_deterministic(q: Questionnaire, kind: Kind, given: dict[str, Answer]) -> None:
    first = score(q, kind, given)
    again = score(q, kind, dict(given))
    assert first == again
    assert all_scores(first) == all_scores(again)
    # A fresh copy of the same questionnaire gives the same result too.
    assert score(q.model_copy(deep=True), kind, given) == first


# --- the properties over generated (and the factory) questionnaires -----------------------------


@PROPERTY
@given(cases())
def test_every_score_within_bounds(case: tuple[Questionnaire, Kind, dict[str, Answer]]) -> None:
    check_bounds(*case)


@PROPERTY
@given(cases(), st.data())
def test_better_answer_never_lowers_any_score(
    case: tuple[Questionnaire, Kind, dict[str, Answer]], data: st.DataObject
) -> None:
    check_monotone(*case, data)


@PROPERTY
@given(cases(), st.data())
def test_answer_order_changes_nothing(
    case: tuple[Questionnaire, Kind, dict[str, Answer]], data: st.DataObject
) -> None:
    check_order_free(*case, data)


@PROPERTY
@given(cases())
def test_coverage_is_exact(case: tuple[Questionnaire, Kind, dict[str, Answer]]) -> None:
    check_coverage_exact(*case)


@PROPERTY
@given(cases(), st.data())
def test_dont_know_changes_no_score(
    case: tuple[Questionnaire, Kind, dict[str, Answer]], data: st.DataObject
) -> None:
    check_dont_know_neutral(*case, data)


@PROPERTY
@given(cases())
def test_scores_are_deterministic(case: tuple[Questionnaire, Kind, dict[str, Answer]]) -> None:
    check_deterministic(*case)


@PROPERTY
@given(questionnaires, st.data())
def test_answer_round_trips_through_its_stored_form(q: Questionnaire, data: st.DataObject) -> None:
    given_ = data.draw(answer_sets(q))
    assert {k: Answer.parse(a.dump()) for k, a in given_.items()} == given_


# --- the same properties over the real questionnaire, when it loads -----------------------------


@pytest.fixture(scope="module")
def real_questionnaire() -> Questionnaire:
    # The shipped questionnaire must load: if it does not, these properties fail, never skip.
    return load_questionnaire(V1)


@settings(PROPERTY, max_examples=40)
@given(data=st.data())
def test_properties_hold_on_the_real_questionnaire(
    real_questionnaire: Questionnaire, data: st.DataObject
) -> None:
    q = real_questionnaire
    kind: Kind = data.draw(st.sampled_from(["alcaldia", "gobernacion"]), label="kind")
    given_ = data.draw(answer_sets(q), label="answers")
    check_bounds(q, kind, given_)
    check_coverage_exact(q, kind, given_)
    check_order_free(q, kind, given_, data)
    check_monotone(q, kind, given_, data, limit=6)
    check_dont_know_neutral(q, kind, given_, data)
    check_deterministic(q, kind, given_)
