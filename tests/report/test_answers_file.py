from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from bot.answers_file import (
    AnswersFile,
    AnswersFileError,
    answer_problem,
    check_kind,
    dump_answers,
    parse_answers,
    read_answers,
    sample_answers,
    write_answers,
)
from bot.scoring import Answer, score
from tests.factories import build

Q = build()  # the factory questionnaire: id "prueba", version "0.1"


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "respuestas.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _doc(answers: dict, **top) -> str:
    return yaml.safe_dump(
        {"questionnaire": "prueba", "version": "0.1", **top, "answers": answers},
        allow_unicode=True,
    )


def test_reads_every_kind_of_answer(tmp_path):
    path = _file(
        tmp_path,
        'questionnaire: prueba\nversion: "0.1"\nentity: "05001"\nanswers:\n'
        "  GOB-SER-01: parcial\n  GOB-SER-03: 62.5\n  HAB-SER-01: 3\n"
        "  GOB-DAT-01: no_se\n  HAB-MOV-01: omitida\n  PER-01: bien\n",
    )
    got = read_answers(path, Q)
    assert got == AnswersFile(
        "prueba",
        "0.1",
        {
            "GOB-SER-01": Answer("option", option="parcial"),
            "GOB-SER-03": Answer("figure", value=62.5),
            "HAB-SER-01": Answer("figure", value=3.0),
            "GOB-DAT-01": Answer("dont_know"),
            "HAB-MOV-01": Answer("skipped"),
            "PER-01": Answer("option", option="bien"),
        },
        "05001",
    )


def test_round_trip(tmp_path):
    answers = sample_answers(Q, "alcaldia", random.Random(5), perception=True)
    answers["GOB-SER-03"] = Answer("figure", value=40.0)
    answers["HAB-SER-01"] = Answer("figure", value=2.5)
    original = AnswersFile("prueba", "0.1", answers, "05001")
    path = tmp_path / "a.yml"
    write_answers(path, original, Q)
    assert read_answers(path, Q) == original
    assert "GOB-SER-03: 40\n" in path.read_text(encoding="utf-8")  # whole numbers stay whole
    assert "entity: '05001'" in path.read_text(encoding="utf-8")  # quoted: the zero survives


def test_dump_follows_questionnaire_order():
    answers = {
        "PER-02": Answer.parse("bien"),
        "HAB-SER-02": Answer.parse("si"),
        "GOB-SER-01": Answer.parse("no"),
    }
    text = dump_answers(AnswersFile("prueba", "0.1", answers), Q)
    assert text.index("GOB-SER-01") < text.index("HAB-SER-02") < text.index("PER-02")
    assert "entity" not in text


def test_empty_answers_are_valid(tmp_path):
    assert read_answers(_file(tmp_path, "questionnaire: prueba\nversion: '0.1'\n"), Q).answers == {}


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        (_doc({"XYZ-01": "si"}), "pregunta XYZ-01", "pregunta desconocida en prueba 0.1"),
        (
            _doc({"GOB-SER-01": "tal_vez"}),
            "pregunta GOB-SER-01",
            "opción desconocida 'tal_vez'; use: no, parcial, si, no_se, omitida",
        ),
        (
            _doc({"GOB-SER-03": 120}),
            "pregunta GOB-SER-03",
            "cifra fuera de rango: 120; se admite desde 0 hasta 100 (%)",
        ),
        (
            _doc({"HAB-SER-01": -1}),
            "pregunta HAB-SER-01",
            "cifra fuera de rango: -1; se admite desde 0 sin máximo (horas)",
        ),
        (
            _doc({"GOB-SER-03": "mucho"}),
            "pregunta GOB-SER-03",
            "se responde con una cifra desde 0 hasta 100 (%), no_se u omitida",
        ),
        (
            _doc({"GOB-SER-01": 50}),
            "pregunta GOB-SER-01",
            "se responde con una opción, no con una cifra",
        ),
        (_doc({"PER-01": 3}), "pregunta PER-01", "se responde con una opción, no con una cifra"),
        (_doc({"GOB-SER-01": True}), "pregunta GOB-SER-01", "debe ser un id de opción, una cifra"),
        (_doc({"GOB-SER-01": None}), "pregunta GOB-SER-01", "respuesta vacía"),
        (_doc({"GOB-SER-01": [1]}), "pregunta GOB-SER-01", "debe ser un id de opción, una cifra"),
        (
            "questionnaire: otro\nversion: '0.1'\nanswers: {}\n",
            "questionnaire",
            "el archivo es del cuestionario 'otro', pero el cargado es 'prueba'",
        ),
        (
            "questionnaire: prueba\nversion: '9'\nanswers: {}\n",
            "version",
            "las respuestas son de la versión '9', pero la cargada es '0.1'",
        ),
        ("version: '0.1'\nanswers: {}\n", "questionnaire", "falta este campo"),
        ("questionnaire: prueba\nanswers: {}\n", "version", "falta este campo"),
        (
            _doc({}, extra=1),
            "extra",
            "campo desconocido; use questionnaire, version, entity, answers",
        ),
        (
            _doc({}, entity=5001),
            "entity",
            "código DANE no válido: escriba 2 o 5 dígitos entre comillas",
        ),
        (_doc({}, entity="Medellín"), "entity", "código DANE no válido"),
        ("questionnaire: prueba\nversion: '0.1'\nanswers: [a, b]\n", "answers", "debe ser un mapa"),
        ("- una lista\n", "", "el archivo debe ser un mapa YAML con 'answers'"),
        (
            "questionnaire: prueba\nversion: '0.1'\nanswers:\n  GOB-SER-01: si\n  GOB-SER-01: no\n",
            "línea 5",
            "YAML no válido: clave repetida 'GOB-SER-01'",
        ),
        ("questionnaire: prueba\n  version: [\n", "línea 2", "YAML no válido"),
    ],
)
def test_every_problem_is_one_line_naming_file_and_place(tmp_path, text, where, reason):
    path = _file(tmp_path, text)
    with pytest.raises(AnswersFileError) as caught:
        read_answers(path, Q)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {where}: " if where else f"{path}: ")
    assert reason in message


def test_missing_and_undecodable_files(tmp_path):
    with pytest.raises(AnswersFileError, match="el archivo no existe"):
        read_answers(tmp_path / "nada.yml", Q)
    bad = tmp_path / "latin1.yml"
    bad.write_bytes("questionnaire: próximo\n".encode("latin-1"))
    with pytest.raises(AnswersFileError, match="UTF-8"):
        read_answers(bad, Q)


def test_questions_of_the_other_kind_are_refused(tmp_path):
    path = _file(tmp_path, _doc({"HAB-MOV-02": "si"}))  # gobernación only
    with pytest.raises(AnswersFileError, match=r"pregunta HAB-MOV-02: .*no aplica a una alcaldía"):
        read_answers(path, Q, kind="alcaldia")
    loaded = read_answers(path, Q)
    check_kind(loaded, Q, "gobernacion", path)
    with pytest.raises(AnswersFileError, match="no aplica a una alcaldía"):
        check_kind(loaded, Q, "alcaldia", path)


def test_parse_accepts_numbers_as_versions():
    raw = {"questionnaire": "prueba", "version": 0.1, "answers": {"GOB-SER-03": 0}}
    assert parse_answers(raw, Q, "x.yml").answers == {"GOB-SER-03": Answer("figure", value=0.0)}


@pytest.mark.parametrize("kind", ["alcaldia", "gobernacion"])
def test_sample_is_valid_and_deterministic(questionnaire, kind):
    first = sample_answers(questionnaire, kind, random.Random(42))
    assert first == sample_answers(questionnaire, kind, random.Random(42))
    assert first != sample_answers(questionnaire, kind, random.Random(43))
    for item_id, answer in first.items():
        assert answer_problem(questionnaire, item_id, answer.dump(), kind) is None
    applicable = {q.id for q in questionnaire.questions_for(kind)}
    assert set(first) <= applicable  # no perception unless asked for
    assert score(questionnaire, kind, first).overall.value is not None


def test_sample_leaves_gaps_and_varies(questionnaire):
    kinds, scores = set(), []
    for seed in range(20):
        answers = sample_answers(questionnaire, "alcaldia", random.Random(seed), perception=True)
        kinds |= {a.kind for a in answers.values()}
        n_items = len(questionnaire.questions_for("alcaldia")) + len(questionnaire.perception_index)
        kinds |= {"absent"} if len(answers) < n_items else set()
        scores.append(score(questionnaire, "alcaldia", answers).overall.value)
    assert kinds == {"option", "figure", "dont_know", "skipped", "absent"}
    assert max(scores) - min(scores) > 10  # entities differ, so benchmarks are not one case


def test_sample_with_perception_answers_the_survey(questionnaire):
    answers = sample_answers(questionnaire, "gobernacion", random.Random(3), perception=True)
    assert set(answers) & set(questionnaire.perception_index)
