"""Registration from a sentence naming the place, through the engine and the default NLU: the
town is kept with its department, the entity's kind decides municipality or department, a
name with several candidates is asked about, and nothing is read inside an email address."""

from __future__ import annotations

import pytest

from tests.conversation.chat import Chat


async def _consented(engine, name: str) -> Chat:
    chat = Chat(engine, name)
    await chat.send("hola")
    await chat.press("Acepto")
    return chat


async def test_a_town_followed_by_its_department_is_that_town(engine):
    chat = await _consented(engine, "villanueva-guajira")
    await chat.send(
        "buenas tardes, le escribe el secretario de gobierno de la alcaldia de villanueva "
        "la guajira"
    )
    assert "¿Su entidad es la Alcaldía de Villanueva (La Guajira)?" in chat.text


async def test_a_town_with_homonyms_and_no_department_is_asked_not_guessed(engine):
    chat = await _consented(engine, "villanueva-sola")
    await chat.send("somos de la alcaldia de villanueva")
    assert "entidades con ese nombre" in chat.text
    labels = sorted(o.label for o in chat.options)
    assert labels == [
        "Alcaldía de Villanueva (Bolívar)",
        "Alcaldía de Villanueva (Casanare)",
        "Alcaldía de Villanueva (La Guajira)",
        "Alcaldía de Villanueva (Santander)",
    ]


async def test_the_gobernacion_of_san_andres_is_the_department(engine):
    chat = await _consented(engine, "san-andres")
    await chat.send("buenas tardes, gobernacion de san andres")
    assert "¿Su entidad es la Gobernación de Archipiélago de San Andrés" in chat.text


@pytest.mark.parametrize(
    ("kind", "text", "title"),
    [
        ("Gobernación", "san andres isla", "Gobernación de Archipiélago de San Andrés"),
        ("Gobernación", "somos de boyaca", "Gobernación de Boyacá"),
        ("Alcaldía", "arauca", "Alcaldía de Arauca (Arauca)"),
        ("Alcaldía", "el carmen nte de santander", "Alcaldía de El Carmen (Norte de Santander)"),
    ],
)
async def test_the_kind_chosen_earlier_decides_municipality_or_department(
    engine, kind, text, title
):
    chat = await _consented(engine, f"kind-{text}")
    await chat.press(kind)
    await chat.send(text)
    assert f"¿Su entidad es la {title}" in chat.text


async def test_a_place_inside_an_email_address_is_not_the_entity(engine):
    chat = await _consented(engine, "correo")
    await chat.send("mi correo es tic@cundinamarca.gov.co")
    assert "Cundinamarca" not in chat.text
    assert "¿Su entidad es" not in chat.text
