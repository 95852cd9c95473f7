"""Pure parts: ticket tags, `#estado` lines, topics from words, staff domains, routing rules."""

from __future__ import annotations

import pytest

from bot.territory import Entity
from bot.tickets.routing import Destination, Rule, destination
from bot.tickets.text import find_number, guess_topic, is_staff, parse_status, status_command

DIMENSIONS = [("PER", "Personas"), ("GOB", "Gobernanza"), ("HAB", "Hábitat")]
PASTO = Entity("52001", "alcaldia", "Pasto", "52", "Nariño")
MEDELLIN = Entity("05001", "alcaldia", "Medellín", "05", "Antioquia")
MAILBOX = "ciudadesyterritoriosinteligentes@mintic.gov.co"


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        (
            "Re: [CTI-2026-00042] Solicitud de acompañamiento técnico — Pasto (Nariño)",
            "CTI-2026-00042",
        ),
        ("RV: RE: [cti-2027-00001] algo", "CTI-2027-00001"),
        ("Respuesta CTI-2026-00042.", "CTI-2026-00042"),
        ("Re: Solicitud de acompañamiento", None),
        ("[CTI-2026-0042]", None),
        ("XCTI-2026-00042", None),
    ],
)
def test_the_ticket_tag_is_found_in_a_subject(subject, number):
    assert find_number(subject) == number


@pytest.mark.parametrize(
    ("text", "status", "rest"),
    [
        (
            "Buenos días, los llamamos el lunes.\n#estado en_atencion\n",
            "en_atencion",
            "Buenos días, los llamamos el lunes.",
        ),
        ("#Estado: En atención\nQuedamos atentos.", "en_atencion", "Quedamos atentos."),
        ("Listo.\n\n#estado resuelto.", "resuelto", "Listo."),
        ("#estado en_atencion\n#estado cerrado", "cerrado", ""),
        ("#estado volando\nHola", None, "Hola"),
        (
            "Sin comando; el #estado va en su propia línea.",
            None,
            "Sin comando; el #estado va en su propia línea.",
        ),
    ],
)
def test_a_status_line_sets_the_status_and_is_not_relayed(text, status, rest):
    assert status_command(text) == (status, rest)


def test_statuses_as_staff_type_them():
    assert parse_status("EN_ATENCION") == parse_status("en atención") == "en_atencion"
    assert parse_status("resuelta") == "resuelto"
    assert parse_status("abierto") is None


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("necesitamos acompañamiento para formular la estrategia", "estrategia"),
        ("queremos ayuda para interpretar el diagnóstico", "diagnostico"),
        ("cómo accedemos a la cofinanciación de proyectos", "cofinanciacion"),
        ("asesoría en la dimensión de hábitat", "dimension:HAB"),
        ("necesitamos asesoría", None),
    ],
)
def test_the_topic_is_guessed_from_the_request(text, topic):
    assert guess_topic(text, DIMENSIONS) == topic


def test_staff_are_those_of_the_configured_domains_exactly():
    domains = ("mintic.gov.co",)
    assert is_staff("ana@mintic.gov.co", domains)
    assert is_staff("ana@MinTIC.gov.co", domains)
    # A subdomain counts only when it is listed itself.
    assert not is_staff("soporte@anything.mintic.gov.co", domains)
    assert is_staff("ana@Regional.MinTIC.gov.co", (*domains, "regional.mintic.gov.co"))
    assert not is_staff("ana@mintic.gov.co.evil.com", domains)
    assert not is_staff("ana@notmintic.gov.co", domains)
    assert not is_staff("ana@pasto.gov.co", ())


def test_routing_defaults_to_the_one_mailbox():
    assert destination((), MAILBOX, (), "estrategia", PASTO) == Destination(MAILBOX)


def test_the_first_matching_rule_decides_by_topic_and_department():
    rules = (
        Rule(
            topics=("cofinanciacion",), mailbox="fondos@mintic.gov.co", cc=("jefe@mintic.gov.co",)
        ),
        Rule(departments=("Nariño",), cc=("nariño@mintic.gov.co",)),
        Rule(topics=("dimension",), departments=("05",), mailbox="antioquia@mintic.gov.co"),
    )
    assert destination(rules, MAILBOX, (), "cofinanciacion", MEDELLIN) == Destination(
        "fondos@mintic.gov.co", ("jefe@mintic.gov.co",)
    )
    assert destination(rules, MAILBOX, ("copia@mintic.gov.co",), "estrategia", PASTO) == (
        Destination(MAILBOX, ("copia@mintic.gov.co", "nariño@mintic.gov.co"))
    )
    # `dimension` covers a dimension and a subdimension chosen from the results.
    assert destination(rules, MAILBOX, (), "subdimension:HAB-MOV", MEDELLIN).to == (
        "antioquia@mintic.gov.co"
    )
    assert (
        destination(rules, MAILBOX, (), "dimension:GOB", MEDELLIN).to == "antioquia@mintic.gov.co"
    )
    assert destination(rules, MAILBOX, (), "estrategia", MEDELLIN) == Destination(MAILBOX)


@pytest.mark.parametrize(
    "text", ["¿en qué va mi solicitud?", "¿Cómo va mi solicitud de asesoría?", "/estado"]
)
def test_asking_about_the_request_is_a_rule_on_every_backend(text):
    from nlu.rules import keyword_intent, rule_intent

    assert rule_intent(text) == keyword_intent(text) == "estado_ticket"


def test_the_rules_backend_reads_looser_status_questions():
    from nlu.rules import keyword_intent

    assert keyword_intent("qué pasó con el caso CTI-2026-00042") == "estado_ticket"
    assert keyword_intent("necesitamos una asesoría") == "solicitar_asesoria"
