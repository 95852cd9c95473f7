"""`nlu.backend` in config.yml -> the interpreter the composition root builds."""

from __future__ import annotations

import pytest

from bot.app import build_interpreter, close_interpreter
from bot.config import ConfigError, load_config
from nlu.embedded import EmbeddedInterpreter
from nlu.rasa_http import RasaHttpInterpreter
from nlu.rules import RuleInterpreter, RulesFirst
from tests.nlu.helpers import closed_port_url, shared_cache
from tests.nlu.rasa_standin import RECORDED, RasaStandIn


def config_for(cache, **nlu):
    env = {"CTI_NLU_BACKEND": nlu.pop("backend")}
    if "rasa_url" in nlu:
        env["CTI_NLU_RASA_URL"] = nlu.pop("rasa_url")
    config = load_config(env=env)
    update = {"cache_dir": cache, **nlu}
    return config.model_copy(update={"nlu": config.nlu.model_copy(update=update)})


@pytest.fixture
def cache(tmp_path_factory):
    return shared_cache(tmp_path_factory)


def test_rules_backend(cache):
    assert isinstance(build_interpreter(config_for(cache, backend="rules")), RuleInterpreter)


async def test_embedded_backend_is_trained_and_behind_the_rules(cache):
    interpreter = build_interpreter(config_for(cache, backend="embedded", threshold=0.6))
    assert isinstance(interpreter, RulesFirst)
    assert isinstance(interpreter.inner, EmbeddedInterpreter)
    assert interpreter.inner.threshold == 0.6
    assert interpreter.inner.info is not None  # trained at build time, not on first message
    assert interpreter.inner.cache_path(interpreter.inner.info.fingerprint).exists()
    assert (await interpreter.parse("/ayuda"))["intent"]["name"] == "ayuda"


async def test_rasa_backend_uses_the_server_and_degrades_to_the_embedded_one(cache):
    async with RasaStandIn() as server:
        config = config_for(cache, backend="rasa", rasa_url=server.url, rasa_timeout=0.5)
        interpreter = build_interpreter(config)
        assert isinstance(interpreter, RulesFirst)
        rasa = interpreter.inner
        assert isinstance(rasa, RasaHttpInterpreter)
        assert rasa.url == server.url and rasa.threshold == config.nlu.threshold
        parse = await interpreter.parse("somos de la alcaldía de cartagena")
        assert parse["intent"]["name"] == RECORDED["intent"]["name"]  # the server's answer
        assert ("municipio", "13001") in {(e["entity"], e["value"]) for e in parse["entities"]}
        server.mode = "error"
        degraded = await interpreter.parse("hasta cuándo hay plazo")
        assert degraded["intent"]["name"] == "info_plazos"  # the embedded classifier's
        await close_interpreter(interpreter)
        assert rasa.degraded == 1


async def test_a_rasa_server_that_never_started(cache):
    interpreter = build_interpreter(config_for(cache, backend="rasa", rasa_url=closed_port_url()))
    try:
        assert (await interpreter.parse("me equivoqué en la anterior"))["intent"]["name"] == (
            "corregir"
        )
    finally:
        await close_interpreter(interpreter)


def test_an_unknown_backend_fails_fast_naming_the_key():
    with pytest.raises(ConfigError, match=r"nlu\.backend"):
        load_config(env={"CTI_NLU_BACKEND": "watson"})
