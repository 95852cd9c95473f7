"""The held-out sets of bench/ stay held out: no text is also a training example, and every
answer names a question and an option of the questionnaire."""

from __future__ import annotations

from pathlib import Path

from bench.answers_said import MESSAGES, answer_rows
from dialogues.questionnaire import load_questionnaire
from nlu import rasa_data
from nlu.text import normalize

ROOT = Path(__file__).resolve().parents[2]


def _training() -> set[str]:
    return {normalize(e.text) for e in rasa_data.load(ROOT / "data" / "nlu").examples}


def test_answers_are_not_training_examples_and_name_real_options() -> None:
    rows = answer_rows()
    assert len(rows) >= 200
    training = _training()
    questionnaire = load_questionnaire(ROOT / "data" / "questionnaire" / "v1.yml")
    for question_id, text, expected in rows:
        assert normalize(text) not in training, text
        question = questionnaire.question_index[question_id][2]
        ids = {o.id for o in question.options or ()}
        assert expected == "ask" or expected in ids, (question_id, expected)


def test_long_messages_are_not_training_examples() -> None:
    examples = rasa_data.load(MESSAGES).examples
    assert len(examples) >= 300
    training = _training()
    overlap = [e.text for e in examples if normalize(e.text) in training]
    assert overlap == []
    texts = [normalize(e.text) for e in examples]
    assert len(set(texts)) == len(texts)
