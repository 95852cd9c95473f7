"""`cti tickets list / show / set-status` on a real database, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from bot.app import load_static
from bot.commands.tickets import tickets
from bot.config import load_config
from bot.storage.sql import open_store
from bot.tickets.desk import StaffReply
from tests.tickets.helpers import desk_for, open_ticket

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
STATIC = load_static(load_config(env={}))


async def _seed(url: str) -> list[str]:
    store = await open_store(url, STATIC.gazetteer)
    try:
        desk = desk_for(STATIC)
        first, _ = await open_ticket(store, desk, T0)
        second, _ = await open_ticket(store, desk, T0, description="Cómo leer el informe")
        async with store.transaction() as tx:
            reply = StaffReply(
                "<r1@mintic.gov.co>",
                "luisa@mintic.gov.co",
                f"Re: [{first.number}]",
                # A terminal escape (OSC 8 hyperlink, a colour) must never reach `show`.
                "La llamaremos el \x1b]8;;https://evil.example\x07lunes\x1b]8;;\x07."
                "\x1b[31m\n#estado en_atencion",
                first.routed_message_id,
            )
            assert await desk.staff_reply(tx, reply, T0) == "relayed"
        return [first.number, second.number]
    finally:
        await store.close()


async def _notices(url: str) -> list[str]:
    store = await open_store(url, STATIC.gazetteer)
    try:
        async with store.transaction() as tx:
            return [n.replies[0].text for n in await tx.outbox_for("1001")]
    finally:
        await store.close()


@pytest.fixture
def seeded(database_url: str) -> tuple[str, list[str]]:
    return database_url, asyncio.run(_seed(database_url))


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def test_list_newest_first_and_by_status(seeded):
    url, (first, second) = seeded
    runner = CliRunner()
    lines = ok(runner.invoke(tickets, ["list", "--db", url])).splitlines()
    assert lines[0].split()[:4] == ["Número", "Estado", "Creada", "Entidad"]
    assert lines[1].startswith(second) and "recibido" in lines[1]
    assert lines[2].startswith(first) and "en_atencion" in lines[2]
    assert "Alcaldía de Pasto (Nariño)" in lines[1] and "Formular la estrategia" in lines[1]
    assert lines[-1] == "2 solicitud(es)."
    only = ok(runner.invoke(tickets, ["list", "--status", "en_atencion", "--db", url]))
    assert first in only and second not in only
    none = ok(runner.invoke(tickets, ["list", "--status", "cerrado", "--db", url]))
    assert none.strip() == "No hay solicitudes."


def test_show_prints_the_ticket_and_its_thread(seeded):
    url, (first, _) = seeded
    out = ok(CliRunner().invoke(tickets, ["show", first.lower(), "--db", url]))
    assert out.startswith(f"{first} · En atención (en_atencion)")
    for part in (
        "Entidad: Alcaldía de Pasto (Nariño) · DANE 52001",
        "Contacto: Ana Pérez · Enlace TIC · ana@pasto.gov.co",
        "  Apoyo para formular la estrategia",
        "routed",
        "staff_reply [en_atencion] · luisa@mintic.gov.co",
        "      La llamaremos el lunes.",
        "status [en_atencion] · luisa@mintic.gov.co",
    ):
        assert part in out, part
    assert "\x1b" not in out and "evil.example" not in out
    missing = CliRunner().invoke(tickets, ["show", "CTI-2026-09999", "--db", url])
    assert missing.exit_code == 2 and "no existe la solicitud CTI-2026-09999" in missing.output


def test_set_status_changes_it_and_tells_the_contact(seeded):
    url, (first, _) = seeded
    runner = CliRunner()
    out = ok(
        runner.invoke(tickets, ["set-status", first, "resuelto", "--author", "luisa", "--db", url])
    )
    assert out.strip() == f"{first}: en_atencion -> resuelto; se avisará al contacto."
    again = ok(runner.invoke(tickets, ["set-status", first, "Resuelto", "--db", url]))
    assert "ya estaba en estado resuelto" in again
    bad = runner.invoke(tickets, ["set-status", first, "archivado", "--db", url])
    assert bad.exit_code == 2 and "estado desconocido «archivado»" in bad.output
    assert "resuelto" in ok(runner.invoke(tickets, ["show", first, "--db", url]))
    notices = asyncio.run(_notices(url))
    assert notices[-1] == f"Su solicitud {first} cambió de estado: Resuelta."
