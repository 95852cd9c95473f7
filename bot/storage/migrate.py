"""Schema migrations (Alembic, run on a connection we hand it) and seeding entities from DIVIPOLA.

Everything here is synchronous and runs inside `AsyncConnection.run_sync`, in the caller's
transaction: upgrading and seeding commit together or not at all.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from bot.config import PROJECT_ROOT
from bot.storage.api import StorageError
from bot.storage.base import entities as _entities
from bot.territory import Entity, Gazetteer

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
# Any constant: two processes starting at once on PostgreSQL take turns migrating.
_PG_MIGRATION_LOCK = 0x43544901


def alembic_config(
    connection: Connection | None = None, directory: Path = MIGRATIONS_DIR
) -> Config:
    """Alembic's configuration without an ini file (no logging set-up when run from the app)."""
    config = Config()
    config.set_main_option("script_location", str(directory))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations in {MIGRATIONS_DIR}")
    return head


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn: Connection) -> bool:
    """Bring the schema to head; True if any migration ran."""
    if current_revision(conn) == head_revision():
        return False
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
    command.upgrade(alembic_config(conn), "head")
    return True


def require_head(conn: Connection) -> None:
    """Fail fast when the schema is not the one this code was written for."""
    current = current_revision(conn)
    if current != head_revision():
        raise StorageError(
            f"database schema at {current or 'empty'}, expected {head_revision()}: "
            "run `cti db upgrade`"
        )


def _row(entity: Entity) -> dict[str, str]:
    return {
        "code": entity.code,
        "kind": entity.kind,
        "name": entity.name,
        "department_code": entity.department_code,
        "department_name": entity.department_name,
    }


def seed_entities(conn: Connection, gazetteer: Gazetteer) -> int:
    """Upsert the registrable entities; returns how many rows were written (0 when in sync).

    Entities no longer in DIVIPOLA are kept: contacts and assessments still point to them.
    """
    columns = [_entities.c[name] for name in _row(gazetteer.entities[0])]
    existing = {row[0]: dict(row._mapping) for row in conn.execute(select(*columns))}
    changed = [_row(e) for e in gazetteer.entities if existing.get(e.code) != _row(e)]
    if not changed:
        return 0
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(_entities)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_entities.c.code],
        set_={c.name: stmt.excluded[c.name] for c in columns if c.name != "code"},
    )
    conn.execute(stmt, changed)
    return len(changed)


def migrate_and_seed(conn: Connection, gazetteer: Gazetteer) -> int:
    upgrade(conn)
    return seed_entities(conn, gazetteer)


def entity_counts(conn: Connection) -> Counter[str]:
    """Entities by kind ("alcaldia", "gobernacion")."""
    rows = conn.execute(select(_entities.c.kind, func.count()).group_by(_entities.c.kind))
    return Counter({kind: count for kind, count in rows})
