"""Intent evaluation: accuracy, macro-F1, per-intent scores and the most frequent confusions."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from nlu.base import FALLBACK, Intent, Interpreter, Parse, with_threshold
from nlu.classifier import ClassifierConfig, IntentClassifier
from nlu.rasa_data import Example, NluData


@dataclass(frozen=True, slots=True)
class IntentScore:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class Miss:
    text: str
    expected: str
    predicted: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Evaluation:
    examples: int
    accuracy: float  # the intent returned, a fallback counting as a miss (as `rasa test` does)
    macro_f1: float
    top_accuracy: float  # the best non-fallback intent of the ranking
    fallback_rate: float
    per_intent: list[IntentScore] = field(default_factory=list)
    confusions: list[tuple[str, str, int]] = field(default_factory=list)  # expected, got, n
    misses: list[Miss] = field(default_factory=list)
    latency_ms: dict[str, float] = field(default_factory=dict)  # median, p95, max per parse

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _top_intent(parse: Parse) -> str:
    for item in parse["intent_ranking"]:
        if item["name"] != FALLBACK:
            return item["name"]
    return FALLBACK


def score(
    texts: Sequence[str],
    expected: Sequence[str],
    parses: Sequence[Parse],
    *,
    top_confusions: int = 10,
) -> Evaluation:
    """Metrics for parses of `texts` against the `expected` intents (a pure function)."""
    if not (len(texts) == len(expected) == len(parses)) or not texts:
        raise ValueError("need the same, non-zero number of texts, labels and parses")
    predicted = [p["intent"]["name"] for p in parses]
    labels = sorted(set(expected))
    precision, recall, f1, support = precision_recall_fscore_support(
        expected, predicted, labels=labels, zero_division=0
    )
    per_intent = [
        IntentScore(label, float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    ]
    pairs = Counter((e, p) for e, p in zip(expected, predicted, strict=True) if e != p)
    misses = [
        Miss(t, e, p["intent"]["name"], float(p["intent"]["confidence"]))
        for t, e, p in zip(texts, expected, parses, strict=True)
        if e != p["intent"]["name"]
    ]
    return Evaluation(
        examples=len(texts),
        accuracy=float(accuracy_score(expected, predicted)),
        macro_f1=float(
            f1_score(expected, predicted, labels=labels, average="macro", zero_division=0)
        ),
        top_accuracy=float(
            np.mean([e == _top_intent(p) for e, p in zip(expected, parses, strict=True)])
        ),
        fallback_rate=float(np.mean([p == FALLBACK for p in predicted])),
        per_intent=per_intent,
        confusions=[(e, p, n) for (e, p), n in pairs.most_common(top_confusions)],
        misses=misses,
    )


async def evaluate(interpreter: Interpreter, examples: Sequence[Example]) -> Evaluation:
    """Parse every example with `interpreter`, one at a time, and score the intents.

    Parses run sequentially so that the latency figures are those of one user's message.
    """
    parses: list[Parse] = []
    elapsed: list[float] = []
    for example in examples:
        started = time.perf_counter()
        parses.append(await interpreter.parse(example.text))
        elapsed.append((time.perf_counter() - started) * 1000.0)
    evaluation = score([e.text for e in examples], [e.intent for e in examples], parses)
    times = np.asarray(elapsed)
    latency = {
        "median": float(np.median(times)),
        "p95": float(np.percentile(times, 95)),
        "max": float(times.max()),
    }
    return replace(evaluation, latency_ms=latency)


@dataclass(frozen=True, slots=True)
class CrossValidation:
    folds: int
    evaluation: Evaluation
    confidences: list[float]  # top probability per example, out of fold
    correct: list[bool]  # whether the top intent was right, out of fold


def cross_validate(
    data: NluData,
    *,
    folds: int = 5,
    threshold: float = 0.0,
    config: ClassifierConfig | None = None,
    seed: int = 0,
) -> CrossValidation:
    """Stratified k-fold cross-validation of the embedded classifier on training data."""
    texts = [e.text for e in data.examples]
    labels = [e.intent for e in data.examples]
    parses: list[Parse | None] = [None] * len(texts)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(texts, labels):
        model = IntentClassifier.train(
            [texts[i] for i in train_idx], [labels[i] for i in train_idx], config
        )
        for i in test_idx:
            ranking = [Intent(name=n, confidence=c) for n, c in model.rank(texts[i])[:10]]
            parse = Parse(text=texts[i], intent=ranking[0], intent_ranking=ranking, entities=[])
            parses[i] = with_threshold(parse, threshold)
    done = [p for p in parses if p is not None]
    evaluation = score(texts, labels, done)
    confidences = [
        float(next(r["confidence"] for r in p["intent_ranking"] if r["name"] != FALLBACK))
        for p in done
    ]
    correct = [label == _top_intent(p) for label, p in zip(labels, done, strict=True)]
    return CrossValidation(folds, evaluation, confidences, correct)


def threshold_table(
    confidences: Sequence[float], correct: Sequence[bool], thresholds: Sequence[float]
) -> list[dict[str, float]]:
    """For each threshold: share accepted, accuracy of accepted, wrong accepted, right rejected."""
    conf = np.asarray(confidences)
    ok = np.asarray(correct, dtype=bool)
    rows = []
    for threshold in thresholds:
        accepted = conf >= threshold
        rows.append(
            {
                "threshold": float(threshold),
                "coverage": float(accepted.mean()),
                "accuracy_accepted": float(ok[accepted].mean()) if accepted.any() else 0.0,
                "wrong_accepted": float((accepted & ~ok).mean()),
                "right_rejected": float((~accepted & ok).mean()),
            }
        )
    return rows
