"""The entity attributes file (bot.staff.attributes): categories as people write them, flags,
one problem per bad line, the size limit and linear time."""

from __future__ import annotations

import time

import pytest

from bot.staff.attributes import category, flag, parse_attributes
from bot.staff.files import MAX_BYTES
from bot.storage.api import EntityAttributes
from bot.territory import EntityKind

KINDS: dict[str, EntityKind] = {"52001": "alcaldia", "05001": "alcaldia", "52": "gobernacion"}


def kind_of(code: str) -> EntityKind | None:
    return KINDS.get(code)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Especial", "alcaldia", "especial"),
        ("E", "gobernacion", "especial"),
        ("Categoría 2", "alcaldia", "2"),
        ("2ª", "alcaldia", "2"),
        (" sexta ", "alcaldia", "6"),
        ("06", "alcaldia", "6"),
        ("6", "gobernacion", None),  # departments go from especial to 4
        ("4", "gobernacion", "4"),
        ("7", "alcaldia", None),
        ("0", "alcaldia", None),
        ("٢", "alcaldia", None),  # a digit to str.isdigit, but not one a file of MinTIC has
        ("primera clase", "alcaldia", None),
    ],
)
def test_categories_as_people_write_them(text: str, kind: EntityKind, expected: str | None):
    assert category(text, kind) == expected


def test_flags():
    assert [flag(t) for t in ("Sí", "si", "X", "1", "No", "0", "falso", "tal vez")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        None,
    ]


def test_each_bad_line_is_one_problem_and_good_lines_load():
    data = (
        "Código DANE;Categoría;PDET;ZOMAC\r\n"
        "52001;1;No;no\r\n"
        "5001;Especial;;\r\n"
        "99999;1;;\r\n"
        "52;5;;\r\n"
        "52001;;quizá;\r\n"
        "52001;;;\r\n"
    ).encode("cp1252")
    parsed = parse_attributes(data, kind_of)
    assert parsed.items == [
        EntityAttributes("52001", "1", False, False),
        EntityAttributes("05001", "especial"),
    ]
    assert [(p.line, p.key) for p in parsed.problems] == [
        (4, "officials.file.unknown_code"),
        (5, "entities.file.bad_category_gobernacion"),
        (6, "entities.file.bad_flag"),
        (7, "entities.file.nothing"),
    ]
    assert parsed.problems[2].params == {"column": "pdet", "value": "quizá"}


def test_a_file_of_flags_only_and_a_header_without_any_attribute():
    parsed = parse_attributes(b"codigo_dane,zomac\n52001,si\n", kind_of)
    assert parsed.items == [EntityAttributes("52001", zomac=True)]
    refused = parse_attributes(b"codigo_dane,nombre\n52001,Pasto\n", kind_of)
    assert [(p.line, p.key) for p in refused.problems] == [(0, "officials.file.header")]
    assert parse_attributes(b"nombre;categoria\nPasto;1\n", kind_of).problems[0].line == 0


def test_a_file_at_the_size_limit_parses_in_linear_time():
    line = b"52001;especial;si;no\n"
    lines = (MAX_BYTES - 100) // len(line)
    data = b"codigo_dane;categoria;pdet;zomac\n" + line * lines
    started = time.perf_counter()
    parsed = parse_attributes(data, kind_of)
    took = time.perf_counter() - started
    assert len(parsed.items) == lines and not parsed.problems
    hostile = b"codigo_dane;categoria\n" + b'"' + b"a;," * (MAX_BYTES // 3 - 20)
    started = time.perf_counter()
    parse_attributes(hostile, kind_of)
    assert time.perf_counter() - started < max(2 * took, 5.0)
    too_big = parse_attributes(b"x" * (MAX_BYTES + 1), kind_of)
    assert too_big.problems[0].key == "officials.file.too_big"
