"""The `rasa` backend against a real Rasa 3.6 server trained from our exported data.

Needs `.venv-rasa` (`make rasa`: Python 3.10 and the pinned Rasa); without it the test is skipped.
Not in the default suite (`-m "not rasa"` in pyproject); run it with `make test-rasa`. The model
is trained once per data version (minutes) and kept in var/rasa/models.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from bot.config import PROJECT_ROOT
from nlu.evaluate import evaluate
from nlu.rasa_http import RasaHttpInterpreter
from nlu.rasa_project import RasaServer, train_model
from nlu.rules import RulesFirst
from tests.nlu.helpers import NLU_DATA, THRESHOLD, held_out

pytestmark = pytest.mark.rasa

RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
WORK = PROJECT_ROOT / "var" / "rasa"
# Measured with Rasa 3.6.21 (DIET, 100 epochs) on the 346 held-out examples: accuracy 0.954,
# macro-F1 0.965, fallback 2.6 %, median parse 15 ms (README, "Comprensión del lenguaje").
MIN_ACCURACY = 0.93
MIN_MACRO_F1 = 0.94


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[RasaServer]:
    if not RASA.exists():
        pytest.skip(
            ".venv-rasa no existe: `make rasa` crea el entorno de Rasa 3.6.21 con Python 3.10"
        )
    model, _ = train_model(NLU_DATA, WORK, RASA, threshold=THRESHOLD)
    with RasaServer(RASA, model, port=_free_port(), log_file=WORK / "rasa-test.log") as running:
        yield running


async def test_rasa_answers_in_the_parse_shape(server):
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{server.url}/model/parse", json={"text": "hola"})
    payload = response.json()
    assert {"text", "intent", "intent_ranking", "entities"} <= set(payload)
    assert payload["intent"]["name"] == "saludo"


async def test_rasa_backend_on_the_held_out_set(server, interpreter, record_property):
    rasa = RasaHttpInterpreter(
        server.url,
        fallback=interpreter,
        threshold=THRESHOLD,
        timeout=10.0,
        entities=interpreter.extractor.extract,
    )
    async with rasa:
        evaluation = await evaluate(RulesFirst(rasa), held_out().examples)
        assert rasa.degraded == 0, "every message must have been parsed by Rasa"
        cartagena = await rasa.parse("somos de la alcaldía de cartagena")
    for name in ("accuracy", "macro_f1", "fallback_rate"):
        record_property(name, round(getattr(evaluation, name), 4))
    record_property("median_ms", round(evaluation.latency_ms["median"], 2))
    assert evaluation.accuracy >= MIN_ACCURACY
    assert evaluation.macro_f1 >= MIN_MACRO_F1
    assert ("municipio", "13001") in {(e["entity"], e["value"]) for e in cartagena["entities"]}
    for parse in [cartagena]:
        assert set(parse) == {"text", "intent", "intent_ranking", "entities"}


async def test_when_the_server_stops_the_embedded_interpreter_answers(server, interpreter):
    async with RasaHttpInterpreter(
        server.url, fallback=interpreter, threshold=THRESHOLD, timeout=5.0
    ) as rasa:
        assert (await rasa.parse("hasta cuándo hay plazo"))["intent"]["name"] == "info_plazos"
        server.stop()
        parse = await rasa.parse("me equivoqué en la anterior")
        assert parse["intent"]["name"] == "corregir"
        assert rasa.degraded == 1 and not rasa.available
