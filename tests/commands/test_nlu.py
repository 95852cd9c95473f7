"""`cti nlu ...` through click, with a configuration whose cache and root are temporary."""

from __future__ import annotations

import json
import socket

import pytest
import yaml
from click.testing import CliRunner

from bot.commands.nlu import nlu
from tests.nlu.helpers import DATA, shared_cache


@pytest.fixture
def runner(tmp_path, monkeypatch, tmp_path_factory):
    return runner_with_cache(tmp_path, monkeypatch, shared_cache(tmp_path_factory))


def runner_with_cache(tmp_path, monkeypatch, cache):
    config = {
        "root": str(tmp_path),  # no .venv-rasa here
        "data": {
            "questionnaire": str(DATA / "questionnaire" / "v1.yml"),
            "divipola": str(DATA / "divipola.csv"),
            "aliases": str(DATA / "territory_aliases.yml"),
            "templates": str(DATA / "templates"),
            "nlu": str(DATA / "nlu"),
        },
        "nlu": {"cache_dir": str(cache), "threshold": 0.45},
    }
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("CTI_CONFIG", str(path))
    for var in ("CTI_NLU_BACKEND", "CTI_NLU_RASA_URL", "CTI_NLU_THRESHOLD"):
        monkeypatch.delenv(var, raising=False)
    return CliRunner()


def test_train_then_load_from_the_cache(tmp_path, monkeypatch):
    runner = runner_with_cache(tmp_path, monkeypatch, tmp_path / "cache")
    first = runner.invoke(nlu, ["train"])
    assert first.exit_code == 0, first.output
    assert "entrenado" in first.output and "26 intenciones" in first.output
    second = runner.invoke(nlu, ["train"])
    assert "cargado de la caché" in second.output
    forced = runner.invoke(nlu, ["train", "--force"])
    assert "entrenado" in forced.output
    assert len(list((tmp_path / "cache").glob("*.pkl"))) == 1


def test_evaluate_prints_every_figure(runner):
    result = runner.invoke(nlu, ["evaluate"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Backend embedded: 376 ejemplos reservados (informal.yml, test.yml)" in out
    for label in ("exactitud", "macro-F1", "respaldo (nlu_fallback)", "latencia", "F1 por"):
        assert label in out
    assert "Confusiones más frecuentes" in out


def test_evaluate_as_json_and_other_backends(runner):
    result = runner.invoke(nlu, ["evaluate", "--json"])
    payload = json.loads(result.output)
    assert payload["backend"] == "embedded" and payload["examples"] == 376
    assert payload["macro_f1"] >= 0.95
    assert len(payload["per_intent"]) == 26
    rules = json.loads(runner.invoke(nlu, ["evaluate", "--json", "--backend", "rules"]).output)
    assert rules["fallback_rate"] > 0.5  # the floor: commands and keywords only
    one = DATA / "nlu" / "test" / "informal.yml"
    raw = json.loads(runner.invoke(nlu, ["evaluate", "--json", "--raw", "--data", str(one)]).output)
    assert raw["backend"] == "embedded (sin reglas)" and raw["examples"] == 115


def test_evaluating_an_unreachable_rasa_server_is_an_error_not_a_fallback(runner):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = runner.invoke(
        nlu, ["evaluate", "--backend", "rasa", "--rasa-url", f"http://127.0.0.1:{port}"]
    )
    assert result.exit_code == 1
    assert f"el servidor Rasa http://127.0.0.1:{port} no responde" in result.stderr
    assert "Traceback" not in result.stderr


def test_export(runner, tmp_path):
    result = runner.invoke(nlu, ["export", "--out", str(tmp_path / "rasa")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rasa" / "data" / "nlu.yml").exists()
    assert "rasa train nlu" in result.output


def test_parse_shows_rasas_shape(runner):
    result = runner.invoke(
        nlu, ["parse", "somos de la alcaldía de cartagena, hasta cuándo hay plazo"]
    )
    payload = json.loads(result.output)
    assert payload["intent"]["name"] == "info_plazos"
    assert {"entity": "municipio", "value": "13001"}.items() <= payload["entities"][0].items()


def test_rasa_commands_explain_a_missing_environment(runner):
    result = runner.invoke(nlu, ["rasa-train"])
    assert result.exit_code == 1
    assert ".venv-rasa/bin/rasa no existe: cree el entorno con `make rasa`" in result.stderr
