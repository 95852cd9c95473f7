"""What every part of `SqlTx` shares: the connection, statement execution and the tables."""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import Connection, CursorResult, Executable, Row, Table
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.errors import storage_errors
from bot.storage.models import (
    AnswerHistoryRow,
    AnswerRow,
    AssessmentEventRow,
    AssessmentRow,
    ConsentRow,
    ContactRow,
    ConversationRow,
    EntityAttributesRow,
    EntityDomainRow,
    EntityRow,
    MembershipEventRow,
    OutboxRow,
    ProcessedMessageRow,
    RateEventRow,
    ReminderScheduleRow,
    RosterRow,
    ScoreSnapshotRow,
    TicketEventRow,
    TicketRow,
    TicketSequenceRow,
)

# A row or result of any width: `Row[Any]` would claim exactly one column.
AnyRow: TypeAlias = Row[*tuple[Any, ...]]
AnyResult: TypeAlias = CursorResult[*tuple[Any, ...]]


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


entities = _table(EntityRow)
consents = _table(ConsentRow)
contacts = _table(ContactRow)
conversations = _table(ConversationRow)
processed_messages = _table(ProcessedMessageRow)
assessments = _table(AssessmentRow)
answers = _table(AnswerRow)
answer_history = _table(AnswerHistoryRow)
assessment_events = _table(AssessmentEventRow)
tickets = _table(TicketRow)
ticket_events = _table(TicketEventRow)
ticket_sequences = _table(TicketSequenceRow)
outbox = _table(OutboxRow)
score_snapshots = _table(ScoreSnapshotRow)
reminder_schedules = _table(ReminderScheduleRow)
membership_events = _table(MembershipEventRow)
roster = _table(RosterRow)
entity_domains = _table(EntityDomainRow)
rate_events = _table(RateEventRow)
entity_attributes = _table(EntityAttributesRow)


class InlineConnection:
    """The part of `AsyncConnection` a transaction uses, over a synchronous SQLite connection:
    each statement runs on the event loop's thread (see `engine.inline_sqlite_engine`)."""

    def __init__(self, conn: Connection) -> None:
        self._conn, self.dialect = conn, conn.dialect

    async def execute(self, statement: Executable, parameters: Any = None) -> AnyResult:
        return self._conn.execute(statement, parameters)


class TxBase:
    def __init__(self, conn: AsyncConnection | InlineConnection) -> None:
        self._conn = conn
        postgres = conn.dialect.name == "postgresql"
        self._insert = postgresql.insert if postgres else sqlite.insert

    async def _run(self, statement: Executable, params: Any = None) -> AnyResult:
        try:
            with storage_errors("query"):
                return await self._conn.execute(statement, params)
        except sa_exc.StatementError as exc:
            # A value our column types refuse (a naive datetime...) is the caller's ValueError,
            # not a database error; nothing was sent, the transaction is intact.
            if not isinstance(exc, sa_exc.DBAPIError) and isinstance(exc.orig, ValueError):
                raise exc.orig from exc
            raise

    async def _one(self, statement: Executable) -> AnyRow | None:
        return (await self._run(statement)).one_or_none()

    async def _count(self, statement: Executable) -> int:
        return int((await self._run(statement)).rowcount)
