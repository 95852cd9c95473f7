"""The intent classifier: TF-IDF over character and word n-grams, then logistic regression.

Chosen by 5-fold cross-validation on `data/nlu` (`bench/nlu_bench.py` prints it; figures in the
README's NLU section): character n-grams absorb typos, missing accents and inflection; word
bigrams keep phrases like "no sé" apart from "no". Logistic regression gives usable
probabilities for the fallback threshold without a separate calibration step.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from nlu.text import normalize, request_part

# What a request part is never taken for: the courtesy around a request.
_SMALL_TALK = frozenset({"saludo", "agradecer", "despedida"})

# Bump when features or model change, so cached artefacts are rebuilt.
CODE_VERSION = "2"


@dataclass(frozen=True, slots=True)
class ClassifierConfig:
    c: float = 30.0  # inverse regularisation; larger trusts the (small, clean) data more
    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    max_iter: int = 3000


def build_pipeline(config: ClassifierConfig | None = None) -> Pipeline:
    """An untrained scikit-learn pipeline: raw text in, intent probabilities out."""
    config = config or ClassifierConfig()
    features = FeatureUnion(
        [
            (
                "char",
                TfidfVectorizer(
                    preprocessor=normalize,
                    analyzer="char_wb",
                    ngram_range=config.char_ngrams,
                    sublinear_tf=True,
                ),
            ),
            (
                "word",
                TfidfVectorizer(
                    preprocessor=normalize,
                    analyzer="word",
                    token_pattern=r"\w+",
                    ngram_range=config.word_ngrams,
                    sublinear_tf=True,
                ),
            ),
        ]
    )
    # newton-cg reaches the same optimum as lbfgs here in a third of the time.
    model = LogisticRegression(C=config.c, max_iter=config.max_iter, solver="newton-cg")
    return Pipeline([("features", features), ("model", model)])


class _Block:
    """One fitted TF-IDF vectorizer, applied to a single text without sklearn's overhead."""

    def __init__(self, vectorizer: TfidfVectorizer, offset: int) -> None:
        self.analyze: Callable[[str], list[str]] = vectorizer.build_analyzer()
        self.columns = {term: offset + col for term, col in vectorizer.vocabulary_.items()}
        self.idf = {offset + col: float(w) for col, w in enumerate(vectorizer.idf_)}
        self.sublinear = bool(vectorizer.sublinear_tf)

    def features(self, text: str) -> dict[int, float]:
        counts = Counter(self.columns[t] for t in self.analyze(text) if t in self.columns)
        weights = {
            col: ((1.0 + math.log(n)) if self.sublinear else float(n)) * self.idf[col]
            for col, n in counts.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {col: w / norm for col, w in weights.items()} if norm else {}


class IntentClassifier:
    """A trained pipeline with a ranking API.

    `rank` computes exactly what `pipeline.predict_proba` would for one text, but directly
    from the fitted vocabularies and coefficients: a tenth of the latency, same numbers.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self._adopt(pipeline)

    def _adopt(self, pipeline: Pipeline) -> None:
        # Also the unpickling path: only the pipeline is pickled, the fast path is rebuilt.
        self.pipeline = pipeline
        self.intents: tuple[str, ...] = tuple(str(c) for c in pipeline.classes_)
        model: LogisticRegression = pipeline.named_steps["model"]
        if model.coef_.shape[0] != len(self.intents):
            raise ValueError("expected a multinomial model with one row per intent")
        self._coef = np.ascontiguousarray(model.coef_.T)  # features x intents
        self._intercept = model.intercept_.copy()
        self._blocks = []
        offset = 0
        for _, vectorizer in pipeline.named_steps["features"].transformer_list:
            self._blocks.append(_Block(vectorizer, offset))
            offset += len(vectorizer.vocabulary_)

    def __getstate__(self) -> dict[str, Any]:
        return {"pipeline": self.pipeline}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._adopt(state["pipeline"])

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        intents: Sequence[str],
        config: ClassifierConfig | None = None,
    ) -> IntentClassifier:
        if len(set(intents)) < 2:
            raise ValueError("training data needs at least two intents")
        pipeline = build_pipeline(config)
        pipeline.fit(list(texts), list(intents))
        return cls(pipeline)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Rows of probabilities over `self.intents`."""
        return np.asarray(self.pipeline.predict_proba(list(texts)))

    def scores(self, text: str) -> np.ndarray:
        """Probabilities over `self.intents` for one text (the fast path)."""
        features: dict[int, float] = {}
        for block in self._blocks:
            features.update(block.features(text))
        logits = self._intercept.copy()
        if features:
            columns = np.fromiter(features.keys(), dtype=np.intp, count=len(features))
            weights = np.fromiter(features.values(), dtype=np.float64, count=len(features))
            logits += weights @ self._coef[columns]
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Every intent with its probability, most likely first.

        A message that opens with a salutation or a self-introduction is read by its request
        part when that part says more than the whole ("buenas tardes, le habla la secretaria
        de planeación, quería saber el plazo" is about the deadline, not a greeting); what is
        left of a courtesy ("gracias, me sirvió mucho" -> "me sirvió mucho") is no request.
        """
        row = self.scores(text)
        part = request_part(text)
        if part != normalize(text):
            row_part = self.scores(part)
            whole_top = self.intents[int(np.argmax(row))]
            part_top = self.intents[int(np.argmax(row_part))]
            if part_top not in _SMALL_TALK and (
                whole_top == "saludo" or row_part.max() >= row.max()
            ):
                row = row_part
        order = np.argsort(-row, kind="stable")
        return [(self.intents[i], float(row[i])) for i in order]
