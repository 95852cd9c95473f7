"""Municipalities and departments named in free text, resolved to DANE codes against DIVIPOLA.

Many Colombian place names are ordinary words or surnames (La Paz, Granada, Belén, Pereira,
Mosquera), so a name counts only where the text makes a place likely:
- after a cue ("alcaldía de", "gobernación del", "somos de", "desde"): typo-tolerant match;
- when the whole message is a place name, optionally qualified ("Buenavista, Córdoba");
- anywhere, exact and accent-free, for names that are rarely anything but a place: capitals and
  distritos, and names of two or more content words ("Santa Rosa de Osos", "Paz de Ariporo").
- after "de"/"en" ("la secretaría de planeación de Sogamoso"), exact or sound-alike only, for
  names that are neither ordinary words nor common surnames;
- anywhere, when a department that has a town of that name follows it ("La Unión, Valle del
  Cauca", "el carmen nte de santander", "san pedro valle"): the department settles it.
An ambiguous name yields one entity per candidate on the same span; a department named right
after it ("Buenavista, Córdoba", "La Unión en Nariño") keeps only the candidates in it, and the
town is kept, not the department that qualified it. A name that is also the start of longer
names ("El Carmen": El Carmen de Bolívar, de Viboral...) has all of them as candidates.
Nothing is read inside an email or web address, nor right after a street word ("calle Bolívar").
The input is bounded (`MAX_CHARS`) and every step is a dictionary lookup or a bounded fuzzy
search, so a parse is linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from nlu.base import Entity
from nlu.divipola import AREA_NO_MUNICIPALIZADA, read_divipola
from nlu.text import Token, fold, tokenize

MUNICIPIO = "municipio"
DEPARTAMENTO = "departamento"
BOTH = frozenset({MUNICIPIO, DEPARTAMENTO})

# Cue head -> kinds of place it introduces; optional modifiers may follow, then "de"/"del".
_CUE_HEADS: dict[str, frozenset[str]] = {
    "alcaldia": frozenset({MUNICIPIO}),
    "alcalde": frozenset({MUNICIPIO}),
    "alcaldesa": frozenset({MUNICIPIO}),
    "municipio": frozenset({MUNICIPIO}),
    "ciudad": frozenset({MUNICIPIO}),
    "distrito": frozenset({MUNICIPIO}),
    "gobernacion": frozenset({DEPARTAMENTO}),
    "gobernador": frozenset({DEPARTAMENTO}),
    "gobernadora": frozenset({DEPARTAMENTO}),
    "departamento": frozenset({DEPARTAMENTO}),
    "depto": frozenset({DEPARTAMENTO}),
    "dpto": frozenset({DEPARTAMENTO}),
}
_CUE_HEADS.update(
    {
        "alcaldias": _CUE_HEADS["alcaldia"],
        "municipios": _CUE_HEADS["municipio"],
        "gobernaciones": _CUE_HEADS["gobernacion"],
        "departamentos": _CUE_HEADS["departamento"],
    }
)
_CUE_MODIFIERS = frozenset({"municipal", "distrital", "mayor", "especial", "departamental"})
# "la secretaría de planeación de Sogamoso", "estamos en Pitalito": a weak cue, see _match_at.
_WEAK_CUES = frozenset({"de", "del", "en"})
# Common surnames that are also municipality names: "Ana Pérez de Ortega" names no place.
_SURNAMES = frozenset(
    {
        "rivera", "ortega", "velez", "ospina", "galan", "valdivia", "vergara", "murillo",
        "balboa", "rovira", "suarez", "caicedo", "restrepo", "obando", "mosquera", "barbosa",
        "salgar", "herran", "olaya", "ricaurte", "bello", "salazar", "guzman", "arboleda",
        "neira", "pensilvania", "ulloa", "toledo", "castilla", "zambrano", "pinillos",
        "gonzalez", "gutierrez", "morales", "medina", "uribe", "giraldo", "cabrera", "padilla",
        "pedraza", "solano", "rondon", "beltran", "alvarado", "acevedo", "enciso", "linares",
        "cisneros", "montenegro", "fonseca", "marulanda", "saldana", "leiva", "santana",
        "almeida", "tello", "funes", "villagomez", "alban", "aldana", "paez", "maceo", "tamara",
        "clemencia", "pacho", "florian",
    }
)  # fmt: skip
# A name right after one of these is a street, a neighbourhood or a building, not where the
# writer is: "calle Bolívar", "avenida Boyacá", "barrio San José", "parque Santander".
_STREET_WORDS = frozenset(
    {
        "calle", "cl", "cll", "carrera", "cra", "cr", "kr", "kra", "avenida", "av", "avda",
        "transversal", "tv", "diagonal", "dg", "barrio", "br", "vereda", "parque", "plaza",
        "edificio", "urbanizacion", "colegio", "escuela", "hospital", "universidad",
        "institucion", "hotel",
    }
)  # fmt: skip
# Verb + "de"/"desde" that introduce where the writer is from.
_NEUTRAL_VERBS = frozenset({"somos", "soy", "escribo", "escribimos", "hablo", "hablamos"})
_OF = frozenset({"de", "del"})
_ARTICLES = frozenset({"la", "el", "los", "las"})
_CONNECTORS = frozenset({"en", "de", "del", "el", "departamento", "depto", "dpto"})
_NON_CONTENT = frozenset({"de", "del", "la", "el", "los", "las", "y", "san", "santa", "santo"})

# Names that, without a cue, are far more often a word, a person or another country's place.
_NEEDS_CUE = frozenset(
    {
        "pasto", "leticia", "florencia", "armenia", "turbo", "barranca", "la heroica",
        "meta", "cesar", "choco", "caldas", "bolivar", "cordoba", "magdalena", "narino",
        "santander", "amazonas", "atlantico", "valle", "guajira",
        "puerto rico", "buenos aires", "pueblo nuevo", "pueblo rico", "villa rica",
    }
)  # fmt: skip

# Names that are also ordinary words, given names or foreign places: accepted after a specific cue
# ("alcaldía de Granada") but not after a vague one ("desde el colegio") nor as a whole message.
_ORDINARY = frozenset(
    {
        "agrado", "aguada", "aguadas", "albania", "alejandria", "algarrobo", "altamira",
        "andalucia", "andes", "los andes", "angostura", "arenal", "argelia", "belen", "betania",
        "california", "campamento", "candelaria", "carolina", "cartago", "colombia", "colon",
        "concepcion", "concordia", "confines", "contadero", "contratacion", "convencion",
        "copacabana", "corrales", "cota", "cotorra", "distraccion", "dolores", "el aguila",
        "el bagre", "el banco", "el cairo", "el calvario", "el carmen", "el castillo",
        "el cerrito", "el charco", "el colegio", "el dorado", "el espino", "el molino", "el paso",
        "el penol", "el penon", "el pinon", "el playon", "el reten", "el retorno", "el roble",
        "el rosal", "el rosario", "el santuario", "el tambo", "elias", "encino", "filadelfia",
        "floresta", "florida", "fresno", "fundacion", "galeras", "gama", "genova", "gigante",
        "ginebra", "granada", "guadalupe", "hato", "hispania", "hobo", "honda", "jardin",
        "jerusalen", "jordan", "la apartada", "la argentina", "la belleza", "la calera",
        "la capilla", "la ceja", "la celia", "la cruz", "la cumbre", "la dorada", "la esperanza",
        "la estrella", "la florida", "la gloria", "la llanada", "la merced", "la mesa",
        "la palma", "la paz", "la pena", "la pintada", "la plata", "la playa", "la primavera",
        "la salina", "la sierra", "la union", "la vega", "la victoria", "la virginia", "lerida",
        "libano", "los santos", "lourdes", "madrid", "malaga", "manta", "margarita", "matanza",
        "mercaderes", "milan", "miraflores", "miranda", "montecristo", "monterrey", "morelia",
        "nilo", "palermo", "palestina", "palmar", "palmito", "paramo", "pesca", "piedras",
        "plato", "potosi", "pradera", "prado", "providencia", "purificacion", "regidor",
        "remedios", "remolino", "retiro", "rosas", "santiago", "segovia", "sevilla", "socorro",
        "soledad", "tena", "tenerife", "teruel", "toca", "toro", "trinidad", "trujillo", "une",
        "valencia", "venecia", "versalles", "vetas", "victoria",
        "jurado", "ovejas", "piojo", "pajarito", "calamar", "mesetas", "solita", "santuario",
        "caimito", "chaparral", "manati", "mani", "silos", "guaca", "corozal", "cerrito",
        "valparaiso", "zaragoza", "junin", "corinto", "viterbo", "monitos", "cantagallo",
    }
)  # fmt: skip

# Short forms officials write that neither DIVIPOLA nor the NLU synonyms spell out.
_SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "08001": ("bquilla", "b quilla"),
    "68001": ("bga", "bucara"),
    "11001": ("bta", "bogota dc"),
    "54": (
        "nte de santander", "nte santander", "norte santander", "n de santander",
        "norte de sder", "nte de sder", "norte de stder", "nte de stder",
    ),
    "88": (
        "san andres", "san andres isla", "san andres y providencia", "san andres islas",
        "san andres providencia y santa catalina", "archipielago de san andres",
    ),
    "76": ("valle", "el valle"),
    "44": ("guajira",),
}  # fmt: skip

MAX_CHARS = 4000  # a longer message is read up to here: places come early or not at all
_MAX_CUES = 40  # fuzzy searches per message, so a message of cue words stays fast
_MAX_WEAK_CUES = 200  # "de"/"en": exact and sound-alike lookups only
_MAX_WHOLE_MESSAGE_TOKENS = 8
_SOUND_SCORE = 95.0  # a sound-alike spelling: below an exact name, above any fuzzy match
_MAX_FUZZY_WORDS = 4  # longer spans are matched exactly only (keeps a parse well under 1 ms)
_LEADING_FILLER = frozenset({"de", "del", "desde", "en", "el", "la", "es"})


@dataclass(frozen=True, slots=True)
class Place:
    code: str  # DANE: 5 digits for a municipality, 2 for a department
    name: str  # DIVIPOLA spelling
    kind: str  # MUNICIPIO or DEPARTAMENTO
    dept_code: str
    well_known: bool = False  # a department capital or a distrito


@dataclass(frozen=True, slots=True)
class _Match:
    first: int  # token indices [first, last) of the name
    last: int
    consumed: int  # end of the name plus any department qualifier
    places: tuple[Place, ...]
    score: float  # 0..100
    cued: bool
    form: str  # the indexed name that matched
    qualified: bool = False  # narrowed by the department named after it


def _key(text: str) -> str:
    return " ".join(t.norm for t in tokenize(text))


def _variants(name: str) -> set[str]:
    """Searchable forms of a DIVIPOLA name: "BOGOTÁ, D.C." -> {"bogota d c", "bogota"}."""
    forms = {_key(name), _key(name.split(",")[0])}
    if " - " in name:
        forms.update(_key(part) for part in name.split(" - "))
    return {f for f in forms if f}


# Spellings that sound alike in Colombian Spanish (yeísmo, seseo, b/v, silent h, j/g before e
# and i): "Medeyín", "Cartajena", "Bucaramanga" ~ "Vucaramanga" are the typos people make.
_SOUNDS = (
    (re.compile(r"ll"), "y"),
    (re.compile(r"v"), "b"),
    (re.compile(r"z"), "s"),
    (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"g(?=[ei])"), "j"),
    (re.compile(r"qu(?=[ei])"), "k"),
    (re.compile(r"(?<!c)h"), ""),
    (re.compile(r"c"), "k"),
    (re.compile(r"(\w)\1+"), r"\1"),
)


def sound(key: str) -> str:
    """A folded name as it sounds: "medellin" and "medeyin" -> "medeyin"."""
    for pattern, replacement in _SOUNDS:
        key = pattern.sub(replacement, key)
    return key


class Gazetteer:
    """DIVIPOLA names indexed for exact, sound-alike and fuzzy lookup."""

    def __init__(self, places: Iterable[Place], aliases: Mapping[str, Sequence[str]]) -> None:
        self._by_code = {p.code: p for p in places}
        self._index: dict[str, dict[str, list[Place]]] = {MUNICIPIO: {}, DEPARTAMENTO: {}}
        self._sounds: dict[str, dict[str, list[Place]]] = {MUNICIPIO: {}, DEPARTAMENTO: {}}
        self._strict: dict[str, list[Place]] = {}
        for place in self._by_code.values():
            for form in _variants(place.name):
                self._add(form, place)
        for code, texts in aliases.items():
            if code not in self._by_code:
                raise ValueError(f"alias for unknown DANE code {code!r}: {list(texts)}")
            for text in texts:
                self._add(_key(text), self._by_code[code])
        for code, forms in _SHORT_FORMS.items():
            for form in forms:
                self._add(form, self._by_code[code])
        self._add_short_names()
        self._choices = {kind: list(index) for kind, index in self._index.items()}
        self._longest = max(len(k.split()) for index in self._index.values() for k in index)

    @classmethod
    def from_csv(cls, path: Path, aliases: Mapping[str, Sequence[str]] | None = None) -> Gazetteer:
        """Load DIVIPOLA; areas with no municipal government (ANM) are left out."""
        places: dict[str, Place] = {}
        for unit in read_divipola(path).units:
            dept = unit.dept_code
            places.setdefault(dept, Place(dept, unit.dept_name, DEPARTAMENTO, dept))
            if unit.kind != AREA_NO_MUNICIPALIZADA:  # San Andrés island is named like a town
                well_known = unit.is_capital or unit.is_distrito
                places[unit.code] = Place(unit.code, unit.name, MUNICIPIO, dept, well_known)
        wanted = {c: t for c, t in (aliases or {}).items() if c.isdigit() and len(c) in (2, 5)}
        return cls(places.values(), wanted)

    def place(self, code: str) -> Place | None:
        return self._by_code.get(code)

    def _add(self, form: str, place: Place) -> None:
        for index, key in ((self._index, form), (self._sounds, sound(form))):
            bucket = index[place.kind].setdefault(key, [])
            if place not in bucket:
                bucket.append(place)
        if self._strictly_a_place(form, place):
            strict = self._strict.setdefault(form, [])
            if place not in strict:
                strict.append(place)

    def _add_short_names(self) -> None:
        """ "El Carmen" is also how El Carmen de Bolívar, de Viboral... are called, "Manaure" also
        Manaure Balcón del Cesar: a longer name that starts with another municipality's whole
        name is one of that name's candidates."""
        towns = self._index[MUNICIPIO]
        # DIVIPOLA's own names only: "Cartagena" (an alias of 13001) is not Cartagena del Chairá.
        official = {
            f for p in self._by_code.values() if p.kind == MUNICIPIO for f in _variants(p.name)
        }
        for place in self._by_code.values():
            if place.kind != MUNICIPIO:
                continue
            words = _key(place.name.split(",")[0]).split()
            for size in range(1, len(words)):
                short = " ".join(words[:size])
                if short not in official or place in towns[short]:
                    continue
                towns[short].append(place)
                alike = self._sounds[MUNICIPIO].setdefault(sound(short), [])
                if place not in alike:
                    alike.append(place)

    @staticmethod
    def _strictly_a_place(form: str, place: Place) -> bool:
        if form in _NEEDS_CUE:
            return False
        if place.kind == DEPARTAMENTO:
            return True
        content = [w for w in form.split() if w not in _NON_CONTENT and len(w) > 1]
        return place.well_known or len(content) >= 2

    # -- matching --------------------------------------------------------------------------

    def _lookup(
        self, key: str, kinds: frozenset[str], fuzzy: bool, cutoff: float, *, alike: bool = True
    ) -> tuple[list[Place], float, str]:
        """Places named `key`: exact, else (if `alike`) sound-alike, else (if `fuzzy`) typo."""
        found = [p for kind in sorted(kinds) for p in self._index[kind].get(key, [])]
        if found or not alike or len(key) < 5 or key.count(" ") >= _MAX_FUZZY_WORDS:
            return found, 100.0 if found else 0.0, key
        heard = sound(key)
        sounding = [p for kind in sorted(kinds) for p in self._sounds[kind].get(heard, [])]
        if sounding:
            # Report the indexed spelling, so callers can tell an ordinary word ("Granada").
            form = next((f for f in _variants(sounding[0].name) if sound(f) == heard), key)
            return sounding, _SOUND_SCORE, form
        if not fuzzy:
            return [], 0.0, key
        places: list[Place] = []
        score, form = 0.0, key
        for kind in sorted(kinds):
            hit = process.extractOne(
                key, self._choices[kind], scorer=fuzz.ratio, score_cutoff=cutoff
            )
            # Typos seldom touch the first letter; requiring it avoids "alcaldia" ~ "alcala".
            if hit is None or hit[0][0] != key[0] or hit[1] < score:
                continue
            if hit[1] > score:
                places, score, form = [], hit[1], hit[0]
            places.extend(self._index[kind][hit[0]])
        return places, score, form

    def _ends(self, tokens: Sequence[Token], first: int, width: int) -> range:
        """Ends of the spans starting at `first`, longest first; a span never crosses an address
        (a token with no text, see _tokens)."""
        stop = first
        while stop < min(len(tokens), first + width) and tokens[stop].norm:
            stop += 1
        return range(stop, first, -1)

    def _match_at(
        self,
        tokens: Sequence[Token],
        first: int,
        kinds: frozenset[str],
        *,
        vague: bool,
        weak: bool = False,
    ) -> _Match | None:
        """Best name starting at token `first`; a vague cue refuses ordinary-word names and a
        weak one ("de", "en") also common surnames, names that need a cue and typos."""
        if first >= len(tokens) or tokens[first].norm in _CUE_HEADS:
            return None
        best: _Match | None = None
        for last in self._ends(tokens, first, self._longest):
            key = " ".join(t.norm for t in tokens[first:last])
            cutoff = 85.0 if len(key) >= 8 else 90.0
            places, score, form = self._lookup(key, kinds, not weak, cutoff)
            if not places or (vague and form in _ORDINARY):
                continue
            if weak and (
                form in _NEEDS_CUE
                or form in _SURNAMES
                or key in _SURNAMES
                or key in self._index[DEPARTAMENTO]  # "la lotería de Boyacá": strict or nothing
            ):
                continue
            if best is None or score > best.score:
                best = _Match(first, last, last, tuple(places), score, True, form)
        return self._qualify(tokens, best) if best is not None else None

    def _qualify(self, tokens: Sequence[Token], match: _Match) -> _Match:
        """Narrow a municipality to the department named right after it, if any."""
        if all(p.kind == DEPARTAMENTO for p in match.places):
            return match
        position = match.last
        while position < len(tokens) and tokens[position].norm in _CONNECTORS:
            position += 1
        dept = self._match_department(tokens, position)
        if dept is None:
            return match
        code, end = dept
        narrowed = tuple(p for p in match.places if p.kind == MUNICIPIO and p.dept_code == code)
        if not narrowed:
            return match
        return _Match(
            match.first, match.last, end, narrowed, match.score, match.cued, match.form, True
        )

    def _match_department(self, tokens: Sequence[Token], first: int) -> tuple[str, int] | None:
        for last in self._ends(tokens, first, 8):
            key = " ".join(t.norm for t in tokens[first:last])
            places, _, _ = self._lookup(key, frozenset({DEPARTAMENTO}), True, 85.0)
            if len(places) == 1:
                return places[0].code, last
        return None

    def _cue_starts(self, tokens: Sequence[Token]) -> list[tuple[int, frozenset[str], bool]]:
        """Token positions a cue points at, with the kinds of place it allows and whether the
        cue is weak ("de", "en")."""
        starts: list[tuple[int, frozenset[str], bool]] = []
        norms = [t.norm for t in tokens]
        for i, norm in enumerate(norms):
            if norm in _CUE_HEADS:
                j = i + 1
                while j < len(norms) and norms[j] in _CUE_MODIFIERS:
                    j += 1
                # "alcaldía de X", and the hurried "alcaldía X" / "gobernación nte de santander".
                starts.append(
                    (j + 1 if j < len(norms) and norms[j] in _OF else j, _CUE_HEADS[norm], False)
                )
            elif norm == "desde" or (
                norm in _NEUTRAL_VERBS and i + 1 < len(norms) and norms[i + 1] in _OF | {"desde"}
            ):
                starts.append((i + 1 if norm == "desde" else i + 2, BOTH, False))
            elif norm in _WEAK_CUES:
                starts.append((i + 1, frozenset({MUNICIPIO}), True))
        # "alcaldía de la Unión" / "somos de la Guajira": try with and without the article.
        with_articles = list(starts)
        for position, kinds, weak in with_articles:
            if position < len(norms) and norms[position] in _ARTICLES:
                starts.append((position + 1, kinds, weak))
        return starts

    def _qualified_towns(self, tokens: Sequence[Token]) -> list[_Match]:
        """Town names, even ordinary words, followed by a department that has a town so named:
        "la paz cesar", "el tambo, nariño", "san pedro valle"."""
        matches: list[_Match] = []
        for first in range(len(tokens)):
            for last in self._ends(tokens, first, self._longest):
                key = " ".join(t.norm for t in tokens[first:last])
                places, score, form = self._lookup(
                    key, frozenset({MUNICIPIO}), False, 100.0, alike=False
                )
                if not places:
                    continue
                found = _Match(first, last, last, tuple(places), score, False, form)
                qualified = self._qualify(tokens, found)
                if not qualified.qualified:
                    continue
                # "San José del Guaviare" is one name, not "San José" in Guaviare: keep its span.
                whole = " ".join(t.norm for t in tokens[first : qualified.consumed])
                named = self._index[MUNICIPIO].get(whole)
                if named:
                    end = qualified.consumed
                    qualified = _Match(first, end, end, tuple(named), 100.0, False, whole, True)
                matches.append(qualified)
                break
        return matches

    def _candidates(self, tokens: Sequence[Token], expect: bool) -> list[_Match]:
        matches: list[_Match] = []
        starts = self._cue_starts(tokens)
        strong = [s for s in starts if not s[2]][:_MAX_CUES]
        for first, kinds, weak in strong + [s for s in starts if s[2]][:_MAX_WEAK_CUES]:
            found = self._match_at(tokens, first, kinds, vague=kinds == BOTH or weak, weak=weak)
            if found is not None:
                matches.append(found)
        if expect:
            for first in range(len(tokens)):
                found = self._match_at(tokens, first, BOTH, vague=False)
                if found is not None:
                    matches.append(found)
        elif len(tokens) <= _MAX_WHOLE_MESSAGE_TOKENS and all(t.norm for t in tokens):
            # The whole message is a name ("cartagena", "de Buenavista, Córdoba").
            skip = 0
            while skip < len(tokens) - 1 and tokens[skip].norm in _LEADING_FILLER:
                skip += 1
            for first in {0, skip}:
                found = self._match_at(tokens, first, BOTH, vague=True)
                if found is not None and found.consumed == len(tokens):
                    matches.append(found)
        matches += self._qualified_towns(tokens)
        for first in range(len(tokens)):
            for last in self._ends(tokens, first, self._longest):
                key = " ".join(t.norm for t in tokens[first:last])
                places = self._strict.get(key)
                if places:
                    matches.append(_Match(first, last, last, tuple(places), 100.0, False, key))
                    break
        # After a street word a name is an address: "calle Bolívar", "avenida Boyacá".
        streets = _after_street_words(tokens)
        return [m for m in matches if m.first not in streets]

    def find(self, text: str, *, expect: bool = False) -> list[Entity]:
        """Place entities in `text`; `expect` when the dialogue has just asked for a place. A
        name that may be a municipality or a department ("Arauca", "somos de Boyacá") yields
        both: the kind of entity, when the dialogue knows it, picks (see flows/onboarding.py)."""
        tokens = _tokens(text[:MAX_CHARS])
        found = self._candidates(tokens, expect)
        ranked = sorted(
            found,
            key=lambda m: (not m.qualified, -m.score, -(m.consumed - m.first), not m.cued, m.first),
        )
        taken: list[_Match] = []
        for match in ranked:
            if all(match.consumed <= t.first or match.first >= t.consumed for t in taken):
                taken.append(match)
        entities: list[Entity] = []
        for match in sorted(taken, key=lambda m: m.first):
            start, end = tokens[match.first].start, tokens[match.last - 1].end
            for place in sorted(match.places, key=lambda p: (p.kind, p.code)):
                entities.append(
                    Entity(
                        entity=place.kind,
                        start=start,
                        end=end,
                        value=place.code,
                        confidence=round(match.score / 100.0, 4),
                    )
                )
        return entities


_WORD_RUN = re.compile(r"\S+")
_WEB_DOMAIN = re.compile(r"\w\.(?:gov|com|org|edu|net|co)\b", re.IGNORECASE)


def _is_address(chunk: str) -> bool:
    """An email or web address: "tic@cundinamarca.gov.co", "www.pasto.gov.co", "https://..."."""
    return (
        "@" in chunk
        or "://" in chunk
        or chunk.casefold().startswith("www.")
        or _WEB_DOMAIN.search(chunk) is not None
    )


def _tokens(text: str) -> list[Token]:
    """Word tokens, with each email or web address replaced by one empty token: names are never
    read inside an address, and no span crosses one."""
    tokens: list[Token] = []
    for run in _WORD_RUN.finditer(text):
        if _is_address(run.group()):
            tokens.append(Token(run.group(), "", run.start(), run.end()))
            continue
        for token in tokenize(run.group()):
            tokens.append(
                Token(token.text, token.norm, token.start + run.start(), token.end + run.start())
            )
    return tokens


def _after_street_words(tokens: Sequence[Token]) -> set[int]:
    """Token positions right after a street word (and its "de"/"la"): "calle de Bolívar"."""
    positions: set[int] = set()
    for i, token in enumerate(tokens):
        if token.norm in _STREET_WORDS:
            j = i + 1
            while j < len(tokens) and tokens[j].norm in _OF | _ARTICLES:
                j += 1
            positions.add(j)
    return positions


def display_name(place: Place) -> str:
    """Title-cased DIVIPOLA name for messages ("SAN ANDRÉS DE TUMACO" -> "San Andrés de Tumaco")."""
    small = {"de", "del", "la", "el", "los", "las", "y"}
    words = place.name.lower().split(" ")
    return " ".join(
        w if (i and w in small) else w[:1].upper() + w[1:] for i, w in enumerate(words)
    ).replace("D.c.", "D.C.")


__all__ = ["BOTH", "DEPARTAMENTO", "MUNICIPIO", "Gazetteer", "Place", "display_name", "fold"]
