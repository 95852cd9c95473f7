"""Entities: places as DANE codes (accent-, typo- and ambiguity-aware), emails, numbers, options."""

from __future__ import annotations

import time

import pytest

from nlu import rasa_data
from nlu.entities import EntityExtractor, emails, numbers, options, tickets
from nlu.places import MAX_CHARS, Gazetteer, sound
from tests.nlu.helpers import DATA, NLU_DATA


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    synonyms = rasa_data.load(NLU_DATA).synonyms
    return EntityExtractor(Gazetteer.from_csv(DATA / "divipola.csv", synonyms))


def places(extractor: EntityExtractor, text: str) -> list[tuple[str, str, str]]:
    return [
        (e["entity"], e["value"], text[e["start"] : e["end"]])
        for e in extractor.extract(text)
        if e["entity"] in ("municipio", "departamento")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("la alcaldía de cartagena", [("municipio", "13001", "cartagena")]),
        (
            "somos de la alcaldia de Cartagena de Indias",
            [("municipio", "13001", "Cartagena de Indias")],
        ),
        ("cartagena", [("municipio", "13001", "cartagena")]),
        ("escribo desde Pasto", [("municipio", "52001", "Pasto")]),
        ("hablamos desde tumaco", [("municipio", "52835", "tumaco")]),
        ("Santa Rosa de Osos", [("municipio", "05686", "Santa Rosa de Osos")]),
        ("gobernación del Huila", [("departamento", "41", "Huila")]),
        ("gobernacion de narino", [("departamento", "52", "narino")]),
        ("somos de la guajira", [("departamento", "44", "la guajira")]),
        ("buenas tardes, somos de zipaquira", [("municipio", "25899", "zipaquira")]),
        # Typos: a letter off, and the sound-alike spellings Colombians write.
        ("somos de la alcaldia de cartajena", [("municipio", "13001", "cartajena")]),
        ("la alcaldía de medeyin", [("municipio", "05001", "medeyin")]),
        ("alcaldía de barranquiya", [("municipio", "08001", "barranquiya")]),
        ("alcaldia de villavisencio", [("municipio", "50001", "villavisencio")]),
        ("alcaldía de ibage", [("municipio", "73001", "ibage")]),
        # A department right after an ambiguous name picks the one in it.
        ("Buenavista, Córdoba", [("municipio", "23079", "Buenavista")]),
    ],
)
def test_places_resolve_to_dane_codes(extractor, text, expected):
    assert places(extractor, text) == expected


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        # "San Pedro" is also how San Pedro de los Milagros, de Urabá and de Cartago are called.
        ("somos de san pedro", {"70717", "76670", "05664", "05665", "52694"}),
        ("alcaldia de el carmen", {"54245", "05148", "13244", "27245", "68235"}),
        ("el municipio de villanueva", {"13873", "44874", "68872", "85440"}),
        ("alcaldía de Granada", {"05313", "25312", "50313"}),
        ("alcaldia de armenia", {"05059", "63001"}),
    ],
)
def test_an_ambiguous_name_returns_every_candidate_on_one_span(extractor, text, codes):
    found = places(extractor, text)
    assert {code for _, code, _ in found} == codes
    assert len({span for _, _, span in found}) == 1


def test_bogota_is_both_the_capital_district_and_its_department(extractor):
    assert {(k, c) for k, c, _ in places(extractor, "Bogota")} == {
        ("municipio", "11001"),
        ("departamento", "11"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "la paz sea con usted",  # La Paz (Cesar, Santander) only after a cue
        "estoy en el colegio",
        "desde granada",  # an ordinary word after a vague cue
        "vivo en Armenia",  # "Armenia" is also a country: needs "alcaldía de"
        "yo soy de la alcaldía",
        "la casa de la cultura",
        "hola",
    ],
)
def test_ordinary_words_are_not_places(extractor, text):
    assert places(extractor, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The department after a town keeps the town (and settles its homonyms).
        ("alcaldia de villanueva la guajira", [("municipio", "44874", "villanueva")]),
        ("la union valle del cauca", [("municipio", "76400", "la union")]),
        ("el carmen norte de santander", [("municipio", "54245", "el carmen")]),
        ("el carmen nte de santander", [("municipio", "54245", "el carmen")]),
        ("secretaria general de san pedro valle", [("municipio", "76670", "san pedro")]),
        ("la paz, cesar", [("municipio", "20621", "la paz")]),
        ("alcaldia de san jose del guaviare", [("municipio", "95001", "san jose del guaviare")]),
        # The kind of entity said decides municipality or department.
        ("gobernacion de san andres", [("departamento", "88", "san andres")]),
        ("gobernacion nte de santander", [("departamento", "54", "nte de santander")]),
        ("alcaldia de arauca", [("municipio", "81001", "arauca")]),
        ("gobernacion de arauca", [("departamento", "81", "arauca")]),
        # No cue word: after "de"/"en" a name that is not an ordinary word or a surname.
        ("la secretaria de hacienda de sogamoso", [("municipio", "15759", "sogamoso")]),
        ("estamos en pitalito", [("municipio", "41551", "pitalito")]),
        ("de la alcaldia de bquilla", [("municipio", "08001", "bquilla")]),
    ],
)
def test_places_as_officials_write_them(extractor, text, expected):
    assert places(extractor, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "mi correo es tic@cundinamarca.gov.co",
        "la pagina es www.pasto.gov.co",
        "vea https://medellin.gov.co/tic",
        "escriba a planeacion@villanueva-laguajira.gov.co",
        "el dominio cundinamarca.gov.co",
        "estamos en la avenida boyaca con calle 80",
        "carrera santander 10-45 barrio san jose",
        "les escribe gloria perez de ortega",  # a surname after "de"
        "desde el gobierno de uribe",
        "soy miembro de jurado",  # an ordinary word after "de"
    ],
)
def test_nothing_is_read_inside_an_address_a_street_or_a_surname(extractor, text):
    assert places(extractor, text) == []


def test_a_department_after_de_is_not_also_its_homonymous_town(extractor):
    assert places(extractor, "la loteria de boyaca") == [("departamento", "15", "boyaca")]


def test_a_span_never_crosses_an_address(extractor):
    # Across the address "la guajira" does not settle which Villanueva: all four stay.
    text = "alcaldia de villanueva tic@x.gov.co la guajira"
    found = {c for _, c, _ in places(extractor, text)}
    assert found == {"13873", "44874", "68872", "85440", "44"}


def test_a_name_of_both_kinds_yields_both_for_the_dialogue_to_pick(extractor):
    assert {(k, c) for k, c, _ in places(extractor, "arauca")} == {
        ("municipio", "81001"),
        ("departamento", "81"),
    }
    assert {(k, c) for k, c, _ in places(extractor, "san andres")} >= {
        ("municipio", "68669"),
        ("departamento", "88"),
    }


def test_a_long_message_is_bounded_and_linear(extractor):
    """Cue words, weak cues and names repeated up to the bound, and beyond it: a place after
    MAX_CHARS is not read, and the worst input stays far below a second."""
    gazetteer = extractor.gazetteer
    assert gazetteer is not None
    worst = 0.0
    for unit in ("alcaldia de zzqwerty ", "de la secretaria ", "san pedro valle ", "a." * 9):
        text = unit * (MAX_CHARS // len(unit) + 1)
        started = time.perf_counter()
        gazetteer.find(text)
        worst = max(worst, time.perf_counter() - started)
    assert worst < 1.0
    assert gazetteer.find("x " * MAX_CHARS + "alcaldia de pasto") == []


def test_sound_alike_keys():
    assert sound("medellin") == sound("medeyin")
    assert sound("cartagena") == sound("kartajena")
    assert sound("zipaquira") == sound("sipakira")
    assert sound("cali") != sound("cañi")


def test_entity_offsets_point_into_the_original_text(extractor):
    text = "Hola, soy de la Alcaldía de Cartagena; mi correo es Ana.Perez@Cartagena.gov.co"
    for entity in extractor.extract(text):
        assert entity["start"] < entity["end"] <= len(text)
    found = {(e["entity"], e["value"]) for e in extractor.extract(text)}
    assert found == {("municipio", "13001"), ("email", "ana.perez@cartagena.gov.co")}


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("mi correo es ana@pasto.gov.co", ["ana@pasto.gov.co"]),
        (
            "Escriba a J.Rojas+cti@Alcaldia-Cali.GOV.CO por favor",
            ["j.rojas+cti@alcaldia-cali.gov.co"],
        ),
        ("a@b.co y c.d@e.gov.co", ["a@b.co", "c.d@e.gov.co"]),
        ("ana@pasto", []),
        ("@pasto.gov.co", []),
    ],
)
def test_emails(text, values):
    assert [e["value"] for e in emails(text)] == values


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("80", ["80"]),
        ("80 %", ["80"]),
        ("unos 12,5 km", ["12.5"]),
        ("1.200 funcionarios", ["1200"]),
        ("1.234.567,50 pesos", ["1234567.5"]),
        ("3.5", ["3.5"]),
        ("entre 10 y 20", ["10", "20"]),
        ("el caso CTI-2026-00042", []),  # a ticket number is not a figure
        ("ana2@pasto.gov.co", []),
        ("sin cifras", []),
    ],
)
def test_numbers_in_colombian_notation(text, values):
    assert [e["value"] for e in numbers(text)] == values


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("b", "b"),
        ("B)", "b"),
        ("la c.", "c"),
        ("opción 3", "3"),
        ("literal d", "d"),
        ("la segunda", "2"),
        ("el 3", "3"),
        ("creo que es la opción c", "c"),
        ("marque el literal a", "a"),
        ("yo diría que la b", "b"),
        ("hola", None),
        ("la casa", None),
    ],
)
def test_option_letters_and_numbers(text, value):
    found = options(text)
    assert [e["value"] for e in found] == ([value] if value else [])


def test_a_worded_option_is_not_also_a_figure(extractor):
    kinds = [(e["entity"], e["value"]) for e in extractor.extract("opción 3")]
    assert kinds == [("option", "3")]
    both = {(e["entity"], e["value"]) for e in extractor.extract("3")}
    assert both == {("option", "3"), ("number", "3")}  # the question decides which


def test_ticket_numbers():
    assert [e["value"] for e in tickets("¿en qué va el cti-2026-00042?")] == ["CTI-2026-00042"]
