"""`cti export` and `cti progress` on a seeded database, SQLite and PostgreSQL.

The database: in Nariño, Pasto, Ipiales and Tumaco submitted, Túquerres and La Unión in
progress, the gobernación in progress; Medellín submitted; Cali submitted in 2025 only. Pasto's
answers were given by a registered contact whose name and email must never reach an export.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
from datetime import date

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from bot.analytics.peers import mean
from bot.analytics.progress import tally
from bot.answers_file import sample_answers
from bot.commands.export import export
from bot.commands.progress import progress
from bot.config import PROJECT_ROOT, load_config
from bot.scoring import score
from bot.storage.sql import open_store
from bot.territory import Gazetteer
from dialogues.questionnaire import load_questionnaire
from nlu.numbers import format_number
from tests.analytics.seed import seed
from tests.storage.helpers import T0, at, register

CONFIG = load_config(env={})
Q = load_questionnaire(CONFIG.path(CONFIG.data.questionnaire))
SUBMITTED = {"52001": "alcaldia", "52356": "alcaldia", "52835": "alcaldia", "05001": "alcaldia"}
IN_PROGRESS = {"52838": "alcaldia", "52399": "alcaldia", "52": "gobernacion"}
NAME, EMAIL = "Ana Pérez Secreta", "ana.secreta@pasto.gov.co"


def sample(code: str, kind: str):
    return sample_answers(Q, kind, random.Random(code))


async def _seed(url: str, gazetteer: Gazetteer) -> None:
    store = await open_store(url, gazetteer)
    try:
        async with store.transaction() as tx:
            _, contact = await register(tx, "77", NAME, EMAIL, entity="52001")
            for i, (code, kind) in enumerate([*SUBMITTED.items(), *IN_PROGRESS.items()]):
                await seed(
                    tx,
                    Q,
                    code,
                    sample(code, kind),
                    at(i),
                    submitted=code in SUBMITTED,
                    contact_id=contact.id if code == "52001" else None,
                )
            await seed(tx, Q, "76001", sample("76001", "alcaldia"), T0, submitted=True, cycle=2025)
    finally:
        await store.close()


@pytest.fixture
def seeded(database_url: str, gazetteer: Gazetteer) -> str:
    asyncio.run(_seed(database_url, gazetteer))
    return database_url


@pytest.fixture
def runner(monkeypatch):
    for var in ("CTI_CONFIG", "CTI_CYCLE", "CTI_DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    return CliRunner()


def _ok(result) -> str:
    assert result.exit_code == 0, result.output + result.stderr
    return result.output


def test_export_writes_every_format_without_personal_data(seeded, runner, tmp_path):
    n_answers = sum(len(sample(c, k)) for c, k in [*SUBMITTED.items(), *IN_PROGRESS.items()])
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"avance.{fmt}"
        text = _ok(runner.invoke(export, ["--out", str(out), "--cycle", "2026", "--db", seeded]))
        assert f"Ciclo 2026: 7 diagnósticos (4 enviados) y {n_answers} respuestas" in text

    assessments = list(
        csv.DictReader(io.StringIO((tmp_path / "avance.csv").read_text("utf-8-sig")), delimiter=";")
    )
    assert [r["codigo_dane"] for r in assessments] == [
        "05001", "52", "52001", "52356", "52399", "52835", "52838"
    ]  # fmt: skip
    pasto = assessments[2]
    expected = score(Q, "alcaldia", sample("52001", "alcaldia"))
    assert pasto["estado"] == "enviado"
    assert pasto["puntaje_general"] == f"{round(expected.overall.value, 2):g}".replace(".", ",")
    answers_csv = (tmp_path / "avance_respuestas.csv").read_text("utf-8-sig")
    given = list(csv.DictReader(io.StringIO(answers_csv), delimiter=";"))
    assert len(given) == n_answers
    assert {r["id_contacto"] for r in given if r["codigo_dane"] == "52001"} != {""}

    book = openpyxl.load_workbook(tmp_path / "avance.xlsx")
    assert book["Diagnósticos"].max_row == 8 and book["Respuestas"].max_row == n_answers + 1
    doc = json.loads((tmp_path / "avance.json").read_text("utf-8"))
    assert sum(len(d["respuestas"]) for d in doc["diagnosticos"]) == n_answers

    for path in tmp_path.glob("avance*"):
        if path.suffix in (".csv", ".json"):
            content = path.read_text("utf-8-sig")
        else:
            cells = (
                c for ws in openpyxl.load_workbook(path).worksheets for r in ws.values for c in r
            )
            content = " ".join(str(c) for c in cells)
        assert NAME not in content and EMAIL not in content and "Secreta" not in content


def test_export_errors_are_one_line(runner, tmp_path, database_url):
    result = runner.invoke(export, ["--out", str(tmp_path / "avance.txt"), "--db", database_url])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: indique --format") and result.stderr.count("\n") == 1


async def test_progress_counts_a_seeded_database(store, gazetteer):
    async with store.transaction() as tx:
        await _seed_into(tx)
        entities = await tx.entities()
        items = await tx.cycle_assessments(2026) + await tx.cycle_assessments(2025)
    result = tally(entities, items, 2026, date(2026, 4, 1), date(2026, 3, 2))
    assert result.days_left == 30
    narino = next(d for d in result.departments if d.code == "52")
    assert narino.name == "Nariño"
    assert (narino.by_kind["alcaldia"].total, narino.by_kind["alcaldia"].started) == (64, 5)
    assert narino.by_kind["alcaldia"].submitted == 3
    assert narino.by_kind["gobernacion"] == type(narino.by_kind["gobernacion"])(1, 1, 0)
    valle = next(d for d in result.departments if d.code == "76")
    assert valle.by_kind["alcaldia"].started == 0  # Cali's 2025 assessment is not this cycle's
    bogota = next(d for d in result.departments if d.code == "11")
    assert bogota.by_kind["gobernacion"].total == 0
    alcaldias = result.total("alcaldia")
    assert (alcaldias.total, alcaldias.started, alcaldias.submitted) == (1103, 6, 4)
    assert (result.total("gobernacion").total, result.total("gobernacion").started) == (32, 1)
    assert [d.name for d in result.departments][:3] == ["Amazonas", "Antioquia", "Arauca"]
    only = tally(entities, items, 2026, date(2026, 4, 1), date(2026, 4, 3), "52")
    assert [d.code for d in only.departments] == ["52"] and only.days_left == -2


async def _seed_into(tx) -> None:
    for i, (code, kind) in enumerate([*SUBMITTED.items(), *IN_PROGRESS.items()]):
        await seed(tx, Q, code, sample(code, kind), at(i), submitted=code in SUBMITTED)
    await seed(tx, Q, "76001", sample("76001", "alcaldia"), T0, submitted=True, cycle=2025)


def test_progress_of_one_department_lists_and_compares(seeded, runner):
    args = ["--cycle", "2026", "--department", "narino", "--db", seeded]
    text = _ok(runner.invoke(progress, args))
    assert "Avance del autodiagnóstico · ciclo 2026" in text
    assert "\nHoy es " in text and "Plazo" not in text  # no deadline set for 2026: none counts
    row = next(line for line in text.splitlines() if line.startswith("Nariño"))
    assert row.split()[1:4] == ["64", "5", "3"] and row.endswith("en curso")
    assert "Antioquia" not in text.split("Entidades de Nariño")[0]
    listing = text.split("Entidades de Nariño (65)")[1].split("Promedio")[0]
    assert listing.index("Pasto") < listing.index("Túquerres") < listing.index("Albán")
    pasto = next(line for line in listing.splitlines() if " Pasto " in line)
    own = score(Q, "alcaldia", sample("52001", "alcaldia")).overall.value
    assert pasto.split()[0] == "enviado" and pasto.endswith(format_number(own))

    # Nariño's 3 submitted alcaldías against the country's 4 (Medellín too), hand-averaged.
    comparison = text.split("Promedio de los diagnósticos enviados: alcaldías")[1]
    assert "Nariño (3)" in comparison and "Colombia (4)" in comparison
    overall = {c: score(Q, "alcaldia", sample(c, "alcaldia")).overall.value for c in SUBMITTED}
    general = next(line for line in comparison.splitlines() if "General" in line).split()
    narino_mean = mean([v for c, v in overall.items() if c.startswith("52")])
    assert general[1:] == [format_number(narino_mean), format_number(mean(list(overall.values())))]


def test_progress_reads_the_deadline_from_the_configuration(seeded, runner, tmp_path):
    config = tmp_path / "config.yml"
    raw = {"root": str(PROJECT_ROOT), "assessment": {"deadlines": {2027: date(2027, 5, 15)}}}
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = runner.invoke(
        progress, ["--cycle", "2027", "--db", seeded], env={"CTI_CONFIG": str(config)}
    )
    text = _ok(result)
    assert "Plazo fijado por MinTIC: 15 de mayo de 2027 · " in text
    other = runner.invoke(
        progress, ["--cycle", "2028", "--db", seeded], env={"CTI_CONFIG": str(config)}
    )
    assert "Plazo" not in _ok(other)  # 2027's deadline is not 2028's
    total = next(line for line in text.splitlines() if line.startswith("Alcaldías"))
    assert total.split()[1:4] == ["1103", "0", "0"]


def test_progress_rejects_an_unknown_department(runner, database_url):
    result = runner.invoke(progress, ["--department", "Atlántida", "--db", database_url])
    assert result.exit_code == 2 and "departamento desconocido" in result.stderr


async def _seed_attack(url: str, gazetteer: Gazetteer) -> None:
    """Issue 15's attack: Pasto's diagnosis submitted by a contact who is no member of it, with
    one answer of 103; the other entities as in `_seed`."""
    store = await open_store(url, gazetteer)
    try:
        async with store.transaction() as tx:
            _, impostor = await register(tx, "66", "Impostor", "impostor@gmail.com", "52001")
            one = dict(list(sample("52001", "alcaldia").items())[:1])
            pasto = await seed(
                tx, Q, "52001", one, T0, submitted=True, contact_id=impostor.id, by_member=False
            )
            await tx.save_score_snapshot(pasto, score(Q, "alcaldia", one), T0)
            others = [(c, k) for c, k in [*SUBMITTED.items(), *IN_PROGRESS.items()] if c != "52001"]
            for i, (code, kind) in enumerate(others):
                await seed(tx, Q, code, sample(code, kind), at(i), submitted=code in SUBMITTED)
    finally:
        await store.close()


def test_a_submission_by_a_non_member_counts_nowhere(database_url, gazetteer, runner, tmp_path):
    asyncio.run(_seed_attack(database_url, gazetteer))
    args = ["--cycle", "2026", "--department", "narino", "--db", database_url]
    text = _ok(runner.invoke(progress, args))
    row = next(line for line in text.splitlines() if line.startswith("Nariño"))
    assert row.split()[1:4] == ["64", "5", "2"]  # started 5, submitted 2: Pasto not among them
    listing = text.split("Entidades de Nariño (65)")[1].split("Promedio")[0]
    pasto = next(line for line in listing.splitlines() if f"{line} ".count(" Pasto "))
    assert pasto.split() == ["en", "curso", "Pasto"]  # no date, no score
    comparison = text.split("Promedio de los diagnósticos enviados: alcaldías")[1]
    assert "Nariño (2)" in comparison and "Colombia (3)" in comparison

    out = tmp_path / "avance.csv"
    summary = _ok(
        runner.invoke(export, ["--out", str(out), "--cycle", "2026", "--db", database_url])
    )
    assert "Ciclo 2026: 7 diagnósticos (3 enviados)" in summary
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig")), delimiter=";"))
    assert next(r for r in rows if r["codigo_dane"] == "52001")["estado"] == "enviado sin verificar"
