"""Colombia's territorial entities from DIVIPOLA, and finding one from what a person types.

Registrable entities: 1,103 alcaldías (municipios, distritos and Bogotá D.C.) and 32 gobernaciones.
The 18 áreas no municipalizadas and the island of San Andrés have no municipal government (their
gobernación administers them), so they are known but not registrable as alcaldías.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from rapidfuzz import fuzz, process

from nlu.divipola import BOGOTA_DEPT, read_divipola
from nlu.text import fold_name

EntityKind = Literal["alcaldia", "gobernacion"]
_LOWER_WORDS = {"de", "del", "la", "las", "los", "y", "e", "el"}


@dataclass(frozen=True, slots=True)
class Entity:
    """A territorial entity that can run a diagnosis."""

    code: str  # DANE: 5 digits for an alcaldía, 2 for a gobernación
    kind: EntityKind
    name: str  # display name of the municipality or department
    department_code: str
    department_name: str

    @property
    def title(self) -> str:
        """'Alcaldía de Medellín (Antioquia)', 'Gobernación de Nariño'."""
        if self.kind == "gobernacion":
            return f"Gobernación de {self.name}"
        if self.department_code == BOGOTA_DEPT:
            return f"Alcaldía Mayor de {self.name}"
        return f"Alcaldía de {self.name} ({self.department_name})"


@dataclass(frozen=True, slots=True)
class Place:
    """A DIVIPOLA row that is not registrable (área no municipalizada, San Andrés island)."""

    code: str
    name: str
    department_code: str
    department_name: str
    divipola_kind: str


def display_name(upper: str) -> str:
    """DANE's upper-case spelling to display case: 'SANTIAGO DE CALI' -> 'Santiago de Cali'."""
    words = upper.lower().split(" ")
    out: list[str] = []
    for i, word in enumerate(words):
        if "." in word:
            out.append(word.upper())
        elif i > 0 and word in _LOWER_WORDS:
            out.append(word)
        else:
            out.append("-".join(p[:1].upper() + p[1:] for p in word.split("-")))
    return " ".join(out)


@dataclass(frozen=True, slots=True)
class Match:
    entity: Entity
    score: float


class Gazetteer:
    """Every registrable entity, indexed for lookup by code and for tolerant search by name."""

    def __init__(
        self, entities: list[Entity], places: list[Place], aliases: dict[str, str] | None = None
    ) -> None:
        self.entities = tuple(entities)
        self.aliases = {fold_name(k): v for k, v in (aliases or {}).items()}
        self.places = tuple(places)
        self.by_code = {e.code: e for e in entities}
        self._places_by_code = {p.code: p for p in places}

    @classmethod
    def load(cls, path: Path, aliases_path: Path | None = None) -> Gazetteer:
        """Read DIVIPOLA (and the optional YAML of common short names)."""
        entities: list[Entity] = []
        places: list[Place] = []
        divipola = read_divipola(path)
        departments = {code: display_name(name) for code, name in divipola.departments.items()}
        for unit in divipola.units:
            dept = departments[unit.dept_code]
            name = display_name(unit.name)
            if unit.has_alcaldia:
                entities.append(Entity(unit.code, "alcaldia", name, unit.dept_code, dept))
            else:
                places.append(Place(unit.code, name, unit.dept_code, dept, unit.kind))
        for code, name in sorted(departments.items()):
            if code != BOGOTA_DEPT:
                entities.append(Entity(code, "gobernacion", name, code, name))
        aliases = yaml.safe_load(aliases_path.read_text(encoding="utf-8")) if aliases_path else {}
        return cls(entities, places, {str(k): str(v) for k, v in (aliases or {}).items()})

    def place(self, code: str) -> Place | None:
        return self._places_by_code.get(code)

    def get(self, code: str) -> Entity | None:
        return self.by_code.get(code.strip())

    @cached_property
    def _keys(self) -> dict[int, str]:
        return {i: fold_name(e.name) for i, e in enumerate(self.entities)}

    def search(self, text: str, kind: EntityKind | None = None, limit: int = 8) -> list[Match]:
        """Candidates for a typed name, best first; exact name matches win over fuzzy ones.

        Several exact matches mean an ambiguous name (San Pedro, Buenavista...); the caller asks
        for the department. A DANE code returns that entity alone.
        """
        query = fold_name(text)
        if not query:
            return []
        code = re.sub(r"\D", "", text)
        if code and len(code) in (2, 5) and code == query.replace(" ", ""):
            found = self.get(code)
            return [Match(found, 100.0)] if found and kind in (None, found.kind) else []
        allowed = {i: key for i, key in self._keys.items() if kind in (None, self.entities[i].kind)}
        exact = [i for i, key in allowed.items() if key == query]
        alias = self.by_code.get(self.aliases.get(query, ""))
        if alias and kind in (None, alias.kind):
            exact = [self.entities.index(alias)] + [i for i in exact if self.entities[i] != alias]
        if exact:
            return [Match(self.entities[i], 100.0) for i in exact]
        hits = process.extract(query, allowed, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=80)
        if not hits:
            return []
        best = hits[0][1]
        # Keep the close runners-up only: a clear winner should not drag weak lookalikes along.
        return [Match(self.entities[i], s) for _, s, i in hits if s >= best - 5][:limit]

    def departments(self) -> list[tuple[str, str]]:
        """(code, display name) of the 33 departmental units, Bogotá included."""
        seen = {(e.department_code, e.department_name) for e in self.entities}
        return sorted(seen)

    def match_department(self, text: str) -> str | None:
        """A department code from a typed department name or code, tolerant to typos."""
        query = fold_name(text)
        if not query:
            return None
        depts = dict(self.departments())
        if query.isdigit():
            return query.zfill(2) if query.zfill(2) in depts else None
        keys = {code: fold_name(name) for code, name in depts.items()}
        hit = process.extractOne(query, keys, scorer=fuzz.WRatio, score_cutoff=80)
        return hit[2] if hit else None
