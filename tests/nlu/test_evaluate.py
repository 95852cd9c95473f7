"""The evaluation arithmetic, on cases small enough to check by hand."""

from __future__ import annotations

import pytest

from nlu.base import FALLBACK, make_parse
from nlu.evaluate import evaluate, score, threshold_table
from nlu.rasa_data import Example
from nlu.rules import RuleInterpreter


def test_score_by_hand():
    texts = ["hola", "chao", "sí", "no", "eh"]
    expected = ["saludo", "despedida", "afirmar", "negar", "negar"]
    parses = [
        make_parse("hola", "saludo", 0.9),
        make_parse("chao", "saludo", 0.6),
        make_parse("sí", "afirmar", 0.99),
        make_parse("no", "negar", 0.97),
        make_parse("eh", FALLBACK, 0.45),
    ]
    result = score(texts, expected, parses)
    assert result.examples == 5
    assert result.accuracy == pytest.approx(3 / 5)
    assert result.fallback_rate == pytest.approx(1 / 5)
    f1 = {s.intent: s.f1 for s in result.per_intent}
    # saludo: precision 1/2, recall 1 -> 2/3; despedida 0; afirmar 1; negar: p 1, r 1/2 -> 2/3
    assert f1 == pytest.approx({"saludo": 2 / 3, "despedida": 0.0, "afirmar": 1.0, "negar": 2 / 3})
    assert result.macro_f1 == pytest.approx((2 / 3 + 0 + 1 + 2 / 3) / 4)
    assert sorted(result.confusions) == [("despedida", "saludo", 1), ("negar", FALLBACK, 1)]
    assert [m.text for m in result.misses] == ["chao", "eh"]


def test_score_needs_matching_non_empty_inputs():
    with pytest.raises(ValueError):
        score([], [], [])
    with pytest.raises(ValueError):
        score(["a"], ["saludo", "negar"], [make_parse("a", "saludo", 1.0)])


async def test_evaluate_measures_latency_per_message():
    examples = [Example("no sé", "no_sabe", "no sé"), Example("hola", "saludo", "hola")]
    result = await evaluate(RuleInterpreter(), examples)
    assert result.accuracy == 1.0
    assert set(result.latency_ms) == {"median", "p95", "max"}
    assert 0 <= result.latency_ms["median"] <= result.latency_ms["max"]


def test_threshold_table():
    rows = threshold_table([0.9, 0.5, 0.3, 0.2], [True, True, False, True], [0.0, 0.4])
    assert rows[0]["coverage"] == 1.0 and rows[0]["accuracy_accepted"] == 0.75
    assert rows[1] == {
        "threshold": 0.4,
        "coverage": 0.5,
        "accuracy_accepted": 1.0,
        "wrong_accepted": 0.0,
        "right_rejected": 0.25,
    }
