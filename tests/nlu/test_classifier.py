"""The classifier's fast single-text path computes what scikit-learn's pipeline computes."""

from __future__ import annotations

import numpy as np
import pytest

from nlu.classifier import IntentClassifier
from nlu.text import normalize
from tests.nlu.helpers import held_out


def test_fast_path_equals_predict_proba(interpreter):
    classifier = interpreter.classifier
    texts = [e.text for e in held_out().examples] + ["", "¿¿??", "x" * 500]
    expected = classifier.probabilities(texts)
    fast = np.vstack([classifier.scores(t) for t in texts])
    np.testing.assert_allclose(fast, expected, rtol=1e-9, atol=1e-12)


def test_ranking_is_every_intent_best_first(interpreter):
    ranking = interpreter.classifier.rank("hasta cuándo hay plazo")
    assert ranking[0][0] == "info_plazos"
    assert sorted(name for name, _ in ranking) == sorted(interpreter.classifier.intents)
    confidences = [c for _, c in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)


def test_needs_two_intents():
    with pytest.raises(ValueError, match="at least two intents"):
        IntentClassifier.train(["hola", "buenas"], ["saludo", "saludo"])


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("Holaaa, ¿Cómo está?", "hola como esta"),
        ("q tal xq porfa", "que tal porque por favor"),
        ("SÍ señor", "si senor"),
        ("nose la verdad", "no se la verdad"),
    ],
)
def test_normalization_folds_accents_shorthand_and_emphasis(text, normalized):
    assert normalize(text) == normalized
