"""Numbers and codes of constancias: a code verifies only for the exact facts and secret it was
made with; what a person types (case, spaces, look-alike letters) still reads."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.constancia.code import MAX_CODE_CHARS, Facts, Keys, number, parse_code
from bot.tickets.text import find_number

SECRET, OTHER = "s" * 40, "t" * 40
FACTS = Facts(
    assessment_id=42,
    ordinal=1,
    entity_code="52001",
    cycle=2026,
    submitted_at=datetime(2026, 12, 5, 17, 3, 4, 250000, tzinfo=UTC),
    questionnaire_id="mmcti",
    version="1.0.0",
    overall=51.1234,
    dimensions=(("PER", 50.0), ("GOB", 65.4), ("CV", None)),
)

# One changed value per fact the constancia states.
CHANGED = {
    "assessment_id": 43,
    "ordinal": 2,
    "entity_code": "52356",
    "cycle": 2025,
    "submitted_at": FACTS.submitted_at + timedelta(seconds=1),
    "questionnaire_id": "otro",
    "version": "1.0.1",
    "overall": 51.1235,
    "dimensions": (("PER", 50.0), ("GOB", 65.4), ("CV", 0.0)),
}


def test_every_fact_is_covered():
    assert set(CHANGED) == {f.name for f in dataclasses.fields(Facts)}


def test_a_code_verifies_its_facts_under_its_secret():
    keys = Keys.from_secrets(SECRET)
    parsed = parse_code(keys.code(FACTS))
    assert parsed is not None and keys.matches(parsed, FACTS)


@pytest.mark.parametrize("field", sorted(CHANGED))
def test_a_change_of_any_fact_breaks_it(field):
    keys = Keys.from_secrets(SECRET)
    parsed = parse_code(keys.code(FACTS))
    assert parsed is not None
    assert not keys.matches(parsed, dataclasses.replace(FACTS, **{field: CHANGED[field]}))


def test_another_secret_breaks_it_and_a_rotation_keeps_it():
    parsed = parse_code(Keys.from_secrets(SECRET).code(FACTS))
    assert parsed is not None
    assert not Keys.from_secrets(OTHER).matches(parsed, FACTS)
    assert Keys.from_secrets(OTHER, previous=SECRET).matches(parsed, FACTS)


def test_the_time_counts_to_the_second_in_any_zone():
    keys = Keys.from_secrets(SECRET)
    parsed = parse_code(keys.code(FACTS))
    assert parsed is not None
    same = dataclasses.replace(FACTS, submitted_at=FACTS.submitted_at.replace(microsecond=0))
    assert keys.matches(parsed, same)
    bogota = FACTS.submitted_at.astimezone(ZoneInfo("America/Bogota"))
    assert keys.matches(parsed, dataclasses.replace(FACTS, submitted_at=bogota))


def test_a_code_reads_as_people_type_it():
    code = Keys.from_secrets(SECRET).code(FACTS)
    assert code.startswith("42-1-") and len(code) == len("42-1-") + 19
    sloppy = "  " + code.lower().replace("-", " - ", 1) + " "
    looks_alike = code.replace("0", "o").replace("1", "l")
    for typed in (sloppy, looks_alike, code.replace("-", " ")):
        assert parse_code(typed) == parse_code(code), typed


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hola",
        "42-1",
        "42-1-ABCD",
        "0-1-" + "A" * 16,
        "42-0-" + "A" * 16,
        "42-1-" + "U" * 16,
        "42-1-" + "A" * 17,
        "x" * (MAX_CODE_CHARS + 1),
        "42-1-" + "A" * 16 + " " * 60,
    ],
)
def test_what_cannot_be_a_code_is_none(text):
    assert parse_code(text) is None


def test_parsing_is_linear_on_hostile_input():
    started = time.perf_counter()
    for text in ("1-" * 10_000, "9" * 100_000, "42-1-" + "-" * 100_000):
        assert parse_code(text) is None
    assert time.perf_counter() - started < 0.5


def test_short_secrets_are_refused():
    with pytest.raises(ValueError):
        Keys.from_secrets("corto")


def test_numbers_stay_apart_from_ticket_numbers():
    assert number(2026, 42, 1) == "CTI-2026-000042"
    assert number(2026, 42, 2) == "CTI-2026-000042-2"
    # Inbound mail is matched to tickets by their number: a constancia's must never look like one.
    assert find_number(f"Re: constancia {number(2026, 42, 1)}") is None
    assert find_number(f"Re: constancia {number(2026, 12345, 3)}") is None
    assert find_number("Re: [CTI-2026-00042] Solicitud") == "CTI-2026-00042"
