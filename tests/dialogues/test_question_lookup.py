"""Finding a question by its words, as a table over the real questionnaire."""

from __future__ import annotations

import pytest

from bot.app import load_static
from bot.config import load_config
from dialogues.question_lookup import change_topic, find_questions


@pytest.fixture(scope="module")
def questionnaire():
    return load_static(load_config(env={})).questionnaire


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("cambiar la de los homicidios", "los homicidios"),
        (
            "Quiero corregir la respuesta sobre el internet en los colegios",
            "el internet en los colegios",
        ),
        ("modificar la pregunta de la deserción escolar?", "la desercion escolar"),
        ("cambiar una respuesta", None),  # the review's button: which one is asked
        ("cambiar la de antes", None),  # the previous answer, not a topic
        ("cambiar mi correo", None),  # personal data (dialogues.commands.privacy_request)
        ("los homicidios", None),
    ],
)
def test_change_topic(text, topic):
    assert change_topic(text) == topic


@pytest.mark.parametrize(
    ("words", "ids"),
    [
        ("los homicidios", ["CV-SEG-04"]),
        ("la desercion escolar", ["PER-EDU-04"]),
        ("educación", ["PER-EDU-01", "PER-EDU-02", "PER-EDU-03", "PER-EDU-04"]),  # ask which
        ("xyzzy", []),
        ("de la en los", []),  # only words that name no topic
    ],
)
def test_find_questions(questionnaire, words, ids):
    assert [q.id for q in find_questions(questionnaire, "alcaldia", words)] == ids


def test_a_long_request_is_bounded(questionnaire):
    assert find_questions(questionnaire, "alcaldia", "homicidios " * 10_000)[0].id == "CV-SEG-04"
    assert change_topic("cambiar la de " + "x" * 100_000) is not None
