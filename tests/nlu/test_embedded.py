"""The default interpreter: Rasa's parse shape, the fallback, the cache, and held-out quality."""

from __future__ import annotations

import shutil

import pytest

from nlu.base import FALLBACK, INTENTS
from nlu.embedded import EmbeddedInterpreter
from nlu.evaluate import evaluate
from nlu.rules import RulesFirst
from tests.nlu.helpers import NLU_DATA, THRESHOLD, held_out

# Measured on data/nlu/test (346 held-out examples) with config.yml's threshold 0.45: accuracy
# 0.974, macro-F1 0.983, fallback 2.0 % (see README, "Comprensión del lenguaje"). The floors
# leave room for small data edits, not for a real regression.
MIN_ACCURACY = 0.93
MIN_MACRO_F1 = 0.95
MAX_FALLBACK_RATE = 0.06
MIN_INTENT_F1 = 0.75


async def test_parse_has_exactly_rasas_shape(interpreter):
    parse = await interpreter.parse("somos de la alcaldía de cartagena, escribo a ana@x.gov.co")
    assert set(parse) == {"text", "intent", "intent_ranking", "entities"}
    assert set(parse["intent"]) == {"name", "confidence"}
    assert parse["text"] == "somos de la alcaldía de cartagena, escribo a ana@x.gov.co"
    for item in parse["intent_ranking"]:
        assert set(item) == {"name", "confidence"}
        assert isinstance(item["confidence"], float)
    assert len(parse["intent_ranking"]) == 10
    for entity in parse["entities"]:
        assert set(entity) == {"entity", "start", "end", "value", "confidence"}
        assert isinstance(entity["start"], int) and isinstance(entity["value"], str)
    found = {(e["entity"], e["value"]) for e in parse["entities"]}
    assert {("municipio", "13001"), ("email", "ana@x.gov.co")} <= found


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("necesitamos que nos asesoren con la estrategia", "solicitar_asesoria"),
        ("hasta cuándo hay plazo", "info_plazos"),
        ("me equivoqué en la anterior", "corregir"),
        ("q se puede cofinanciar porfa", "info_cofinanciacion"),
        ("no tengo ese dato", "no_sabe"),
    ],
)
async def test_the_issue_examples(interpreter, text, intent):
    parse = await interpreter.parse(text)
    assert parse["intent"]["name"] == intent
    assert parse["intent"]["confidence"] >= THRESHOLD


async def test_low_confidence_is_nlu_fallback_with_candidates_after_it(interpreter):
    parse = await interpreter.parse("el acueducto veredal")
    assert parse["intent"] == {"name": FALLBACK, "confidence": THRESHOLD}
    ranking = parse["intent_ranking"]
    assert ranking[0]["name"] == FALLBACK
    assert all(r["name"] in INTENTS for r in ranking[1:])
    assert ranking[1]["confidence"] < THRESHOLD


@pytest.mark.parametrize("text", ["qqq", "zzzz", "xkcd pqr", "wwwwww", "ñññ"])
async def test_text_without_one_known_word_is_not_understood(interpreter, text):
    parse = await interpreter.parse(text)
    assert parse["intent"]["name"] == FALLBACK


@pytest.mark.parametrize(
    "text,intent",
    [
        ("kiero ase el diagnostico", "iniciar_diagnostico"),
        ("ke es el modelo de madures", "info_modelo"),
    ],
)
async def test_typos_still_count_as_known_words(interpreter, text, intent):
    assert (await interpreter.parse(text))["intent"]["name"] == intent


async def test_empty_text_is_fallback(interpreter):
    assert (await interpreter.parse("   "))["intent"]["name"] == FALLBACK


def test_threshold_must_be_a_probability():
    with pytest.raises(ValueError, match="threshold"):
        EmbeddedInterpreter(NLU_DATA, threshold=1.5)


async def test_rules_first_decides_advertised_keywords(interpreter):
    layered = RulesFirst(interpreter)
    assert (await interpreter.parse("/start"))["intent"]["name"] == FALLBACK
    parse = await layered.parse("/start")
    assert parse["intent"] == {"name": "saludo", "confidence": 1.0}
    assert FALLBACK not in [r["name"] for r in parse["intent_ranking"]]
    assert (await layered.parse("pausa"))["intent"]["name"] == "cancelar"
    # Where no rule applies the classifier's parse passes through untouched.
    text = "necesitamos que nos asesoren con la estrategia"
    assert await layered.parse(text) == await interpreter.parse(text)


async def test_embedded_meets_its_measured_figures_on_held_out_data(interpreter):
    evaluation = await evaluate(RulesFirst(interpreter), held_out().examples)
    assert evaluation.accuracy >= MIN_ACCURACY
    assert evaluation.macro_f1 >= MIN_MACRO_F1
    assert evaluation.fallback_rate <= MAX_FALLBACK_RATE
    weak = {s.intent: round(s.f1, 2) for s in evaluation.per_intent if s.f1 < MIN_INTENT_F1}
    assert weak == {}


def _copy_data(tmp_path):
    """Part of the data (greetings, thanks, yes, no...): the cache does not need all of it."""
    data = tmp_path / "nlu"
    data.mkdir()
    shutil.copy(NLU_DATA / "conversacion.yml", data)
    return data


def test_cache_loads_when_data_is_unchanged_and_retrains_when_it_changes(tmp_path):
    data, cache = _copy_data(tmp_path), tmp_path / "cache"
    first = EmbeddedInterpreter(data, cache_dir=cache).train()
    assert not first.from_cache
    assert len(list(cache.glob("*.pkl"))) == 1

    again = EmbeddedInterpreter(data, cache_dir=cache)
    info = again.train()
    assert info.from_cache and info.fingerprint == first.fingerprint
    assert again.parse_sync("muchas gracias")["intent"]["name"] == "agradecer"

    extra = data / "extra.yml"
    extra.write_text(
        'version: "3.1"\nnlu:\n- intent: saludo\n  examples: |\n    - quiubo parcero\n',
        encoding="utf-8",
    )
    changed = EmbeddedInterpreter(data, cache_dir=cache).train()
    assert not changed.from_cache and changed.fingerprint != first.fingerprint
    assert changed.examples == first.examples + 1
    assert len(list(cache.glob("*.pkl"))) == 1  # the stale artefact is removed

    extra.unlink()
    assert not EmbeddedInterpreter(data, cache_dir=cache).train().from_cache


def test_an_unreadable_cache_file_is_only_a_miss(tmp_path, caplog):
    data, cache = _copy_data(tmp_path), tmp_path / "cache"
    info = EmbeddedInterpreter(data, cache_dir=cache).train()
    artefact = next(cache.glob("*.pkl"))
    artefact.write_bytes(b"not a pickle")
    again = EmbeddedInterpreter(data, cache_dir=cache).train()
    assert not again.from_cache and again.fingerprint == info.fingerprint
    assert "ignoring unreadable NLU cache" in caplog.text
