"""`cti officials` through the real `cti` process, on SQLite and PostgreSQL: the roster and
domain files staff load, and staff decisions recorded with who and when and told to the contact
through the outbox. Contacts are made with the storage contract (tests/storage/helpers.py)."""

from __future__ import annotations

import asyncio
import getpass
import os
import subprocess
from pathlib import Path

import pytest

from bot.contract import ConversationKey, Notice
from bot.storage.sql import open_store
from bot.territory import Gazetteer
from tests.processes import CTI
from tests.storage.helpers import T0

PASTO, MEDELLIN = "52001", "05001"


def cti(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    return subprocess.run(
        [str(CTI), "officials", *args, "--db", url],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


async def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = await asyncio.to_thread(cti, url, *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done


async def seed(url: str, gazetteer: Gazetteer, people: list[tuple[str, str, str, bool]]) -> None:
    """(chat id, name, email, verified) pending contacts of Pasto that asked to join."""
    store = await open_store(url, gazetteer)
    try:
        async with store.transaction() as tx:
            for chat, name, email, verified in people:
                conversation = await tx.conversation(ConversationKey("telegram", chat), T0)
                consent = await tx.record_consent(conversation.id, "habeas-data-v1", T0)
                contact = await tx.create_contact(
                    PASTO, name, "Enlace TIC", email, consent, T0, verified=verified
                )
                await tx.save_conversation(conversation.id, {"step": "menu"}, contact.id, T0)
                await tx.record_membership(contact.id, "requested", T0)
    finally:
        await store.close()


async def state(url: str, gazetteer: Gazetteer):
    """(contacts by email, membership events, notices by chat id) as stored."""
    store = await open_store(url, gazetteer, migrate=False)
    try:
        async with store.transaction() as tx:
            people = {c.email: c for c in await tx.contacts_of_entity(PASTO)}
            events = await tx.membership_events(entity_code=PASTO)
            notices = {
                c.id: [
                    n
                    for n in await tx.outbox_for(chat)
                    if isinstance(n, Notice) and n.kind == "membership"
                ]
                for chat, c in zip(("1001", "1002", "1003"), people.values(), strict=False)
            }
            roster = await tx.roster()
            domains = await tx.domains()
        return people, events, notices, roster, domains
    finally:
        await store.close()


@pytest.fixture
def csv_dir(tmp_path: Path) -> Path:
    return tmp_path


async def test_import_loads_good_lines_and_names_each_bad_one(database_url, gazetteer, csv_dir):
    await seed(
        database_url,
        gazetteer,
        [
            ("1001", "Ana Pérez", "ana@pasto.gov.co", True),
            ("1002", "Beto Gómez", "beto@gmail.com", True),
        ],
    )
    roster = csv_dir / "funcionarios.csv"
    # As Excel in Colombia saves "CSV UTF-8": a BOM, semicolons, Medellín's leading zero lost.
    roster.write_bytes(
        "\ufeffCódigo DANE;Nombre;Correo;Cargo\r\n"
        "52001;Ana Pérez;ANA@pasto.gov.co;Secretaria TIC\r\n"
        "5001;Carla Ruiz;carla@medellin.gov.co;\r\n"
        "99999;Xavier Yepes;x@y.co;Alcalde\r\n"
        "52001;;nadie@pasto.gov.co;Jefe\r\n"
        "\r\n"
        "52001;Pedro Paz;pedro@;Jefe\r\n".encode()
    )
    done = await run(database_url, "import", str(roster), "--by", "Luisa Gómez")
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        "Línea 4: código DANE desconocido «99999» (5 dígitos para una alcaldía, 2 para una "
        "gobernación); la línea no se cargó.",
        "Línea 5: falta el nombre; la línea no se cargó.",
        "Línea 7: «pedro@» no es un correo electrónico válido; la línea no se cargó.",
    ]
    assert "2 línea(s) válida(s), 2 nueva(s) o cambiada(s); 3 con problemas" in done.stdout
    assert "Ahora es miembro: Ana Pérez (Alcaldía de Pasto (Nariño)" in done.stdout
    people, events, notices, loaded, _ = await state(database_url, gazetteer)
    assert sorted((r.entity_code, r.email, r.role) for r in loaded) == [
        (MEDELLIN, "carla@medellin.gov.co", ""),
        (PASTO, "ana@pasto.gov.co", "Secretaria TIC"),
    ]
    ana, beto = people["ana@pasto.gov.co"], people["beto@gmail.com"]
    assert ana.status == "member" and beto.status == "pending"
    joined = [e for e in events if e.kind == "joined"]
    assert [(e.contact_id, e.basis, e.actor_staff) for e in joined] == [
        (ana.id, "roster", "Luisa Gómez")
    ]
    assert len(notices[ana.id]) == 1 and "está en la lista" in notices[ana.id][0].replies[0].text
    assert notices[beto.id] == []

    again = await run(database_url, "import", str(roster))
    assert again.returncode == 1
    assert "0 nueva(s) o cambiada(s)" in again.stdout and "Ahora es miembro" not in again.stdout
    _, events_after, notices_after, loaded_after, _ = await state(database_url, gazetteer)
    assert (events_after, notices_after, loaded_after) == (events, notices, loaded)


async def test_a_broken_file_is_one_error_line(database_url, csv_dir):
    header_only = csv_dir / "a.csv"
    header_only.write_text("codigo_dane,nombre\n52001,Ana Pérez\n", encoding="utf-8")
    done = await run(database_url, "import", str(header_only))
    assert done.returncode == 2
    assert done.stderr == (
        f"Error: {header_only}: al encabezado le falta la columna correo; la primera línea "
        "debe ser: codigo_dane,nombre,correo,cargo\n"
    )
    big = csv_dir / "b.csv"
    big.write_bytes(b"codigo_dane,nombre,correo,cargo\n" + b"x" * (3 * 1024 * 1024))
    done = await run(database_url, "import", str(big))
    assert done.returncode == 2 and "supera 2 MB" in done.stderr


async def test_domains_refuse_free_mail_and_let_verified_addresses_join(
    database_url, gazetteer, csv_dir
):
    await seed(
        database_url,
        gazetteer,
        [
            ("1001", "Ana Pérez", "ana@pasto.gov.co", True),
            ("1002", "Beto Gómez", "beto@pasto.gov.co", False),  # never proved his address
            ("1003", "Carla Ruiz", "carla@hotmail.com", True),
        ],
    )
    listing = csv_dir / "dominios.csv"
    listing.write_text(
        "codigo_dane,dominio\n"
        "52001,@Pasto.gov.co\n"
        "52001,gmail.com\n"
        "52001,hotmail.es\n"
        "52001,outlook.com\n"
        "52001,gov.co\n"
        "52001,no es un dominio\n"
        "00000,pasto.gov.co\n",
        encoding="utf-8",
    )
    done = await run(database_url, "domains", str(listing))
    assert done.returncode == 1
    problems = done.stderr.splitlines()
    assert [p.split(":")[0] for p in problems] == [f"Línea {n}" for n in range(3, 9)]
    for line, domain in ((0, "gmail.com"), (1, "hotmail.es"), (2, "outlook.com")):
        assert f"{domain} es un correo gratuito" in problems[line]
    assert "gov.co lo comparten muchas entidades" in problems[3]
    assert "«no es un dominio» no es un dominio de correo" in problems[4]
    assert "código DANE desconocido «00000»" in problems[5]
    people, events, notices, _, domains = await state(database_url, gazetteer)
    assert domains == [(PASTO, "pasto.gov.co")]
    assert people["ana@pasto.gov.co"].status == "member"
    assert people["beto@pasto.gov.co"].status == "pending"
    assert people["carla@hotmail.com"].status == "pending"
    assert [(e.kind, e.basis) for e in events if e.kind != "requested"] == [("joined", "domain")]
    assert "dominio institucional" in notices[people["ana@pasto.gov.co"].id][0].replies[0].text


async def test_staff_decisions_record_who_and_when_and_tell_the_contact(database_url, gazetteer):
    await seed(
        database_url,
        gazetteer,
        [
            ("1001", "Ana Pérez", "ana@gmail.com", True),
            ("1002", "Beto Gómez", "beto@hotmail.com", True),
        ],
    )
    people, *_ = await state(database_url, gazetteer)
    ana, beto = people["ana@gmail.com"].id, people["beto@hotmail.com"].id

    listed = await run(database_url, "pending", "--entity", PASTO)
    assert listed.returncode == 0
    assert "Ana Pérez · Enlace TIC · ana@gmail.com (verificado" in listed.stdout
    assert f"aprobar: cti officials approve {ana}" in listed.stdout
    assert "2 solicitud(es) pendiente(s)." in listed.stdout

    done = await run(database_url, "approve", str(ana), "--by", "Luisa Gómez")
    assert done.returncode == 0 and "Registrado por Luisa Gómez" in done.stdout
    done = await run(database_url, "decline", str(beto))
    assert done.returncode == 0
    refused = await run(database_url, "decline", str(ana))
    assert refused.returncode == 2 and "cti officials revoke" in refused.stderr
    done = await run(database_url, "revoke", str(ana), "--by", "Luisa Gómez")
    assert done.returncode == 0
    unknown = await run(database_url, "approve", "9999")
    assert unknown.returncode == 2 and "no existe el contacto 9999" in unknown.stderr

    people, events, notices, *_ = await state(database_url, gazetteer)
    decided = [(e.contact_id, e.kind, e.basis, e.actor_staff) for e in events]
    assert decided == [
        (ana, "requested", "", ""),
        (beto, "requested", "", ""),
        (ana, "approved", "staff", "Luisa Gómez"),
        (beto, "declined", "staff", f"cti:{getpass.getuser()}"),
        (ana, "revoked", "staff", "Luisa Gómez"),
    ]
    assert all(e.at > T0 for e in events[2:])
    assert people["ana@gmail.com"].status == "revoked"
    assert people["beto@hotmail.com"].status == "declined"
    told = [n.replies[0].text for n in notices[ana]]
    assert "verificó que usted actúa por Alcaldía de Pasto" in told[0]
    assert "retiró su acceso" in told[1] and len(told) == 2
    assert "no fue aprobada" in notices[beto][0].replies[0].text
    assert all(n.key.channel == "telegram" for n in notices[ana] + notices[beto])

    history = await run(database_url, "list", "--entity", "52001")
    assert history.returncode == 0
    out = history.stdout
    assert "revocado" in out and "aprobado (equipo de MinTIC, Luisa Gómez)" in out
    assert "rechazado (equipo de MinTIC, cti:" in out
    assert (await run(database_url, "pending")).stdout.strip() == "No hay solicitudes pendientes."
