"""The default interpreter: an in-process classifier trained from the Rasa YAML files.

Training takes a second or two; the trained artefact is cached on disk under a name derived from
a hash of the training files and the code version, so a restart with unchanged data loads it in
milliseconds and any change to the data retrains. The cache holds pickles written by this module
only: point `cache_dir` at a directory nobody else writes to.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import pickle
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sklearn
from rapidfuzz import fuzz, process

from nlu import rasa_data
from nlu.base import FALLBACK, Intent, Parse, with_threshold
from nlu.classifier import CODE_VERSION, ClassifierConfig, IntentClassifier
from nlu.entities import EntityExtractor
from nlu.places import Gazetteer
from nlu.text import meaningful_words

log = logging.getLogger(__name__)

# The default of `config.yml` (nlu.threshold), from the cross-validated threshold table that
# `bench/nlu_bench.py` prints: it keeps wrong guesses near 7 % of messages while asking back
# about 12 % that would have been right; a lower one guesses wrong more often than it helps.
DEFAULT_THRESHOLD = 0.45
RANKING_SIZE = 10
_CACHE_PREFIX = "intent-classifier-"


@dataclass(frozen=True, slots=True)
class TrainInfo:
    fingerprint: str
    from_cache: bool
    seconds: float
    examples: int


def fingerprint(files: list[Path], config: ClassifierConfig) -> str:
    """Hash of the training files' names and bytes, the code version and the model settings."""
    digest = hashlib.sha256()
    digest.update(f"{CODE_VERSION}|{sklearn.__version__}|{config!r}".encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class EmbeddedInterpreter:
    """`Interpreter` over a scikit-learn classifier plus rule-based entity extraction.

    Call `train()` (or `await warm_up()`) at start-up; otherwise the first `parse` trains.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        divipola: Path | None = None,
        cache_dir: Path | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        config: ClassifierConfig | None = None,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be within [0, 1], got {threshold}")
        self.data_dir = data_dir
        self.divipola = divipola
        self.cache_dir = cache_dir
        self.threshold = threshold
        self.config = config or ClassifierConfig()
        self._classifier: IntentClassifier | None = None
        self._extractor: EntityExtractor | None = None
        self._vocabulary: frozenset[str] = frozenset()
        self.info: TrainInfo | None = None

    # -- training --------------------------------------------------------------------------

    def train(self, *, force: bool = False) -> TrainInfo:
        """Load the cached classifier for the current data, or train and cache one."""
        started = time.perf_counter()
        files = rasa_data.data_files(self.data_dir)
        data = rasa_data.load(files)
        key = fingerprint(files, self.config)
        classifier = None if force else self._load_cached(key)
        from_cache = classifier is not None
        if classifier is None:
            classifier = IntentClassifier.train(
                [e.text for e in data.examples], [e.intent for e in data.examples], self.config
            )
            self._store(key, classifier)
        gazetteer = Gazetteer.from_csv(self.divipola, data.synonyms) if self.divipola else None
        self._vocabulary = frozenset(w for e in data.examples for w in meaningful_words(e.text))
        self._classifier = classifier
        self._extractor = EntityExtractor(gazetteer)
        self.info = TrainInfo(key, from_cache, time.perf_counter() - started, len(data.examples))
        log.info(
            "NLU classifier %s (%d examples, %.2f s)",
            "loaded from cache" if from_cache else "trained",
            len(data.examples),
            self.info.seconds,
        )
        return self.info

    async def warm_up(self) -> TrainInfo:
        """`train()` in a worker thread, so start-up does not block the event loop."""
        return await asyncio.to_thread(self.train)

    def cache_path(self, key: str) -> Path | None:
        return self.cache_dir / f"{_CACHE_PREFIX}{key[:24]}.pkl" if self.cache_dir else None

    def _load_cached(self, key: str) -> IntentClassifier | None:
        path = self.cache_path(key)
        if path is None or not path.exists():
            return None
        try:
            with path.open("rb") as handle:
                stored = pickle.load(handle)
        except Exception as exc:  # a truncated or foreign file is only a cache miss
            log.warning("ignoring unreadable NLU cache %s: %s", path, exc)
            return None
        if not isinstance(stored, dict) or stored.get("key") != key:
            return None
        classifier = stored.get("classifier")
        return classifier if isinstance(classifier, IntentClassifier) else None

    def _store(self, key: str, classifier: IntentClassifier) -> None:
        path = self.cache_path(key)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a concurrent reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump({"key": key, "classifier": classifier}, handle, pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for stale in path.parent.glob(f"{_CACHE_PREFIX}*.pkl"):
            if stale != path:
                stale.unlink(missing_ok=True)

    # -- parsing ---------------------------------------------------------------------------

    @property
    def classifier(self) -> IntentClassifier:
        if self._classifier is None:
            self.train()
        assert self._classifier is not None
        return self._classifier

    @property
    def extractor(self) -> EntityExtractor:
        if self._extractor is None:
            self.train()
        assert self._extractor is not None
        return self._extractor

    def parse_sync(self, text: str, *, expect_place: bool = False) -> Parse:
        """Rasa's `/model/parse` result; `nlu_fallback` first when unsure."""
        entities = self.extractor.extract(text, expect_place=expect_place)
        if not text.strip():
            fallback = Intent(name=FALLBACK, confidence=1.0)
            return Parse(text=text, intent=fallback, intent_ranking=[fallback], entities=entities)
        ranking = [
            Intent(name=name, confidence=round(p, 6))
            for name, p in self.classifier.rank(text)[:RANKING_SIZE]
        ]
        parse = Parse(text=text, intent=ranking[0], intent_ranking=ranking, entities=entities)
        if not self.knows_a_word(text):
            # Character n-grams find *something* in any string ("qqq" looks like "q es"):
            # a message without one word the training data uses is not understood.
            return with_threshold(parse, 1.0, RANKING_SIZE)
        return with_threshold(parse, self.threshold, RANKING_SIZE)

    def knows_a_word(self, text: str) -> bool:
        """Whether some word of `text` is in the training vocabulary, typos allowed."""
        vocabulary = self._vocabulary
        for word in meaningful_words(text):
            if word in vocabulary:
                return True
            if len(word) >= 4 and process.extractOne(
                word, vocabulary, scorer=fuzz.ratio, score_cutoff=80
            ):
                return True
        return False

    async def parse(self, text: str) -> Parse:
        return self.parse_sync(text)
