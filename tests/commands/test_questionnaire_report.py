"""`questionnaire show`, `questionnaire sample` and `report`, through click and once for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.answers_file import read_answers
from bot.commands.questionnaire import questionnaire as questionnaire_group
from bot.commands.report import FILES, report
from tests.report.conftest import ROOT


@pytest.fixture
def runner(monkeypatch):
    monkeypatch.delenv("CTI_CONFIG", raising=False)
    return CliRunner()


def _error_line(result) -> str:
    """The whole stderr, which must be exactly one 'Error: ...' line."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def _sample(runner, path: Path, *args: str) -> None:
    result = runner.invoke(
        questionnaire_group, ["sample", "--seed", "7", "--out", str(path), *args]
    )
    assert result.exit_code == 0, result.stderr


def test_show_counts_every_dimension(runner, questionnaire):
    result = runner.invoke(questionnaire_group, ["show"])
    assert result.exit_code == 0, result.stderr
    out = result.output
    assert questionnaire.id in out and questionnaire.version in out and questionnaire.label in out
    for dim in questionnaire.dimensions:
        assert dim.name in out
        for sub in dim.subdimensions:
            assert sub.name[:30] in out
    total = next(line for line in out.splitlines() if line.startswith("Total"))
    numbers = [int(n) for n in total.split()[1:]]
    for i, kind in enumerate(("alcaldia", "gobernacion")):
        assert numbers[3 * i + 2] == len(questionnaire.questions_for(kind))
    assert numbers[-1] == len(questionnaire.perception_index)


def test_show_one_kind(runner):
    result = runner.invoke(questionnaire_group, ["show", "--kind", "gobernacion"])
    assert result.exit_code == 0
    assert "Gobernación" in result.output and "Alcaldía" not in result.output


def test_sample_is_deterministic_and_valid(runner, tmp_path, questionnaire):
    a, b = tmp_path / "a.yml", tmp_path / "b.yml"
    _sample(runner, a, "--kind", "gobernacion")
    _sample(runner, b, "--kind", "gobernacion")
    assert a.read_bytes() == b.read_bytes()
    loaded = read_answers(a, questionnaire, kind="gobernacion")
    assert loaded.entity is None and len(loaded.answers) > 50


def test_sample_for_an_entity_records_it(runner, tmp_path, questionnaire):
    path = tmp_path / "nariño.yml"
    _sample(runner, path, "--entity", "52", "--perception")
    loaded = read_answers(path, questionnaire, kind="gobernacion")
    assert loaded.entity == "52"
    assert set(loaded.answers) & set(questionnaire.perception_index)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--entity", "99999"], "código DANE desconocido: '99999'"),
        (["--entity", "05001", "--kind", "gobernacion"], "no corresponde a Alcaldía de Medellín"),
    ],
)
def test_sample_errors(runner, tmp_path, args, message):
    result = runner.invoke(
        questionnaire_group, ["sample", "--seed", "1", "--out", str(tmp_path / "x.yml"), *args]
    )
    assert message in _error_line(result)


def test_report_writes_the_three_files(runner, tmp_path):
    answers, out = tmp_path / "a.yml", tmp_path / "informe" / "medellin"
    _sample(runner, answers)
    result = runner.invoke(
        report,
        ["--answers", str(answers), "--entity", "05001", "--out", str(out), "--date", "2026-02-01"],
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    html = (out / "report.html").read_text(encoding="utf-8")
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert "Alcaldía de Medellín (Antioquia)" in html and "1 de febrero de 2026" in html
    assert summary.startswith("AUTODIAGNÓSTICO ORIENTATIVO\nAlcaldía de Medellín")
    assert (out / "radar.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert summary.strip() in result.output


def test_report_takes_the_entity_from_the_file(runner, tmp_path):
    answers = tmp_path / "a.yml"
    _sample(runner, answers, "--entity", "11001")
    result = runner.invoke(report, ["--answers", str(answers), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.stderr
    assert "Alcaldía Mayor de Bogotá" in (tmp_path / "o" / "summary.txt").read_text("utf-8")


def _answers(tmp_path: Path, answers: dict, entity: str | None = None) -> Path:
    doc = {"questionnaire": "cti-mm-v1", "version": "1.0.0", "answers": answers}
    if entity:
        doc["entity"] = entity
    path = tmp_path / "r.yml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("answers", "entity_in_file", "args", "message"),
    [
        (
            {"NO-EXISTE": "x"},
            None,
            ["--entity", "05001"],
            "r.yml: pregunta NO-EXISTE: pregunta desconocida",
        ),
        ({}, None, ["--entity", "99999"], "código DANE desconocido: '99999'"),
        (
            {},
            None,
            ["--entity", "91263"],
            "no tiene alcaldía propia: lo administra la Gobernación de Amazonas",
        ),
        ({}, None, [], "indique la entidad con --entity"),
        (
            {},
            "05001",
            ["--entity", "76001"],
            "--entity 76001 no coincide con la entidad del archivo (05001)",
        ),
    ],
)
def test_report_errors_are_one_line(runner, tmp_path, answers, entity_in_file, args, message):
    path = _answers(tmp_path, answers, entity_in_file)
    result = runner.invoke(report, ["--answers", str(path), "--out", str(tmp_path / "o"), *args])
    assert message in _error_line(result)
    assert not (tmp_path / "o").exists()


def test_report_refuses_a_question_of_the_other_kind(runner, tmp_path, questionnaire):
    only_gob = next(q for q in questionnaire.questions if q.applies_to == "gobernacion")
    path = _answers(tmp_path, {only_gob.id: "no_se"})
    result = runner.invoke(report, ["--answers", str(path), "--entity", "05001", "--out", "o"])
    assert f"pregunta {only_gob.id}: esta pregunta no aplica a una alcaldía" in _error_line(result)


def test_broken_questionnaire_is_one_line(runner, tmp_path):
    broken = tmp_path / "roto.yml"
    broken.write_text(
        (ROOT / "data/questionnaire/v1.yml")
        .read_text("utf-8")
        .replace("weight: 1/6", "weight: 1/5", 1),
        encoding="utf-8",
    )
    config = tmp_path / "config.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "data": {
                    "questionnaire": str(broken),
                    "divipola": str(ROOT / "data/divipola.csv"),
                    "aliases": str(ROOT / "data/territory_aliases.yml"),
                    "templates": str(ROOT / "data/templates"),
                }
            }
        ),
        encoding="utf-8",
    )
    answers = _answers(tmp_path, {})
    for command, args in [
        (report, ["--answers", str(answers), "--entity", "05001", "--out", str(tmp_path / "o")]),
        (questionnaire_group, ["show"]),
    ]:
        result = runner.invoke(command, args, env={"CTI_CONFIG": str(config)})
        line = _error_line(result)
        assert str(broken) in line and "los pesos suman" in line


def test_real_process_writes_the_report_and_fails_cleanly(tmp_path):
    """Once through the real `cti` group in a child process: the exit codes a shell sees."""
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}

    def cti(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from bot.cli import main; main()", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
            env={**clean_env, "PYTHONPATH": str(ROOT)},
        )

    done = cti("questionnaire", "sample", "--seed", "3", "--out", "a.yml")
    assert done.returncode == 0, done.stderr
    done = cti("report", "--answers", "a.yml", "--entity", "05001", "--out", "salida")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "salida").iterdir()) == sorted(FILES)
    failed = cti("report", "--answers", "a.yml", "--entity", "00000", "--out", "x")
    assert failed.returncode == 2
    assert (
        failed.stderr
        == "Error: código DANE desconocido: '00000' (use 5 dígitos para una alcaldía, "
        "2 para una gobernación)\n"
    )
