"""The roster and domain files as staff's spreadsheets write them. Pure, no database."""

from __future__ import annotations

import time

from bot.staff.files import MAX_BYTES, clean_domain, free_mail, parse_domains, parse_roster
from bot.storage.api import RosterEntry

KNOWN = {"52001", "05001", "52"}


def known(code: str) -> bool:
    return code in KNOWN


def test_excel_in_windows_1252_with_semicolons_and_quoted_line_breaks():
    data = (
        "codigo_dane;nombre;correo;cargo\r\n"
        '52001;"Ana María\r\nNúñez";ana@pasto.gov.co;"Secretaria; TIC"\r\n'
        "52;Gobernación Enlace;enlace@narino.gov.co;Asesor\r\n"
        "520;Luis Paz;luis@pasto.gov.co;Asesor\r\n"
    ).encode("cp1252")
    parsed = parse_roster(data, known)
    assert [p.line for p in parsed.problems] == [5]  # the quoted break makes line 2 two lines
    assert parsed.problems[0].params == {"code": "520"}
    assert parsed.roster == [
        RosterEntry("52001", "Ana María Núñez", "ana@pasto.gov.co", "Secretaria; TIC"),
        RosterEntry("52", "Gobernación Enlace", "enlace@narino.gov.co", "Asesor"),
    ]


def test_commas_without_the_role_column_and_an_unreadable_line():
    data = (
        b"correo,codigo_dane,nombre,extra\nana@pasto.gov.co,52001,Ana Perez,x\n"
        b"luis@pasto.gov.co,5001,Luis\x00Paz\n"
        + b"x" * 200_000  # beyond what the csv module reads as one field
        + b"\nana@pasto.gov.co,52001,Ana Perez\n"
    )
    parsed = parse_roster(data, known)
    assert parsed.roster == [RosterEntry("52001", "Ana Perez", "ana@pasto.gov.co", "")]
    assert [(p.line, p.key) for p in parsed.problems] == [
        (3, "officials.file.bad_name"),
        (4, "officials.file.unreadable"),  # and nothing after it
    ]


def test_domains_as_staff_write_them():
    assert clean_domain(" @Pasto.GOV.co ") == "pasto.gov.co"
    for bad in ("", "pasto", "pasto..gov.co", "ana@pasto.gov.co", "-pasto.gov.co", "a b.co"):
        assert clean_domain(bad) is None, bad
    for free in (
        "gmail.com",
        "hotmail.es",
        "yahoo.com.co",
        "outlook.com",
        "live.com",
        "icloud.com",
    ):
        assert free_mail(free), free
    assert not free_mail("pasto.gov.co") and not free_mail(["gmail", "pasto.gov.co"][1])


def test_a_file_at_the_size_limit_parses_in_linear_time():
    line = b"52001,Ana Perez,ana@pasto.gov.co,Secretaria TIC\n"
    lines = MAX_BYTES // len(line) - 1
    data = b"codigo_dane,nombre,correo,cargo\n" + line * lines
    started = time.perf_counter()
    parsed = parse_roster(data, known)
    took = time.perf_counter() - started
    assert len(parsed.roster) == lines and not parsed.problems
    # Hostile cells (one huge quoted field, long runs of separators) stay as cheap.
    hostile = b"codigo_dane,nombre,correo,cargo\n" + b'"' + b"a;," * (MAX_BYTES // 3 - 20)
    started = time.perf_counter()
    parse_roster(hostile, known)
    assert time.perf_counter() - started < max(2 * took, 5.0)
    assert parse_domains(b"x" * (MAX_BYTES + 1), known).problems[0].key == "officials.file.too_big"
