"""Several questionnaire versions loaded at once (`load_questionnaires`, `Questionnaires.of`)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dialogues.questionnaire import QuestionnaireError, load_questionnaires
from tests.factories import questionnaire_raw, write_yaml


@dataclass(frozen=True)
class Record:
    questionnaire_id: str
    questionnaire_version: str


def _files(tmp_path, *versions: str):
    paths = []
    for i, version in enumerate(versions):
        raw = questionnaire_raw()
        raw["version"] = version
        paths.append(write_yaml(tmp_path, raw, f"v{i}.yml"))
    return paths


def test_each_record_gets_its_own_version_and_new_ones_the_default(tmp_path, caplog):
    new, old = _files(tmp_path, "2.0", "1.0")
    loaded = load_questionnaires(new, [old, new])  # the default listed again: no complaint
    assert loaded.default.version == "2.0" and len(loaded) == 2
    qid = loaded.default.id
    assert loaded.of(Record(qid, "1.0")).version == "1.0"
    assert loaded.of(None) is loaded.default
    assert loaded.of(Record(qid, "0.5")) is loaded.default  # not loaded: the default, logged
    assert "questionnaire " + qid + " 0.5 is not loaded" in caplog.text


def test_two_files_with_one_version_are_refused_in_one_line(tmp_path):
    new, twin = _files(tmp_path, "2.0", "2.0")
    with pytest.raises(QuestionnaireError) as raised:
        load_questionnaires(new, [twin])
    message = str(raised.value)
    assert message.startswith(f"{twin}: version: {new} ya carga el cuestionario ")
    assert "cada versión debe tener su propio número" in message and "\n" not in message
