"""The training and held-out data: the fixed intent inventory, enough varied examples, no leaks."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
import yaml

from nlu import rasa_data
from nlu.base import INTENTS
from nlu.rules import rule_intent
from nlu.text import normalize
from tests.nlu.helpers import DATA, NLU_DATA, TEST_DIR, held_out

TRAINING = rasa_data.load(NLU_DATA)
MIN_EXAMPLES = 25
MIN_HELD_OUT = 10


def test_every_file_is_rasa_3_1_nlu_data():
    for path in [*rasa_data.data_files(NLU_DATA), *rasa_data.data_files(TEST_DIR)]:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert document["version"] == "3.1", path
        assert isinstance(document["nlu"], list), path


def test_exactly_the_intent_inventory_with_enough_examples():
    counts = Counter(e.intent for e in TRAINING.examples)
    assert set(counts) == set(INTENTS)
    thin = {intent: n for intent, n in counts.items() if n < MIN_EXAMPLES}
    assert not thin, f"fewer than {MIN_EXAMPLES} examples: {thin}"


def test_no_text_is_taught_as_two_intents():
    labels: dict[str, set[str]] = {}
    for example in TRAINING.examples:
        labels.setdefault(normalize(example.text), set()).add(example.intent)
    assert {t: i for t, i in labels.items() if len(i) > 1} == {}


def test_held_out_set_covers_every_intent_and_never_appears_in_training():
    test = held_out()
    counts = Counter(e.intent for e in test.examples)
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= MIN_HELD_OUT
    trained = {normalize(e.text) for e in TRAINING.examples}
    leaked = [e.text for e in test.examples if normalize(e.text) in trained]
    assert leaked == []


def test_training_is_varied_informal_and_colombian():
    texts = [normalize(e.text) for e in TRAINING.examples]
    raw = " ".join(e.text for e in TRAINING.examples).casefold()
    words = Counter(w for t in texts for w in t.split())
    assert len(words) > 900  # vocabulary, not one phrase reworded
    for shorthand in (" q ", " xq ", "porfa", "grax"):
        assert shorthand in f" {raw} ", shorthand
    for colombian in ("sumercé", "parce", "hágale", "quiubo"):
        assert colombian in raw, colombian
    unaccented = sum(1 for e in TRAINING.examples if e.text.isascii())
    assert unaccented / len(TRAINING.examples) > 0.3  # many written without accents


def test_rules_agree_with_the_training_labels():
    """`RulesFirst` overrules the classifier wherever a rule matches: it must never contradict."""
    disagreements = [
        (e.text, e.intent, rule_intent(e.text))
        for e in [*TRAINING.examples, *held_out().examples]
        if rule_intent(e.text) not in (None, e.intent)
    ]
    assert disagreements == []


def test_annotated_entities_and_synonyms_are_real_dane_codes():
    with (DATA / "divipola.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = {r["muni_code"] for r in rows} | {r["dept_code"] for r in rows}
    annotated = [a for e in TRAINING.examples for a in e.entities]
    assert annotated, "some examples carry entity annotations"
    assert {a.value for a in annotated} <= codes
    assert set(TRAINING.synonyms) <= codes
    assert {a.entity for a in annotated} <= {"municipio", "departamento", "email", "ticket"}


@pytest.mark.parametrize("intent", INTENTS)
def test_each_intent_has_short_and_long_examples(intent):
    lengths = [len(e.text.split()) for e in TRAINING.examples if e.intent == intent]
    assert min(lengths) <= 3 and max(lengths) >= 4, (intent, lengths)
