"""Reading a cycle from the database for the staff commands (`cti export`, `cti progress`).

They never migrate: a read-only tool should not change a production schema; a database behind
the code is an error that says to run `cti db upgrade`. Everything is read in one transaction,
so the counts and the answers agree, and scoring happens after it closes (it is CPU work, and on
SQLite an open transaction holds the write lock).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy import make_url

from bot.commands.common import fail
from bot.commands.db import UNUSABLE
from bot.config import Config
from bot.storage.api import CycleAssessment, StorageError, StoredAnswer
from bot.storage.engine import database_url
from bot.storage.sql import open_store
from bot.territory import Entity, Gazetteer


@dataclass(frozen=True, slots=True)
class CycleData:
    entities: list[Entity]
    assessments: list[CycleAssessment]
    answers: dict[int, dict[str, StoredAnswer]]


def staff_database_url(config: Config, option: str | None) -> str:
    """`database_url`, or exit with one line when the setting names no usable database."""
    try:
        return database_url(config, option)
    except StorageError as exc:
        fail(UNUSABLE.format(error=exc))


async def _read(url: str, gazetteer: Gazetteer, cycle: int, with_answers: bool) -> CycleData:
    store = await open_store(url, gazetteer, migrate=False)
    try:
        async with store.transaction() as tx:
            entities = await tx.entities()
            assessments = await tx.cycle_assessments(cycle)
            answers = await tx.cycle_answers(cycle) if with_answers else {}
    finally:
        await store.close()
    return CycleData(entities, assessments, answers)


def read_cycle(url: str, gazetteer: Gazetteer, cycle: int, *, with_answers: bool) -> CycleData:
    """The cycle's entities, assessments and (optionally) answers; a bad database exits with
    one line."""
    try:
        return asyncio.run(_read(url, gazetteer, cycle, with_answers))
    except StorageError as exc:
        _unavailable(url, exc)


def _unavailable(url: str, exc: Exception) -> NoReturn:
    shown = make_url(url).render_as_string(hide_password=True)
    fail(f"no fue posible leer la base de datos {shown}: {exc}")
