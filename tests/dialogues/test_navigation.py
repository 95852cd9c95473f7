"""Where a contact is in the questionnaire: next, previous, position, progress."""

from dialogues import navigation as nav
from dialogues.commands import Command, parse_command, parse_dimensions
from tests.factories import build

Q = build()
ALC = [q.id for q in Q.questions_for("alcaldia")]
GOB = [q.id for q in Q.questions_for("gobernacion")]


def test_applicability_differs_by_kind():
    assert "GOB-SER-02" in ALC and "GOB-SER-02" not in GOB
    assert "HAB-MOV-02" in GOB and "HAB-MOV-02" not in ALC


def test_next_question_skips_answered_and_skipped():
    assert nav.next_question(Q, "alcaldia", set()).id == ALC[0]
    assert nav.next_question(Q, "alcaldia", {ALC[0]}).id == ALC[1]
    assert nav.next_question(Q, "alcaldia", {ALC[0]}, skipped={ALC[1]}).id == ALC[2]
    assert nav.next_question(Q, "alcaldia", set(ALC)) is None


def test_scope_limits_to_chosen_dimensions():
    first_habitat = nav.next_question(Q, "alcaldia", set(), dimensions={"habitat"})
    assert first_habitat.id == "HAB-MOV-01"
    assert all(q.id.startswith("HAB") for q in nav.in_scope(Q, "alcaldia", {"habitat"}))


def test_previous_question():
    assert nav.previous_question(Q, "alcaldia", ALC[0]) is None
    assert nav.previous_question(Q, "alcaldia", ALC[2]).id == ALC[1]
    assert nav.previous_question(Q, "alcaldia", None).id == ALC[-1]


def test_position_counts_dimension_progress():
    pos = nav.position(Q, "alcaldia", "GOB-DAT-01", {"GOB-SER-01", "GOB-SER-02"})
    assert pos.number == ALC.index("GOB-DAT-01") + 1 and pos.total == len(ALC)
    assert pos.dimension.id == "gobernanza"
    assert (pos.dimension_answered, pos.dimension_total) == (2, 4)
    assert pos.dimension_percent == 50


def test_progress_lists_missing_numbers():
    rows = nav.progress(Q, "alcaldia", {"GOB-SER-01", "HAB-SER-02"}, {"HAB-SER-02"})
    gob, hab = rows
    assert (gob.answered, gob.total, gob.dont_know) == (1, 4, 0)
    assert gob.missing == (2, 3, 4)
    assert hab.dont_know == 1 and hab.percent == 33


def test_by_number_and_id():
    assert nav.by_number(Q, "alcaldia", "1").id == ALC[0]
    assert nav.by_number(Q, "alcaldia", str(len(ALC) + 1)) is None
    assert nav.by_number(Q, "alcaldia", "0") is None
    assert nav.by_number(Q, "alcaldia", "gob-ser-01").id == "GOB-SER-01"


def test_dimension_commands():
    assert parse_dimensions(Q, "Gobernanza y Hábitat") == ("gobernanza", "habitat")
    assert parse_dimensions(Q, "habitat, gobernanza") == ("gobernanza", "habitat")
    assert parse_dimensions(Q, "todas") == ()
    assert parse_dimensions(Q, "astronomía") is None
    assert parse_command(Q, "yo respondo gobernanza") == Command("dimensions", ("gobernanza",))
    assert parse_command(Q, "revisar") == Command("review")
    assert parse_command(Q, "ir a 3") == Command("goto", "3")
    assert parse_command(Q, "buenos días") is None
