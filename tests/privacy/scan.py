"""Looking for a person's data everywhere: every table and column the database itself reports
(reflected, not our models: a table added later is scanned too) and every file under a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, select

from bot.storage.sql import SqlStore

# The gazetteer of DIVIPOLA: public names of places, loaded from data/, never about a person.
PUBLIC_TABLES = frozenset({"entities"})


async def database_cells(store: SqlStore) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table in the database (the public gazetteer aside)."""
    metadata = MetaData()
    async with store.engine.connect() as conn:
        await conn.run_sync(metadata.reflect)
        return {
            table.name: [dict(row._mapping) for row in await conn.execute(select(table))]
            for table in metadata.sorted_tables
            if table.name not in PUBLIC_TABLES
        }


def found_in_database(
    tables: dict[str, list[dict[str, Any]]], values: tuple[str, ...]
) -> list[str]:
    """'table.column: value' for each cell holding one of `values` (case-insensitive)."""
    return [
        f"{name}.{column}: {value}"
        for name, rows in tables.items()
        for row in rows
        for column, cell in row.items()
        for value in values
        if value.casefold() in str(cell).casefold()
    ]


def found_in_files(root: Path, values: tuple[str, ...]) -> list[str]:
    """'path: value' for each file under `root` holding one of `values` (UTF-8 text, or its
    bytes for binary files such as SQLite's)."""
    hits = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        text = data.decode("utf-8", errors="replace").casefold()
        for value in values:
            if value.casefold() in text or value.encode() in data:
                hits.append(f"{path.relative_to(root)}: {value}")
    return hits
