"""The entity attributes file MinTIC loads (`cti entities import`). Pure.

    codigo_dane;categoria;pdet;zomac

A header line names the columns, in any order and case; besides `codigo_dane` a file needs at
least one of the others, so the category list and the PDET or ZOMAC lists can come in separate
files. An empty cell says nothing: what another file loaded stays. The file is read as
`bot.staff.files` reads the roster (UTF-8 or Windows-1252, `;` or `,`, a lost leading zero
padded back, the size limit, linear time), and each bad line gives one problem.

- `categoria` (Ley 617 de 2000, arts. 1 and 2): «especial» or 1 to 6 for a municipality,
  «especial» or 1 to 4 for a department; «Categoría 2», «2ª», «segunda» and «E» are read too.
- `pdet`, `zomac`: sí / no (also si, s, x, 1, verdadero; n, 0, falso).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.staff.files import Problem, _cell, _table, dane_code
from bot.storage.api import EntityAttributes
from bot.territory import EntityKind

COLUMNS = ("codigo_dane", "categoria", "pdet", "zomac")
OPTIONAL = ("categoria", "pdet", "zomac")
# The highest category of each kind of entity (Ley 617 de 2000, arts. 1 and 2).
LOWEST: dict[EntityKind, int] = {"alcaldia": 6, "gobernacion": 4}
ORDINALS = ("primera", "segunda", "tercera", "cuarta", "quinta", "sexta")
YES = frozenset({"si", "s", "x", "1", "verdadero", "true", "yes"})
NO = frozenset({"no", "n", "0", "falso", "false"})


@dataclass(frozen=True, slots=True)
class ParsedAttributes:
    items: list[EntityAttributes] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def category(text: str, kind: EntityKind) -> str | None:
    """'especial' or '1'..'6' as the law numbers it; None if `text` is none of them for
    this kind of entity."""
    value = _fold(text).removeprefix("categoria").strip()
    if value in ("especial", "esp", "e"):
        return "especial"
    if value in ORDINALS:
        value = str(ORDINALS.index(value) + 1)
    value = value.rstrip("ªa.o°º").strip()
    if value.isascii() and value.isdigit() and 1 <= int(value) <= LOWEST[kind]:
        return str(int(value))
    return None


def flag(text: str) -> bool | None:
    value = _fold(text)
    if value in YES:
        return True
    if value in NO:
        return False
    return None


def parse_attributes(data: bytes, kind_of: Callable[[str], EntityKind | None]) -> ParsedAttributes:
    """The good lines and one problem per bad line; `kind_of` gives the kind of a registrable
    entity's DANE code (None for an unknown code)."""
    table = _table(data, COLUMNS, optional=OPTIONAL)
    if isinstance(table, Problem):
        return ParsedAttributes(problems=[table])
    columns, rows = table
    if not any(c in columns for c in OPTIONAL):
        missing = " o ".join(OPTIONAL)
        header = Problem(
            0, "officials.file.header", {"missing": missing, "wanted": ";".join(COLUMNS)}
        )
        return ParsedAttributes(problems=[header])
    out = ParsedAttributes()
    for line, cells in rows:
        if cells is None:
            out.problems.append(Problem(line, "officials.file.unreadable"))
            break
        item = _line(line, {c: _cell(cells, columns, c) for c in COLUMNS}, kind_of)
        if isinstance(item, Problem):
            out.problems.append(item)
        else:
            out.items.append(item)
    return out


def _line(
    line: int, raw: dict[str, str], kind_of: Callable[[str], EntityKind | None]
) -> EntityAttributes | Problem:
    code = dane_code(raw["codigo_dane"], lambda c: kind_of(c) is not None)
    kind = kind_of(code) if code else None
    if code is None or kind is None:
        return Problem(line, "officials.file.unknown_code", {"code": raw["codigo_dane"]})
    found = category(raw["categoria"], kind) if raw["categoria"] else None
    if raw["categoria"] and found is None:
        key = f"entities.file.bad_category_{kind}"
        return Problem(line, key, {"category": raw["categoria"]})
    flags: dict[str, bool | None] = {}
    for name in ("pdet", "zomac"):
        flags[name] = flag(raw[name]) if raw[name] else None
        if raw[name] and flags[name] is None:
            return Problem(line, "entities.file.bad_flag", {"column": name, "value": raw[name]})
    if found is None and flags["pdet"] is None and flags["zomac"] is None:
        return Problem(line, "entities.file.nothing")
    return EntityAttributes(code, found, flags["pdet"], flags["zomac"])
