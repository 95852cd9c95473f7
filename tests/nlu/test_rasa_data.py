"""Reading and writing Rasa 3.x NLU YAML."""

from __future__ import annotations

import pytest
import yaml

from nlu import rasa_data
from nlu.rasa_data import Annotation, NluDataError, parse_annotated, parse_document
from tests.nlu.helpers import NLU_DATA


@pytest.mark.parametrize(
    ("raw", "text", "annotations"),
    [
        ("hola", "hola", ()),
        (
            "somos de [Cali](municipio)",
            "somos de Cali",
            (Annotation("municipio", 9, 13, "Cali", "Cali"),),
        ),
        (
            "de [Cali](municipio:76001) y [Pasto](municipio:52001)",
            "de Cali y Pasto",
            (
                Annotation("municipio", 3, 7, "76001", "Cali"),
                Annotation("municipio", 10, 15, "52001", "Pasto"),
            ),
        ),
        (
            'la alcaldía de [Cartagena]{"entity": "municipio", "value": "13001"}',
            "la alcaldía de Cartagena",
            (Annotation("municipio", 15, 24, "13001", "Cartagena"),),
        ),
        (
            '[Bogotá][{"entity": "municipio", "value": "11001"}, {"entity": "departamento", '
            '"value": "11"}]',
            "Bogotá",
            (
                Annotation("municipio", 0, 6, "11001", "Bogotá"),
                Annotation("departamento", 0, 6, "11", "Bogotá"),
            ),
        ),
    ],
)
def test_entity_annotations(raw, text, annotations):
    assert parse_annotated(raw) == (text, annotations)


def test_examples_as_block_or_list_synonyms_lookups_and_regexes():
    data = parse_document(
        {
            "version": "3.1",
            "nlu": [
                {"intent": "saludo", "examples": "- hola\n- buenas\n\n"},
                {"intent": "saludo", "examples": [{"text": "quiubo"}]},
                {"synonym": "13001", "examples": "- Cartagena\n- la Heroica\n"},
                {"lookup": "departamento", "examples": "- Huila\n"},
                {"regex": "ticket", "examples": "- CTI-\\d{4}\n"},
            ],
        },
        "x.yml",
    )
    assert [e.text for e in data.examples] == ["hola", "buenas", "quiubo"]
    assert data.intents == ("saludo",)
    assert data.synonyms == {"13001": ("Cartagena", "la Heroica")}
    assert data.lookups == {"departamento": ("Huila",)}
    assert data.regexes == {"ticket": ("CTI-\\d{4}",)}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "top level must be a mapping"),
        ({"nlu": {"intent": "x"}}, "'nlu' must be a list"),
        ({"nlu": [{"intent": "x", "examples": "hola"}]}, "must start with '- '"),
        ({"nlu": [{"intent": "x", "examples": [{"txt": "hola"}]}]}, "needs a 'text' string"),
        ({"nlu": [{"story": "x"}]}, "expected one of intent, synonym, lookup, regex"),
        ({"nlu": [{"intent": "x", "examples": '- [a]{"entity": }'}]}, "bad entity annotation"),
    ],
)
def test_errors_name_the_file_and_the_item(document, message):
    with pytest.raises(NluDataError, match=message) as error:
        parse_document(document, "data/nlu/malo.yml")
    assert str(error.value).startswith("data/nlu/malo.yml")


def test_invalid_yaml_and_missing_folders_are_one_line_errors(tmp_path):
    bad = tmp_path / "malo.yml"
    bad.write_text("nlu: [\n", encoding="utf-8")
    with pytest.raises(NluDataError, match=r"malo\.yml: invalid YAML"):
        rasa_data.load_file(bad)
    with pytest.raises(NluDataError, match="not a directory"):
        rasa_data.data_files(tmp_path / "nada")
    (tmp_path / "vacia").mkdir()
    with pytest.raises(NluDataError, match=r"no \.yml training files"):
        rasa_data.data_files(tmp_path / "vacia")


def test_the_test_folder_is_not_training_data():
    assert all(p.parent == NLU_DATA for p in rasa_data.data_files(NLU_DATA))


def test_written_yaml_reads_back_identically():
    data = rasa_data.load(NLU_DATA)
    again = parse_document(yaml.safe_load(rasa_data.to_yaml(data)), "<written>")
    assert again.examples == data.examples
    assert again.synonyms == data.synonyms
    assert again.lookups == data.lookups
    # DANE codes stay strings for YAML 1.2 readers such as Rasa's: "05148", not 5148.
    assert 'synonym: "05148"' in rasa_data.to_yaml(data)
