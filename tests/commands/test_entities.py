"""`cti entities import` through the real `cti` process, on SQLite and PostgreSQL: MinTIC's
attributes file loaded line by line, again without changes, and recorded in the audit trail."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

from bot.storage.api import EntityAttributes
from bot.storage.sql import open_store
from bot.territory import Gazetteer
from bot.web.accounts import staff_tx
from tests.processes import CTI


def cti(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    return subprocess.run(
        [str(CTI), "entities", *args, "--db", url],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


async def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = await asyncio.to_thread(cti, url, *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done


async def stored(url: str, gazetteer: Gazetteer) -> tuple[dict[str, EntityAttributes], list[str]]:
    store = await open_store(url, gazetteer, migrate=False)
    try:
        async with store.transaction() as tx:
            actions = await staff_tx(tx).actions()
            return await tx.entity_attributes(), [
                f"{a.action} {a.target} {a.detail}" for a in actions
            ]
    finally:
        await store.close()


async def test_import_loads_good_lines_names_bad_ones_and_is_idempotent(
    database_url: str, gazetteer: Gazetteer, tmp_path: Path
):
    store = await open_store(database_url, gazetteer)  # a migrated database, as cti db upgrade
    await store.close()
    path = tmp_path / "atributos.csv"
    # As Excel in Colombia saves "CSV (delimitado por comas)": Windows-1252, semicolons, the
    # leading zero of Medellín's code lost.
    path.write_bytes(
        (
            "Código DANE;Categoría;PDET;ZOMAC\r\n"
            "52001;1;No;No\r\n"
            "5001;Especial;;\r\n"
            "52835;6;Sí;Sí\r\n"
            "99999;1;;\r\n"
            "52;quinta;;\r\n"
        ).encode("cp1252")
    )
    done = await run(database_url, "import", str(path))
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        "Línea 5: código DANE desconocido «99999» (5 dígitos para una alcaldía, 2 para una "
        "gobernación); la línea no se cargó.",
        "Línea 6: «quinta» no es una categoría de departamento (Ley 617 de 2000: especial, 1, 2, "
        "3 o 4); la línea no se cargó.",
    ]
    assert done.stdout.strip() == (
        "3 línea(s) válida(s), 3 entidad(es) nueva(s) o cambiada(s); 2 con problemas."
    )
    again = await run(database_url, "import", str(path))
    assert "3 línea(s) válida(s), 0 entidad(es) nueva(s) o cambiada(s)" in again.stdout

    # A second file with one column only changes that column.
    flags = tmp_path / "zomac.csv"
    flags.write_text("codigo_dane,zomac\n05001,no\n", encoding="utf-8")
    done = await run(database_url, "import", str(flags))
    assert done.returncode == 0 and done.stderr == ""
    attributes, actions = await stored(database_url, gazetteer)
    assert attributes == {
        "05001": EntityAttributes("05001", "especial", None, False),
        "52001": EntityAttributes("52001", "1", False, False),
        "52835": EntityAttributes("52835", "6", True, True),
    }
    assert actions == [
        "entities_import zomac.csv 1 válidas, 1 cambiadas",
        "entities_import atributos.csv 3 válidas, 0 cambiadas",
        "entities_import atributos.csv 3 válidas, 3 cambiadas",
    ]


async def test_a_file_that_cannot_be_loaded_changes_nothing(
    database_url: str, gazetteer: Gazetteer, tmp_path: Path
):
    store = await open_store(database_url, gazetteer)
    await store.close()
    path = tmp_path / "lista.csv"
    path.write_text("codigo_dane;nombre\n52001;Pasto\n", encoding="utf-8")
    done = await run(database_url, "import", str(path))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"Error: {path}: al encabezado le falta la columna categoria o pdet o zomac; la primera "
        "línea debe ser: codigo_dane;categoria;pdet;zomac"
    )
    missing = await run(database_url, "import", str(tmp_path / "no.csv"))
    assert missing.returncode == 2 and "no se pudo leer" in missing.stderr
    assert await stored(database_url, gazetteer) == ({}, [])
