"""`cti questionnaire migrate`: answers carried from v1 to another loaded version by a mapping
file, on a real database; what the mapping does not carry is reported, never lost."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from bot.commands.questionnaire import questionnaire as questionnaire_group
from bot.commands.report import report
from bot.config import PROJECT_ROOT
from bot.questionnaire_migration import MappingError, parse_mapping, plan
from bot.scoring import Answer
from bot.storage.models import StaffActionRow
from bot.storage.sql import open_store
from bot.territory import Gazetteer
from dialogues.questionnaire import load_questionnaire
from tests.storage.helpers import T0, at, register

V1_PATH = PROJECT_ROOT / "data" / "questionnaire" / "v1.yml"
V1 = load_questionnaire(V1_PATH)
MAP = {
    "from": "1.0.0",
    "to": "2-prueba",
    "questions": {
        "PER-EDU-01": {"to": "D0-1", "options": {"adoptado": "adoptada"}},
        "PER-EDU-02": "D0-2",
        "PER-EDU-03": "D0-3",
        "PER-EDU-04": None,
    },
}
GIVEN = {
    "PER-EDU-01": Answer("option", option="adoptado"),
    "PER-EDU-02": Answer("figure", value=42.0),
    "PER-EDU-03": Answer("dont_know"),
    "PER-EDU-04": Answer("figure", value=10.0),
    "GOB-DAT-01": Answer("skipped"),
}


def write_v2(path: Path) -> Path:
    """v1 renamed question by question ("D0-1"...), the last of each subdimension removed, the
    first question's option `adoptado` renamed `adoptada`, version "2-prueba"."""
    raw = yaml.safe_load(V1_PATH.read_text(encoding="utf-8"))
    raw["version"] = "2-prueba"
    n = 0
    for d, dimension in enumerate(raw["dimensions"]):
        for sub in dimension["subdimensions"]:
            if len(sub["questions"]) > 1:
                sub["questions"] = sub["questions"][:-1]
            for question in sub["questions"]:
                n += 1
                question["id"] = f"D{d}-{n}"
    for option in raw["dimensions"][0]["subdimensions"][0]["questions"][0]["options"]:
        if option["id"] == "adoptado":
            option["id"] = "adoptada"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def v2(tmp_path):
    return load_questionnaire(write_v2(tmp_path / "v2.yml"))


def test_the_plan_carries_renames_and_reports_the_rest(v2):
    mapping = parse_mapping(MAP, Path("mapa.yml"), V1, v2)
    result = plan(mapping, GIVEN)
    assert result.carried == {
        "D0-1": ("PER-EDU-01", Answer("option", option="adoptada")),
        "D0-2": ("PER-EDU-02", Answer("figure", value=42.0)),
        "D0-3": ("PER-EDU-03", Answer("dont_know")),
    }
    reasons = dict(result.unmapped)
    assert reasons["PER-EDU-04"] == "el mapa la descarta (null)"
    assert reasons["GOB-DAT-01"] == "el mapa no la menciona"
    # Without the option's translation the renamed option cannot be carried: said, not guessed.
    bare = parse_mapping({"questions": {"PER-EDU-01": "D0-1"}}, Path("m.yml"), V1, v2)
    [(qid, why)] = plan(bare, {"PER-EDU-01": GIVEN["PER-EDU-01"]}).unmapped
    assert qid == "PER-EDU-01" and "adoptado no existe en la pregunta nueva" in why


@pytest.mark.parametrize(
    ("questions", "where", "reason"),
    [
        ({"NO-EXISTE": "D0-1"}, "questions.NO-EXISTE", "la versión 1.0.0 no tiene esta pregunta"),
        ({"PER-EDU-01": "D9-9"}, "questions.PER-EDU-01", "no tiene la pregunta D9-9"),
        (
            {"PER-EDU-01": "D0-1", "PER-EDU-03": "D0-1"},
            "questions.PER-EDU-03",
            "D0-1 ya recibe las respuestas de PER-EDU-01",
        ),
        (
            {"PER-EDU-01": {"to": "D0-1", "options": {"adoptado": "otra"}}},
            "questions.PER-EDU-01.options",
            "opción desconocida otra",
        ),
        ({"PER-EDU-01": {"options": {}}}, "questions.PER-EDU-01", "escriba el id nuevo"),
    ],
)
def test_a_bad_mapping_is_one_line_naming_the_place(v2, questions, where, reason):
    with pytest.raises(MappingError) as raised:
        parse_mapping({"questions": questions}, Path("mapa.yml"), V1, v2)
    message = str(raised.value)
    assert message.startswith(f"mapa.yml: {where}: ") and reason in message
    assert "\n" not in message


def test_a_mapping_for_other_versions_is_refused(v2):
    with pytest.raises(MappingError) as raised:
        parse_mapping({"from": "0.9", "questions": {}}, Path("m.yml"), V1, v2)
    assert str(raised.value) == "m.yml: from: el mapa es para la versión 0.9, pero se indicó 1.0.0"


async def _seed(url: str, gazetteer: Gazetteer) -> tuple[int, int]:
    store = await open_store(url, gazetteer)
    try:
        async with store.transaction() as tx:
            _, ana = await register(tx, "77", "Ana", "ana@pasto.gov.co", entity="52001")
            going = await tx.open_assessment("52001", 2026, V1.id, V1.version, ana.id, T0)
            for i, (qid, answer) in enumerate(GIVEN.items()):
                await tx.save_answer(going.id, qid, answer, ana.id, at(i))
            sent = await tx.open_assessment("05001", 2026, V1.id, V1.version, None, T0)
            await tx.save_answer(sent.id, "PER-EDU-01", GIVEN["PER-EDU-01"], None, T0)
            await tx.set_assessment_status(sent.id, "submitted", None, at(9))
            return going.id, sent.id
    finally:
        await store.close()


async def _read(url: str, gazetteer: Gazetteer, going: int, sent: int):
    store = await open_store(url, gazetteer, migrate=False)
    try:
        async with store.transaction() as tx:
            audit = (await tx._run(select(StaffActionRow))).all()
            return (
                await tx.assessment(going),
                await tx.answers(going),
                await tx.answer_history(going),
                await tx.assessment(sent),
                await tx.answers(sent),
                audit,
            )
    finally:
        await store.close()


def test_the_command_moves_assessments_in_progress_and_records_it(
    database_url, gazetteer, tmp_path, monkeypatch
):
    going, sent = asyncio.run(_seed(database_url, gazetteer))
    v2_path = write_v2(tmp_path / "v2.yml")
    config = tmp_path / "config.yml"
    raw = {
        "root": str(PROJECT_ROOT),
        "data": {"questionnaire": str(v2_path), "questionnaires": [str(V1_PATH)]},
    }
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    mapping = tmp_path / "mapa.yml"
    mapping.write_text(yaml.safe_dump(MAP), encoding="utf-8")
    for var in ("CTI_CONFIG", "CTI_CYCLE", "CTI_DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    args = ["migrate", "--from", "1.0.0", "--to", "2-prueba", "--map", str(mapping)]
    args += ["--cycle", "2026", "--db", database_url]
    runner = CliRunner()
    env = {"CTI_CONFIG": str(config)}

    dry = runner.invoke(questionnaire_group, [*args, "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output + dry.stderr
    assert "Simulación: no se guardó nada" in dry.output
    before = asyncio.run(_read(database_url, gazetteer, going, sent))
    assert before[0].questionnaire_version == "1.0.0" and set(before[1]) == set(GIVEN)

    started = datetime.now(UTC)
    result = runner.invoke(questionnaire_group, args, env=env)
    assert result.exit_code == 0, result.output + result.stderr
    out = result.output
    assert "Alcaldía de Pasto (Nariño) · ciclo 2026: 3 respuesta(s) trasladada(s) a 2-prueba" in out
    assert "sin trasladar PER-EDU-04: el mapa la descarta (null)" in out
    assert "sin trasladar GOB-DAT-01: el mapa no la menciona" in out
    assert "ya enviado, se conserva en la versión 1.0.0" in out
    assert "1 diagnóstico(s) pasado(s) de 1.0.0 a 2-prueba; 2 respuesta(s) sin trasladar" in out

    moved, answers, history, kept, kept_answers, audit = asyncio.run(
        _read(database_url, gazetteer, going, sent)
    )
    assert (moved.questionnaire_id, moved.questionnaire_version) == (V1.id, "2-prueba")
    assert {q: a.answer for q, a in answers.items()} == {
        "D0-1": Answer("option", option="adoptada"),
        "D0-2": Answer("figure", value=42.0),
        "D0-3": Answer("dont_know"),
    }
    # The history keeps every value given under v1, then the migration's, with no person.
    assert [h.question_id for h in history[: len(GIVEN)]] == list(GIVEN)
    written = history[len(GIVEN) :]
    assert sorted(h.question_id for h in written) == ["D0-1", "D0-2", "D0-3"]
    assert all(h.contact_id is None and h.answered_at >= started for h in written)
    # The submitted one is untouched.
    assert kept.questionnaire_version == "1.0.0" and set(kept_answers) == {"PER-EDU-01"}
    [entry] = audit
    assert entry.actor.startswith("migración (cli:") and entry.action == "questionnaire.migrate"
    assert "PER-EDU-01→D0-1" in entry.detail and "PER-EDU-04 (el mapa la descarta" in entry.detail
    assert "mapa.yml, sha256 " in entry.detail

    again = runner.invoke(questionnaire_group, args, env=env)
    assert again.exit_code == 0 and "ya enviado" in again.output  # nothing left in progress


def test_the_command_names_a_version_not_loaded(database_url, tmp_path, monkeypatch):
    mapping = tmp_path / "mapa.yml"
    mapping.write_text(yaml.safe_dump(MAP), encoding="utf-8")
    monkeypatch.delenv("CTI_CONFIG", raising=False)
    args = ["migrate", "--from", "1.0.0", "--to", "9.9", "--map", str(mapping)]
    result = CliRunner().invoke(questionnaire_group, [*args, "--db", database_url])
    assert result.exit_code == 2
    assert "no hay ninguna versión 9.9 cargada (cargadas: cti-mm-v1:1.0.0)" in result.stderr


def test_report_reads_an_answers_file_under_the_version_it_names(tmp_path, monkeypatch):
    """v1's answers file while the default is another version: reported under v1; a version
    not loaded is the default's one-line complaint."""
    v2_path = write_v2(tmp_path / "v2.yml")
    config = tmp_path / "config.yml"
    raw = {
        "root": str(PROJECT_ROOT),
        "data": {"questionnaire": str(v2_path), "questionnaires": [str(V1_PATH)]},
    }
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    answers = {"questionnaire": V1.id, "version": "1.0.0", "answers": {"PER-EDU-01": "adoptado"}}
    path = tmp_path / "r.yml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    monkeypatch.delenv("CTI_CONFIG", raising=False)
    env = {"CTI_CONFIG": str(config)}
    out = tmp_path / "o"
    args = ["--answers", str(path), "--entity", "52001", "--out", str(out)]
    result = CliRunner().invoke(report, args, env=env)
    assert result.exit_code == 0, result.stderr
    assert "1.0.0" in (out / "report.html").read_text(encoding="utf-8")

    answers["version"] = "0.1"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    result = CliRunner().invoke(report, [*args[:-1], str(tmp_path / "p")], env=env)
    assert result.exit_code == 2
    assert "las respuestas son de la versión '0.1', pero la cargada es '2-prueba'" in result.stderr
