"""`cti nlu export`: a Rasa project that Rasa can train (the `rasa` test trains it for real)."""

from __future__ import annotations

import yaml

from nlu import rasa_data
from nlu.base import INTENTS
from nlu.export import export_rasa
from tests.nlu.helpers import NLU_DATA


def test_export_writes_config_domain_and_the_training_data(tmp_path):
    paths = export_rasa(NLU_DATA, tmp_path, epochs=40, threshold=0.5)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in paths) == [
        "config.yml",
        "data/nlu.yml",
        "domain.yml",
    ]
    config = yaml.safe_load((tmp_path / "config.yml").read_text(encoding="utf-8"))
    assert config["language"] == "es"
    steps = {step["name"]: step for step in config["pipeline"]}
    assert steps["DIETClassifier"]["epochs"] == 40
    assert steps["FallbackClassifier"]["threshold"] == 0.5
    domain = yaml.safe_load((tmp_path / "domain.yml").read_text(encoding="utf-8"))
    assert domain["version"] == "3.1"
    assert sorted(domain["intents"]) == sorted(INTENTS)
    exported = rasa_data.load(tmp_path / "data" / "nlu.yml")
    original = rasa_data.load(NLU_DATA)
    assert exported.examples == original.examples
    assert exported.synonyms == original.synonyms
    assert exported.lookups == original.lookups
    # Rasa reads YAML 1.2, where an unquoted 05148 would be a number.
    assert 'synonym: "05148"' in (tmp_path / "data" / "nlu.yml").read_text(encoding="utf-8")
