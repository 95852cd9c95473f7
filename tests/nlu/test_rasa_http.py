"""The Rasa backend's HTTP side and its degradation, against a loopback stand-in server."""

from __future__ import annotations

import logging

import pytest

from nlu.base import FALLBACK
from nlu.rasa_http import RasaHttpInterpreter, RasaResponseError, to_parse
from nlu.rules import RuleInterpreter
from tests.nlu.helpers import closed_port_url
from tests.nlu.rasa_standin import RECORDED, RasaStandIn


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_recorded_rasa_response_keeps_exactly_our_contract():
    parse = to_parse("hasta cuándo hay plazo", RECORDED)
    assert set(parse) == {"text", "intent", "intent_ranking", "entities"}
    assert parse["intent"]["name"] == RECORDED["intent"]["name"]
    assert [i["name"] for i in parse["intent_ranking"]] == [
        i["name"] for i in RECORDED["intent_ranking"]
    ]


@pytest.mark.parametrize(
    "payload",
    [None, [], {"text": "x"}, {"intent": "saludo"}, {"intent": {}, "entities": [{"start": 0}]}],
)
def test_malformed_responses_are_errors(payload):
    with pytest.raises(RasaResponseError):
        to_parse("x", payload)


async def test_parses_through_the_server_with_our_entities_and_threshold():
    async with RasaStandIn() as server:
        rasa = RasaHttpInterpreter(
            server.url,
            fallback=RuleInterpreter(),
            threshold=0.45,
            entities=lambda text: [
                {"entity": "email", "start": 0, "end": len(text), "value": text, "confidence": 1.0}
            ],
        )
        async with rasa:
            parse = await rasa.parse("ana@x.co")
            assert await rasa.version() == "3.6.21"
        assert server.requests == ["ana@x.co"]
        assert parse["text"] == "ana@x.co"
        assert parse["intent"]["name"] == RECORDED["intent"]["name"]
        assert parse["entities"] == [
            {"entity": "email", "start": 0, "end": 8, "value": "ana@x.co", "confidence": 1.0}
        ]
        assert rasa.degraded == 0 and rasa.available

        strict = RasaHttpInterpreter(server.url, fallback=RuleInterpreter(), threshold=1.0)
        async with strict:
            below = await strict.parse("hola")
        assert below["intent"] == {"name": FALLBACK, "confidence": 1.0}
        assert below["intent_ranking"][1]["name"] == RECORDED["intent"]["name"]


@pytest.mark.parametrize("mode", ["error", "garbage"])
async def test_a_bad_answer_falls_back_to_the_local_interpreter(mode, caplog):
    async with RasaStandIn() as server:
        server.mode = mode
        async with RasaHttpInterpreter(server.url, fallback=RuleInterpreter()) as rasa:
            with caplog.at_level(logging.WARNING, logger="nlu.rasa_http"):
                parse = await rasa.parse("no sé")
        assert parse["intent"] == {"name": "no_sabe", "confidence": 1.0}  # from the rules
        assert rasa.degraded == 1 and not rasa.available
        assert "using the fallback interpreter" in caplog.text


async def test_a_hung_server_costs_one_timeout_per_retry_interval(caplog):
    clock = Clock()
    async with RasaStandIn() as server:
        server.mode = "hang"
        rasa = RasaHttpInterpreter(
            server.url, fallback=RuleInterpreter(), timeout=0.2, retry_after=30, clock=clock
        )
        async with rasa:
            with caplog.at_level(logging.INFO, logger="nlu.rasa_http"):
                assert (await rasa.parse("sí"))["intent"]["name"] == "afirmar"
                assert (await rasa.parse("no"))["intent"]["name"] == "negar"
                assert len(server.requests) == 1  # the second did not wait for the server
                clock.now += 31
                server.mode = "ok"
                await rasa.parse("hola")
                assert len(server.requests) == 2
        assert rasa.available and rasa.degraded == 2
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1  # the outage is logged once, not per message
        assert "answers again" in caplog.text


async def test_a_server_that_is_not_running_degrades_at_once():
    async with RasaHttpInterpreter(closed_port_url(), fallback=RuleInterpreter()) as rasa:
        parse = await rasa.parse("ayuda")
        assert parse["intent"]["name"] == "ayuda"
        assert not rasa.available
