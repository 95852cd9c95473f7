"""The questionnaire loader: a valid file loads; a broken one gives one readable Spanish line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogues.questionnaire import QuestionnaireError, load_questionnaire, parse_questionnaire
from tests.factories import node, questionnaire_raw, write_yaml

GOB = "dimensions[gobernanza]"
SER = f"{GOB}.subdimensions[gob-servicios]"
DAT = f"{GOB}.subdimensions[gob-datos]"
HAB = "dimensions[habitat]"
Q1 = f"{SER}.questions[GOB-SER-01]"
Q3 = f"{SER}.questions[GOB-SER-03]"


def error_of(path: Path) -> QuestionnaireError:
    """Load `path`, expecting exactly one QuestionnaireError that hides its Python origin."""
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    err = info.value
    # `raise ... from None` (or raising outside the except block): nothing chained to print.
    assert err.__cause__ is None
    assert err.__context__ is None or err.__suppress_context__
    assert "\n" not in str(err)
    assert "Traceback" not in str(err)
    return err


def message_for(tmp_path: Path, raw: Any) -> str:
    path = write_yaml(tmp_path, raw)
    err = error_of(path)
    assert str(err).startswith(f"{path}: ")
    return str(err).removeprefix(f"{path}: ")


# --- a valid file ------------------------------------------------------------------------------


def test_valid_file_loads_with_exact_weights(tmp_path: Path) -> None:
    q = load_questionnaire(write_yaml(tmp_path, questionnaire_raw()))
    assert [d.id for d in q.dimensions] == ["gobernanza", "habitat"]
    assert [d.weight for d in q.dimensions] == [Fraction(1, 3), Fraction(2, 3)]
    # A float weight in the file becomes the exact decimal it was written as.
    assert [s.weight for _, s in q.iter_subdimensions()] == [
        Fraction(3, 4),
        Fraction(1, 4),
        Fraction(2, 5),
        Fraction(3, 5),
    ]
    assert [m.weight for m in q.measurements] == [
        Fraction(1, 2),
        Fraction(3, 10),
        Fraction(1, 5),
    ]
    assert len(q.questions) == 8
    assert [x.id for x in q.questions_for("alcaldia")] == [
        "GOB-SER-01",
        "GOB-SER-02",
        "GOB-SER-03",
        "GOB-DAT-01",
        "HAB-MOV-01",
        "HAB-SER-01",
        "HAB-SER-02",
    ]
    assert "GOB-SER-02" not in [x.id for x in q.questions_for("gobernacion")]
    assert "HAB-MOV-02" in [x.id for x in q.questions_for("gobernacion")]
    assert set(q.perception_index) == {"PER-01", "PER-02"}
    assert q.question_index["HAB-SER-01"][1].id == "hab-servicios"
    assert q.questions[2].figure is not None
    assert q.questions[2].figure.bands[1].from_ == 20


def test_yaml_anchors_and_merge_keys_still_load(tmp_path: Path) -> None:
    """Refusing repeated keys must not refuse a merge key overridden by explicit keys."""
    raw = questionnaire_raw()
    node(raw, "HAB-SER-02")["options"] = "__OPTIONS__"
    text = write_yaml(tmp_path, raw).read_text(encoding="utf-8")
    text = text.replace(
        "options: __OPTIONS__",
        "options: [&base {id: nada, text: Nada, score: 0}, {<<: *base, id: todo, score: 100}]",
    )
    path = tmp_path / "anclas.yml"
    path.write_text(text, encoding="utf-8")
    question = load_questionnaire(path).question_index["HAB-SER-02"][2]
    assert [(o.id, o.text, o.score) for o in question.options or ()] == [
        ("nada", "Nada", 0),
        ("todo", "Nada", 100),
    ]


# --- broken files: (mutation, path inside the file, Spanish reason) ----------------------------


def _set(ident: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        node(raw, ident)[key] = value

    return mutate


def _option(qid: str, index: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        node(raw, qid)["options"][index][key] = value

    return mutate


def _drop_score(raw: dict[str, Any]) -> None:
    del node(raw, "GOB-SER-01")["options"][1]["score"]


def _both(raw: dict[str, Any]) -> None:
    node(raw, "GOB-SER-01")["figure"] = node(raw, "GOB-SER-03")["figure"]


def _neither(raw: dict[str, Any]) -> None:
    del node(raw, "GOB-SER-01")["options"]


def _band(index: int, start: float) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        node(raw, "GOB-SER-03")["figure"]["bands"][index]["from"] = start

    return mutate


def _figure_max(value: float) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        node(raw, "GOB-SER-03")["figure"]["max"] = value

    return mutate


def _drop_root(key: str) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        del raw[key]

    return mutate


def _two_errors(raw: dict[str, Any]) -> None:
    node(raw, "gobernanza")["name"] = ""
    node(raw, "habitat")["name"] = ""


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "duplicate question id across subdimensions",
        _set("GOB-DAT-01", "id", "GOB-SER-01"),
        f"{DAT}.questions[GOB-SER-01].id",
        "id repetido en preguntas: 'GOB-SER-01'",
    ),
    (
        "perception item reusing a question id",
        _set("PER-02", "id", "HAB-SER-02"),
        "perception.items[HAB-SER-02].id",
        "id repetido en preguntas: 'HAB-SER-02'",
    ),
    (
        "duplicate subdimension id across dimensions",
        _set("hab-movilidad", "id", "gob-datos"),
        f"{HAB}.subdimensions[gob-datos].id",
        "id repetido en subdimensiones: 'gob-datos'",
    ),
    (
        "duplicate axis id",
        _set("conectividad", "id", "datos"),
        "axes[datos].id",
        "id repetido en ejes: 'datos'",
    ),
    (
        "duplicate option id",
        _option("GOB-SER-01", 2, "id", "no"),
        f"{Q1}.options[no].id",
        "id repetido en opciones: 'no'",
    ),
    (
        "duplicate option id in a perception item",
        _option("PER-01", 1, "id", "mal"),
        "perception.items[PER-01].options[mal].id",
        "id repetido en opciones: 'mal'",
    ),
    ("option without score", _drop_score, f"{Q1}.options[parcial].score", "falta este campo"),
    (
        "score above 100",
        _option("GOB-SER-01", 2, "score", 101),
        f"{Q1}.options[si].score",
        "debe ser menor o igual que 100",
    ),
    (
        "negative score",
        _option("GOB-SER-01", 0, "score", -0.5),
        f"{Q1}.options[no].score",
        "debe ser mayor o igual que 0",
    ),
    (
        "score that is not a number",
        _option("GOB-SER-01", 0, "score", "alto"),
        f"{Q1}.options[no].score",
        "debe ser un número",
    ),
    (
        "unknown dimension-level field",
        _set("habitat", "peso", 1),
        f"{HAB}.peso",
        "campo desconocido",
    ),
    (
        "question with options and figure",
        _both,
        Q1,
        "cada pregunta lleva 'options' o 'figure' (una de las dos)",
    ),
    (
        "question with neither options nor figure",
        _neither,
        Q1,
        "cada pregunta lleva 'options' o 'figure' (una de las dos)",
    ),
    (
        "question with a single option",
        _set("GOB-SER-01", "options", [{"id": "si", "text": "Sí", "score": 100}]),
        f"{Q1}.options",
        "una pregunta con opciones necesita al menos dos",
    ),
    (
        "unknown axis tag",
        _set("GOB-SER-01", "axes", ["datos", "nube"]),
        f"{Q1}.axes",
        "eje habilitador desconocido 'nube'",
    ),
    (
        "unknown cofinancing component",
        lambda raw: node(raw, "gob-datos")["recommendation"].update(cofinancing=["software"]),
        f"{DAT}.recommendation.cofinancing",
        "componente cofinanciable desconocido 'software'",
    ),
    (
        "perception item pointing at an unknown subdimension",
        _set("PER-01", "subdimension", "gob-nada"),
        "perception.items[PER-01].subdimension",
        "subdimensión desconocida 'gob-nada'",
    ),
    (
        "perception measurement on an officials' question",
        _set("GOB-SER-01", "measurement", "percepcion"),
        f"{Q1}.measurement",
        "la percepción va en la sección 'perception'",
    ),
    (
        "unknown measurement",
        _set("GOB-SER-01", "measurement", "impacto"),
        f"{Q1}.measurement",
        "valor no permitido; use 'capacidades', 'resultados' o 'percepcion'",
    ),
    (
        "dimension weights not summing to 1",
        _set("habitat", "weight", "1/2"),
        "dimensions",
        "los pesos suman 5/6 (≈ 0.833333) y deben sumar 1",
    ),
    (
        "subdimension weights not summing to 1 within a dimension",
        _set("hab-movilidad", "weight", 0.5),
        f"{HAB}.subdimensions",
        "los pesos suman 11/10 (≈ 1.1) y deben sumar 1",
    ),
    (
        "measurement weights not summing to 1",
        _set("resultados", "weight", 0.25),
        "measurements",
        "los pesos suman 19/20 (≈ 0.95) y deben sumar 1",
    ),
    (
        "weight that is not a number",
        _set("gobernanza", "weight", "un tercio"),
        f"{GOB}.weight",
        "peso no válido: 'un tercio' (use 0.25, 1/6 o 2)",
    ),
    (
        "zero weight",
        _set("gob-datos", "weight", 0),
        f"{DAT}.weight",
        "el peso debe ser positivo, no 0",
    ),
    (
        "unreachable level (same threshold as the previous one)",
        _set("intermedio", "min_score", 25),
        "levels[intermedio].min_score",
        "el nivel 'intermedio' es inalcanzable: su umbral (25) "
        "no supera el del nivel anterior (25)",
    ),
    (
        "unreachable level (lower threshold than the previous one)",
        _set("avanzado", "min_score", 40.5),
        "levels[avanzado].min_score",
        "el nivel 'avanzado' es inalcanzable: su umbral (40.5) "
        "no supera el del nivel anterior (50)",
    ),
    (
        "first level not starting at 0",
        _set("inicial", "min_score", 5),
        "levels[inicial].min_score",
        "el primer nivel de madurez debe empezar en 0",
    ),
    (
        "reserved option id no_se",
        _option("GOB-SER-01", 1, "id", "no_se"),
        f"{Q1}.options[no_se].id",
        "'no_se' es una respuesta reservada; use otro id",
    ),
    (
        "reserved option id omitida in a perception item",
        _option("PER-02", 0, "id", "omitida"),
        "perception.items[PER-02].options[omitida].id",
        "'omitida' es una respuesta reservada; use otro id",
    ),
    (
        "figure bands not ascending",
        _band(2, 20),
        f"{Q3}.figure.bands[2].from",
        "las bandas deben ir en orden estrictamente creciente de 'from'",
    ),
    (
        "figure bands not starting at min",
        _band(0, 5),
        f"{Q3}.figure.bands[0].from",
        "la primera banda debe empezar en el mínimo (0)",
    ),
    (
        "figure max below the last band start",
        _figure_max(80),
        f"{Q3}.figure.max",
        "el máximo debe ser mayor que el mínimo y que el inicio de cada banda",
    ),
    (
        "applies_to outside the allowed values",
        _set("GOB-SER-01", "applies_to", "municipio"),
        f"{Q1}.applies_to",
        "valor no permitido; use 'alcaldia', 'gobernacion' o 'ambos'",
    ),
    (
        "id with spaces",
        _set("GOB-SER-01", "id", "GOB SER 01"),
        f"{SER}.questions[GOB SER 01].id",
        "identificador no válido: use letras sin tilde, números, '_', '.' o '-', sin espacios",
    ),
    (
        "version written as a number",
        lambda raw: raw.update(version=1.0),
        "version",
        "debe ser un texto (escríbalo entre comillas)",
    ),
    ("empty title", lambda raw: raw.update(title=""), "title", "no puede estar vacío"),
    ("missing root field", _drop_root("label"), "label", "falta este campo"),
    (
        "only one level",
        lambda raw: raw.update(levels=raw["levels"][:1]),
        "levels",
        "necesita al menos 2 elemento(s)",
    ),
    (
        "dimensions not a list",
        lambda raw: raw.update(dimensions={"id": "x"}),
        "dimensions",
        "debe ser una lista",
    ),
    (
        "two errors at once",
        _two_errors,
        f"{GOB}.name",
        "no puede estar vacío (y 1 error(es) más)",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "where", "reason"),
    [pytest.param(m, w, r, id=name) for name, m, w, r in BROKEN],
)
def test_broken_file_gives_one_readable_error(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], where: str, reason: str
) -> None:
    raw = questionnaire_raw()
    mutate(raw)
    path = write_yaml(tmp_path, raw)
    err = error_of(path)
    assert str(err) == f"{path}: {where}: {reason}"
    assert (err.path, err.where, err.reason) == (path, where, reason)


# --- broken files the YAML layer or the file system catches ------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "reason"),
    [
        pytest.param(
            "id: prueba\ndimensions:\n\t- id: x\n",
            "línea 3",
            "YAML no válido: hay un tabulador; sangre con espacios",
            id="tab",
        ),
        pytest.param(
            "id: prueba\nversion: '1'\ntitle: a: b\n",
            "línea 3",
            "YAML no válido: aquí no puede ir 'clave: valor'",
            id="mapping-in-scalar",
        ),
        pytest.param(
            "id: prueba\nlevels: [1, 2\n",
            "línea 3",
            "YAML no válido: expected ',' or ']', but got '<stream end>'",
            id="unclosed-flow",
        ),
        pytest.param(
            "id: prueba\ntitle: uno\nversion: '1'\ntitle: dos\n",
            "línea 4",
            "YAML no válido: clave repetida 'title'",
            id="repeated-key",
        ),
    ],
)
def test_invalid_yaml_names_the_line(tmp_path: Path, text: str, where: str, reason: str) -> None:
    path = tmp_path / "roto.yml"
    path.write_text(text, encoding="utf-8")
    assert str(error_of(path)) == f"{path}: {where}: {reason}"


def test_repeated_key_deep_in_the_file_names_its_line(tmp_path: Path) -> None:
    text = write_yaml(tmp_path, questionnaire_raw()).read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "id: GOB-DAT-01" in line)
    indent = lines[at + 1][: len(lines[at + 1]) - len(lines[at + 1].lstrip())]
    lines.insert(at + 2, f"{indent}text: Otra vez")
    path = tmp_path / "repetida.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert str(error_of(path)) == (f"{path}: línea {at + 3}: YAML no válido: clave repetida 'text'")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("- id: prueba\n- id: otra\n", "el archivo debe contener un mapa YAML en su raíz"),
        ("solo un texto\n", "el archivo debe contener un mapa YAML en su raíz"),
        ("", "el archivo está vacío"),
        ("# solo un comentario\n", "el archivo está vacío"),
    ],
)
def test_file_that_is_not_a_mapping(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "plano.yml"
    path.write_text(text, encoding="utf-8")
    assert str(error_of(path)) == f"{path}: {reason}"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "no-existe.yml"
    assert str(error_of(path)) == f"{path}: el archivo no existe"


def test_directory_instead_of_file(tmp_path: Path) -> None:
    assert str(error_of(tmp_path)) == f"{tmp_path}: es una carpeta, no un archivo"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, questionnaire_raw())
    path.chmod(0)
    try:
        assert str(error_of(path)) == f"{path}: no hay permiso para leer el archivo"
    finally:
        path.chmod(0o644)


def test_file_not_in_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yml"
    path.write_bytes("id: prueba\ntitle: Hábitat\n".encode("latin-1"))
    # "id: prueba\ntitle: H" is 19 bytes; the Latin-1 "á" is byte 19.
    assert str(error_of(path)) == f"{path}: el archivo no está en UTF-8 (byte 19)"


def test_parse_questionnaire_rejects_non_mapping_without_a_file() -> None:
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(["id"], Path("memoria.yml"))
    assert str(info.value) == "memoria.yml: el archivo debe contener un mapa YAML en su raíz"


def test_broken_message_repeats_for_every_case_in_one_file(tmp_path: Path) -> None:
    """The same raw data gives the same message whether loaded from a file or parsed."""
    raw = questionnaire_raw()
    node(raw, "GOB-SER-01")["axes"] = ["nube"]
    path = write_yaml(tmp_path, raw)
    from_file = error_of(path)
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(yaml.safe_load(path.read_text(encoding="utf-8")), path)
    assert (
        str(info.value)
        == str(from_file)
        == (f"{path}: {Q1}.axes: eje habilitador desconocido 'nube'")
    )


# --- the command-line promise: one line on stderr, non-zero exit, no traceback -----------------

ROOT = Path(__file__).resolve().parents[2]
LOAD_LIKE_THE_CLI = (
    "import sys; from pathlib import Path; "
    "from bot.config import Config, DataConfig; "
    "from bot.commands.questionnaire import questionnaire_from; "
    "questionnaire_from(Config(data=DataConfig(questionnaire=Path(sys.argv[1]))))"
)


def _run_cli_loader(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LOAD_LIKE_THE_CLI, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_loader_prints_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    raw = questionnaire_raw()
    node(raw, "PER-01")["subdimension"] = "gob-nada"
    path = write_yaml(tmp_path, raw)
    result = _run_cli_loader(path)
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {path}: perception.items[PER-01].subdimension: "
        "subdimensión desconocida 'gob-nada'\n"
    )


def test_cli_loader_accepts_a_valid_file(tmp_path: Path) -> None:
    result = _run_cli_loader(write_yaml(tmp_path, questionnaire_raw()))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
