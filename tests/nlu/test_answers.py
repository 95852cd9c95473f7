"""Free text -> one of the current question's graded options, on the real questionnaire."""

from __future__ import annotations

import pytest

from nlu.answers import interpret_answer


def _options(questionnaire, question_id):
    question = questionnaire.question_index[question_id][2]
    return [(o.id, o.text) for o in question.options]


# (question, what an official writes, index of the option meant, saved without asking?)
CASES = [
    ("PER-EDU-01", "ya lo adoptamos pero no se ha implementado", 2, True),
    ("PER-EDU-01", "no tenemos ningún programa", 0, True),
    ("PER-EDU-01", "estamos formulándolo", 1, True),
    ("PER-EDU-01", "lo estamos elaborando", 1, True),
    ("PER-EDU-01", "ya se implementa en unas sedes", 3, True),
    ("PER-EDU-01", "está en casi todas las sedes y lo evaluamos", 4, True),
    ("GOB-GTI-01", "está aprobado pero no se ejecuta todavía", 2, True),
    ("GOB-GTI-01", "se ejecuta parcialmente, algunos proyectos", 3, True),
    ("GOB-GTI-01", "lo estamos construyendo", 1, True),
    ("CV-SEG-01", "tenemos centro de monitoreo 24 horas con la policia", 3, True),
    ("MA-ENE-01", "ya casi todas son led", 3, True),
    ("MA-ENE-01", "algunas luminarias led", 2, True),
    ("GOB-PAR-02", "solo presencial", 1, True),
    ("GOB-PAR-02", "la transmitimos por facebook live", 2, True),
    ("HAB-ORD-01", "el pot está vencido y ya empezamos la revisión", 1, True),
    ("CV-SAL-02", "casi todo en papel", 0, True),
    ("PER-EDU-03", "no se hace seguimiento", 0, True),
    # Close calls: the right option, but to be confirmed with the person first.
    ("GOB-TDA-03", "todo en secop 2", 3, False),
    ("PER-EDU-01", "no", 0, False),  # a bare "no" may mean "No existe"... or "no" to something
    ("PER-EDU-01", "todavía no hay nada", 0, False),
]


@pytest.mark.parametrize(("question_id", "text", "index", "sure"), CASES)
def test_free_text_picks_the_option_meant(questionnaire, question_id, text, index, sure):
    options = _options(questionnaire, question_id)
    match = interpret_answer(text, options)
    assert match.option_id == options[index][0]
    assert match.sure is sure
    assert match.by == "text"


@pytest.mark.parametrize(
    ("text", "index"),
    [("b", 1), ("la c", 2), ("opción 4", 3), ("la primera", 0), ("la última", 4), ("es la d", 3)],
)
def test_explicit_choices(questionnaire, text, index):
    options = _options(questionnaire, "PER-EDU-01")
    match = interpret_answer(text, options)
    assert (match.option_id, match.sure, match.by) == (options[index][0], True, "choice")


@pytest.mark.parametrize(
    "text",
    ["no sé", "no sabemos", "ni idea", "no estoy seguro", "no sé si ya se implementa", "", "  "],
)
def test_not_knowing_is_not_an_option(questionnaire, text):
    match = interpret_answer(text, _options(questionnaire, "PER-EDU-01"))
    assert match.option_id is None and not match.sure


@pytest.mark.parametrize(
    "text",
    ["hasta cuándo hay plazo", "me equivoqué en la anterior", "necesitamos asesoría", "gracias"],
)
def test_other_requests_are_never_sure_answers(questionnaire, text):
    match = interpret_answer(text, _options(questionnaire, "GOB-GTI-01"))
    assert not match.sure
    assert match.confidence < 0.2


def test_scores_rank_every_option(questionnaire):
    options = _options(questionnaire, "PER-EDU-01")
    match = interpret_answer("ya lo adoptamos pero no se ha implementado", options)
    assert sorted(oid for oid, _ in match.scores) == sorted(oid for oid, _ in options)
    values = [v for _, v in match.scores]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize(
    "text",
    ["toca preguntar en planeacion", "eso lo sabe la secretaria de planeacion"],
)
def test_the_planning_office_is_not_the_planning_stage(questionnaire, text):
    # «planeación» names the office that knows: no option is described, so none is saved.
    match = interpret_answer(text, _options(questionnaire, "PER-EDU-01"))
    assert not match.sure


def test_in_planning_is_still_the_stage(questionnaire):
    match = interpret_answer("esta en planeacion todavia", _options(questionnaire, "PER-EDU-01"))
    assert match.option_id == _options(questionnaire, "PER-EDU-01")[1][0]
