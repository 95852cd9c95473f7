"""Export our training data as a trainable Rasa 3.6 NLU project (`rasa train nlu`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from nlu import rasa_data
from nlu.embedded import DEFAULT_THRESHOLD

RASA_VERSION = "3.6.21"


def rasa_config(*, epochs: int = 100, threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """The DIET pipeline Rasa recommends, tuned only for Spanish accents and our fallback."""
    return {
        "recipe": "default.v1",
        "language": "es",
        "assistant_id": "asistente-cti",
        "pipeline": [
            {"name": "WhitespaceTokenizer"},
            {"name": "RegexFeaturizer"},
            {"name": "LexicalSyntacticFeaturizer"},
            {"name": "CountVectorsFeaturizer", "strip_accents": "unicode"},
            {
                "name": "CountVectorsFeaturizer",
                "analyzer": "char_wb",
                "min_ngram": 1,
                "max_ngram": 4,
                "strip_accents": "unicode",
            },
            # Intents only: the assistant takes entities from its own extractor (DANE codes,
            # emails, options), so DIET's entity head would be trained for nothing.
            {
                "name": "DIETClassifier",
                "epochs": epochs,
                "constrain_similarities": True,
                "entity_recognition": False,
            },
            {"name": "FallbackClassifier", "threshold": threshold, "ambiguity_threshold": 0.1},
        ],
        "policies": [],
    }


def rasa_domain(data: rasa_data.NluData) -> dict[str, Any]:
    entities = sorted({a.entity for e in data.examples for a in e.entities})
    return {
        "version": "3.1",
        "intents": list(data.intents),
        "entities": entities,
        "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True},
    }


def _dump(value: dict[str, Any]) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)


def export_rasa(
    data_dir: Path,
    out_dir: Path,
    *,
    epochs: int = 100,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Path]:
    """Write config.yml, domain.yml and data/nlu.yml under `out_dir`; returns the paths."""
    data = rasa_data.load(data_dir)
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    written = {
        out_dir / "config.yml": _dump(rasa_config(epochs=epochs, threshold=threshold)),
        out_dir / "domain.yml": _dump(rasa_domain(data)),
        out_dir / "data" / "nlu.yml": rasa_data.to_yaml(data),
    }
    for path, text in written.items():
        path.write_text(text, encoding="utf-8")
    return list(written)
