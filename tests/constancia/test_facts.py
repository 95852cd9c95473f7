"""What a submission certified, recomputed from the history, and where it stands now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.constancia.facts import answers_as_of, standing, submissions
from bot.scoring import Answer
from bot.storage.api import AssessmentEvent, AssessmentRecord, StoredAnswer

T = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T + timedelta(minutes=minutes)


def given(qid: str, option: str, minutes: int) -> StoredAnswer:
    return StoredAnswer(qid, Answer("option", option), None, at(minutes))


def record(status: str) -> AssessmentRecord:
    return AssessmentRecord(7, "52001", 2026, "q", "1", status, T)  # type: ignore[arg-type]


def events(*kinds_at: tuple[str, int]) -> list[AssessmentEvent]:
    return [AssessmentEvent(kind, None, at(m)) for kind, m in kinds_at]  # type: ignore[arg-type]


def test_answers_in_force_at_a_submission():
    history = [given("A", "a", 1), given("B", "a", 2), given("A", "c", 10), given("C", "b", 11)]
    assert answers_as_of(history, at(5)) == {"A": Answer("option", "a"), "B": Answer("option", "a")}
    assert answers_as_of(history, at(10))["A"] == Answer("option", "c")
    assert answers_as_of(history, at(0)) == {}
    assert len(answers_as_of(history, at(99))) == 3


LOG = events(("started", 0), ("submitted", 5), ("reopened", 8), ("submitted", 12))


def test_the_last_submission_is_valid_and_the_earlier_superseded():
    assert submissions(LOG) == [at(5), at(12)]
    now = record("submitted")
    assert standing(now, LOG, 2) is not None and standing(now, LOG, 2).status == "valid"  # type: ignore[union-attr]
    earlier = standing(now, LOG, 1)
    assert earlier is not None and (earlier.status, earlier.since) == ("superseded", at(12))
    assert standing(now, LOG, 3) is None
    assert standing(now, LOG, 0) is None


def test_a_reopened_diagnosis_withdraws_its_last_constancia():
    log = [*LOG, *events(("reopened", 20))]
    last = standing(record("in_progress"), log, 2)
    assert last is not None and (last.status, last.since) == ("withdrawn", at(20))
    first = standing(record("in_progress"), log, 1)
    assert first is not None and first.status == "superseded"
