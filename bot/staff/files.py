"""The roster and domain files staff load (`cti officials import|domains`). Pure.

    codigo_dane,nombre,correo,cargo          (the roster; `cargo` may be empty or absent)
    codigo_dane,dominio                      (institutional domains)

A header line names the columns, in any order and case; other columns are ignored. Excel in
Colombia writes `;` as the separator and, unless "CSV UTF-8" is chosen, Windows-1252 text: both
are read, as are UTF-8 with or without BOM and `,`. A DANE code whose leading zero a
spreadsheet dropped (5001 for Medellín) is padded back. Each bad line gives one problem with
its line number and loads nothing; the good lines are loaded all the same.

Reading is linear in the file, and the file is refused above `MAX_BYTES` before any of it is
parsed.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email

from bot.storage.api import RosterEntry
from dialogues.contact_fields import clean_email, clean_name, clean_role

# About 1,100 entities with a handful of officials each fit in well under this.
MAX_BYTES = 2 * 1024 * 1024
MAX_CELL = 320  # an email address may be 254 characters; nothing legitimate is longer

ROSTER_COLUMNS = ("codigo_dane", "nombre", "correo", "cargo")
DOMAIN_COLUMNS = ("codigo_dane", "dominio")

# Webmail providers anyone can open an address at: never proof of working for an entity.
# Matched as any label but the last, so hotmail.es and yahoo.com.co are caught too.
FREE_MAIL_LABELS = frozenset(
    {
        "aol",
        "gmail",
        "gmx",
        "googlemail",
        "hotmail",
        "icloud",
        "live",
        "msn",
        "outlook",
        "proton",
        "protonmail",
        "rocketmail",
        "yahoo",
        "yandex",
        "ymail",
        "zoho",
    }
)
FREE_MAIL_DOMAINS = frozenset({"mail.com", "me.com", "mac.com", "proton.me", "tutanota.com"})
# Shared by every entity (or by the whole country): listing one would let anyone in.
PUBLIC_SUFFIXES = frozenset({"co", "gov.co", "com.co", "edu.co", "org.co", "net.co", "mil.co"})


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one line was not loaded: a message key of data/templates/officials.yml and its
    parameters. Line 0 is the file itself."""

    line: int
    key: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Parsed:
    roster: list[RosterEntry] = field(default_factory=list)
    domains: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def dane_code(text: str, known: Callable[[str], bool]) -> str | None:
    """The registrable entity's code as written, or with the leading zero Excel drops."""
    code = text.strip()
    if not code.isascii() or not code.isdigit():
        return None
    for candidate in (code, code.zfill(5) if len(code) == 4 else code.zfill(2)):
        if known(candidate):
            return candidate
    return None


def free_mail(domain: str) -> bool:
    labels = domain.split(".")
    return domain in FREE_MAIL_DOMAINS or any(label in FREE_MAIL_LABELS for label in labels[:-1])


def clean_domain(text: str) -> str | None:
    """The lower-cased domain if it could receive mail (labels, a top-level domain), else None.
    '@pasto.gov.co' and 'pasto.gov.co' are the same domain."""
    domain = text.strip().lower().removeprefix("@")
    if not domain or len(domain) > 253 or "@" in domain or "." not in domain:
        return None
    try:
        checked = validate_email(f"x@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return None
    return str(checked.domain).lower()


def decode(data: bytes) -> str:
    """UTF-8 (a BOM dropped), else Windows-1252 as Excel writes "CSV (delimitado por comas)".
    Raises UnicodeDecodeError when it is neither."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _rows(text: str) -> Iterator[tuple[int, list[str] | None]]:
    """(line number, cells) of each non-blank record; the separator is the header's. A record
    the csv module cannot read (a NUL byte, a quoted field running to the end) ends the file
    with (its line, None)."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield line, None
            return
        if any(cell.strip() for cell in cells):
            yield line, [cell[:MAX_CELL] for cell in cells]
        line = reader.line_num + 1


def _column_name(cell: str) -> str:
    """'Código DANE' -> 'codigo_dane': headers as people type them."""
    folded = unicodedata.normalize("NFKD", cell.strip().lower())
    bare = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return "_".join(bare.split())


def _header(
    cells: list[str], wanted: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, int] | Problem:
    names = [_column_name(cell) for cell in cells]
    missing = [c for c in wanted if c not in names and c not in optional]
    if missing:
        return Problem(
            0, "officials.file.header", {"missing": ", ".join(missing), "wanted": ",".join(wanted)}
        )
    return {c: names.index(c) for c in wanted if c in names}


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


Rows = Iterator[tuple[int, list[str] | None]]


def _table(
    data: bytes, wanted: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[dict[str, int], Rows] | Problem:
    if len(data) > MAX_BYTES:
        return Problem(0, "officials.file.too_big", {"limit": f"{MAX_BYTES // (1024 * 1024)} MB"})
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return Problem(0, "officials.file.encoding")
    rows = _rows(text)
    head = next(rows, None)
    if head is None:
        return Problem(0, "officials.file.empty")
    if head[1] is None:
        return Problem(0, "officials.file.unreadable")
    columns = _header(head[1], wanted, optional)
    if isinstance(columns, Problem):
        return columns
    return columns, rows


def parse_roster(data: bytes, known: Callable[[str], bool]) -> Parsed:
    """The roster's good lines and one problem per bad line; `known` says whether a DANE code
    is a registrable entity."""
    table = _table(data, ROSTER_COLUMNS, optional=("cargo",))
    if isinstance(table, Problem):
        return Parsed(problems=[table])
    columns, rows = table
    out = Parsed()
    for line, cells in rows:
        if cells is None:
            out.problems.append(Problem(line, "officials.file.unreadable"))
            break
        entry = _roster_line(line, cells, columns, known)
        if isinstance(entry, Problem):
            out.problems.append(entry)
        else:
            out.roster.append(entry)
    return out


def _roster_line(
    line: int, cells: list[str], columns: dict[str, int], known: Callable[[str], bool]
) -> RosterEntry | Problem:
    raw: dict[str, Any] = {c: _cell(cells, columns, c) for c in ROSTER_COLUMNS}
    code = dane_code(raw["codigo_dane"], known)
    if code is None:
        return Problem(line, "officials.file.unknown_code", {"code": raw["codigo_dane"]})
    if not raw["nombre"]:
        return Problem(line, "officials.file.no_name")
    name = clean_name(raw["nombre"])
    if name is None:
        return Problem(line, "officials.file.bad_name", {"name": raw["nombre"]})
    email = clean_email(raw["correo"]) if raw["correo"] else None
    if email is None:
        return Problem(line, "officials.file.bad_email", {"email": raw["correo"]})
    role = clean_role(raw["cargo"]) if raw["cargo"] else ""
    if role is None:
        return Problem(line, "officials.file.bad_role", {"role": raw["cargo"]})
    return RosterEntry(code, name, email.lower(), role)


def parse_domains(data: bytes, known: Callable[[str], bool]) -> Parsed:
    """The (DANE code, domain) pairs of the good lines and one problem per bad line; a webmail
    domain is a problem, whatever entity it is listed for."""
    table = _table(data, DOMAIN_COLUMNS)
    if isinstance(table, Problem):
        return Parsed(problems=[table])
    columns, rows = table
    out = Parsed()
    for line, cells in rows:
        if cells is None:
            out.problems.append(Problem(line, "officials.file.unreadable"))
            break
        raw_code, raw_domain = (_cell(cells, columns, c) for c in DOMAIN_COLUMNS)
        code = dane_code(raw_code, known)
        domain = clean_domain(raw_domain)
        if code is None:
            out.problems.append(Problem(line, "officials.file.unknown_code", {"code": raw_code}))
        elif domain is None:
            out.problems.append(Problem(line, "officials.file.bad_domain", {"domain": raw_domain}))
        elif free_mail(domain):
            out.problems.append(Problem(line, "officials.file.free_mail", {"domain": domain}))
        elif domain in PUBLIC_SUFFIXES:
            out.problems.append(Problem(line, "officials.file.shared_domain", {"domain": domain}))
        else:
            out.domains.append((code, domain))
    return out
