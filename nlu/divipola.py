"""DIVIPOLA, DANE's list of Colombia's territorial units, read once into one model.

Both the registration gazetteer (bot.territory: which entity an official represents) and the
extraction gazetteer (nlu.places: which place a text names) are built from `Divipola`, so the
file's columns and the rules about its kinds of unit live here only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

# `kind` column values.
MUNICIPIO = "municipio"
DISTRITO = "distrito"
CAPITAL_DISTRITO = "capital_distrito"  # Bogotá D.C.
AREA_NO_MUNICIPALIZADA = "area_no_municipalizada"  # administered by its gobernación
ISLA = "isla"  # San Andrés island: the archipelago's gobernación governs it
_MUNICIPAL_KINDS = frozenset({MUNICIPIO, DISTRITO, CAPITAL_DISTRITO})
BOGOTA_DEPT = "11"
_CUNDINAMARCA = "25"


@dataclass(frozen=True, slots=True)
class Unit:
    """One row of DIVIPOLA: a municipality-level unit and its department, in DANE's spelling."""

    code: str  # DANE, 5 digits
    name: str  # upper case, with accents: "SANTIAGO DE CALI", "BOGOTÁ, D.C."
    kind: str
    dept_code: str  # DANE, 2 digits
    dept_name: str

    @property
    def has_alcaldia(self) -> bool:
        """A municipal government of its own (a registrable alcaldía)."""
        return self.kind in _MUNICIPAL_KINDS

    @property
    def is_capital(self) -> bool:
        """A department capital: code XX001 (Bogotá is Cundinamarca's, so 25001 is not)."""
        return self.code.endswith("001") and self.dept_code != _CUNDINAMARCA

    @property
    def is_distrito(self) -> bool:
        return self.kind in (DISTRITO, CAPITAL_DISTRITO)


@dataclass(frozen=True, slots=True)
class Divipola:
    units: tuple[Unit, ...]  # file order

    @property
    def departments(self) -> dict[str, str]:
        """Department code -> DANE name, in file order (Bogotá D.C. included)."""
        return {u.dept_code: u.dept_name for u in self.units}


def read_divipola(path: Path) -> Divipola:
    """Read the CSV (columns dept_code, dept_name, muni_code, muni_name, kind)."""
    with path.open(encoding="utf-8", newline="") as handle:
        units = tuple(
            Unit(
                row["muni_code"], row["muni_name"], row["kind"], row["dept_code"], row["dept_name"]
            )
            for row in csv.DictReader(handle)
        )
    return Divipola(units)
