"""Staff accounts, their sessions, the audit trail and the advisors assigned to advisory
requests, inside the caller's transaction.

The console's own tables (migrations 0007 and 0008) are read and written here, beside the `Tx`
contract rather than in it: nothing of the conversation needs them. `staff_tx(tx)` gives these
methods on the same connection, so a page's action and its audit line commit together.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import Table, delete, func, select, update

from bot.storage.api import Tx
from bot.storage.base import TxBase
from bot.storage.models import (
    StaffAccountRow,
    StaffActionRow,
    StaffSessionRow,
    TicketAssignmentRow,
)

Role = Literal["viewer", "advisor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "advisor", "admin")
_RANK = {role: rank for rank, role in enumerate(ROLES)}


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


accounts = _table(StaffAccountRow)
sessions = _table(StaffSessionRow)
actions = _table(StaffActionRow)
assignments = _table(TicketAssignmentRow)


def allows(role: Role, needed: Role) -> bool:
    """Roles are nested: an admin may do what an advisor may, who may do what a viewer may."""
    return _RANK[role] >= _RANK[needed]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StaffAccount:
    id: int
    email: str
    role: Role
    password_hash: str
    created_at: datetime
    disabled_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True, slots=True)
class StaffSession:
    id: int
    account: StaffAccount
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class StaffAction:
    at: datetime
    actor: str
    action: str
    target: str
    detail: str


def _account(row: Any) -> StaffAccount:
    return StaffAccount(
        row.id,
        row.email,
        cast(Role, row.role),
        row.password_hash,
        row.created_at,
        row.disabled_at,
    )


class StaffTx(TxBase):
    async def account(self, email: str) -> StaffAccount | None:
        row = await self._one(select(accounts).where(accounts.c.email == email.strip().lower()))
        return _account(row) if row is not None else None

    async def all_accounts(self) -> list[StaffAccount]:
        rows = await self._run(select(accounts).order_by(accounts.c.email))
        return [_account(r) for r in rows]

    async def add_account(
        self, email: str, role: Role, password_hash: str, at: datetime
    ) -> StaffAccount:
        """A new account; raises ValueError if the address already has one."""
        address = email.strip().lower()
        if await self.account(address) is not None:
            raise ValueError(address)
        await self._run(
            accounts.insert().values(
                email=address,
                role=role,
                password_hash=password_hash,
                created_at=at,
                updated_at=at,
                disabled_at=None,
            )
        )
        found = await self.account(address)
        assert found is not None
        return found

    async def set_password(self, account_id: int, password_hash: str, at: datetime) -> None:
        """A new password ends every open session of the account."""
        await self._run(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(password_hash=password_hash, disabled_at=None, updated_at=at)
        )
        await self._run(delete(sessions).where(sessions.c.account_id == account_id))

    async def disable(self, account_id: int, at: datetime) -> None:
        await self._run(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(disabled_at=at, updated_at=at)
        )
        await self._run(delete(sessions).where(sessions.c.account_id == account_id))

    # --- sessions ----------------------------------------------------------------------------

    async def open_session(
        self, account_id: int, token: str, at: datetime, expires: datetime
    ) -> None:
        # Expired sessions of anybody go with each sign-in, so the table stays small.
        await self._run(delete(sessions).where(sessions.c.expires_at <= at))
        await self._run(
            sessions.insert().values(
                token_hash=token_digest(token),
                account_id=account_id,
                created_at=at,
                expires_at=expires,
            )
        )

    async def session(self, token: str, now: datetime) -> StaffSession | None:
        """The live session of this cookie token, with an active account; None otherwise."""
        stmt = (
            select(sessions.c.id, sessions.c.created_at, sessions.c.expires_at, accounts)
            .join(accounts, accounts.c.id == sessions.c.account_id)
            .where(sessions.c.token_hash == token_digest(token))
        )
        row = await self._one(stmt)
        if row is None or row.expires_at <= now or row.disabled_at is not None:
            return None
        return StaffSession(row[0], _account(row), row.created_at, row.expires_at)

    async def extend_session(self, session_id: int, expires: datetime) -> None:
        await self._run(
            update(sessions).where(sessions.c.id == session_id).values(expires_at=expires)
        )

    async def close_session(self, token: str) -> None:
        await self._run(delete(sessions).where(sessions.c.token_hash == token_digest(token)))

    # --- the audit trail ---------------------------------------------------------------------

    async def record(
        self, actor: str, action: str, at: datetime, target: str = "", detail: str = ""
    ) -> None:
        await self._run(
            actions.insert().values(
                at=at, actor=actor[:320], action=action[:64], target=target[:200], detail=detail
            )
        )

    async def actions(self, limit: int = 200, offset: int = 0) -> list[StaffAction]:
        """Newest first."""
        rows = await self._run(
            select(actions).order_by(actions.c.id.desc()).limit(limit).offset(offset)
        )
        return [StaffAction(r.at, r.actor, r.action, r.target, r.detail) for r in rows]

    async def action_count(self) -> int:
        return int((await self._run(select(func.count()).select_from(actions))).scalar_one())

    # --- advisors assigned to advisory requests ------------------------------------------------

    async def advisors(self) -> list[StaffAccount]:
        """The active accounts a request can be assigned to (advisors and admins), by email."""
        return [a for a in await self.all_accounts() if a.active and allows(a.role, "advisor")]

    async def assign(self, ticket_id: int, account_id: int | None, by: str, at: datetime) -> bool:
        """Give the request to an account (None: to nobody); False when nothing changed."""
        current = await self.assignee(ticket_id)
        if (current.id if current else None) == account_id:
            return False
        await self._run(delete(assignments).where(assignments.c.ticket_id == ticket_id))
        if account_id is not None:
            await self._run(
                assignments.insert().values(
                    ticket_id=ticket_id, account_id=account_id, assigned_at=at, assigned_by=by
                )
            )
        return True

    async def assignee(self, ticket_id: int) -> StaffAccount | None:
        stmt = (
            select(accounts)
            .join(assignments, assignments.c.account_id == accounts.c.id)
            .where(assignments.c.ticket_id == ticket_id)
        )
        row = await self._one(stmt)
        return _account(row) if row is not None else None

    async def assignees(self) -> dict[int, str]:
        """Ticket id -> the email of the account it is assigned to."""
        stmt = select(assignments.c.ticket_id, accounts.c.email).join(
            accounts, accounts.c.id == assignments.c.account_id
        )
        return {row.ticket_id: row.email for row in await self._run(stmt)}


def staff_tx(tx: Tx) -> StaffTx:
    """The console's tables on the connection of `tx` (an `SqlTx`), in the same transaction."""
    if not isinstance(tx, TxBase):
        raise TypeError("staff accounts need the SQL store")
    return StaffTx(tx._conn)
