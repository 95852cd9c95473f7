"""Staff accounts, sessions and the audit trail on SQLite and PostgreSQL (migration 0007)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.storage.sql import SqlStore
from bot.web.accounts import allows, staff_tx, token_digest
from bot.web.passwords import WeakPassword, hash_password, verify_password
from tests.storage.helpers import T0, at


async def test_accounts_sessions_and_audit(store: SqlStore):
    async with store.transaction() as tx:
        s = staff_tx(tx)
        ana = await s.add_account(" Ana@MinTIC.gov.co ", "advisor", "h1", T0)
        assert (ana.email, ana.role, ana.active) == ("ana@mintic.gov.co", "advisor", True)
        with pytest.raises(ValueError):
            await s.add_account("ana@mintic.gov.co", "admin", "h2", T0)
        await s.open_session(ana.id, "tok-1", T0, at(60))
        await s.open_session(ana.id, "tok-2", T0, at(60))
        found = await s.session("tok-1", at(30))
        assert found is not None and found.account.email == ana.email
        assert await s.session("tok-1", at(60)) is None  # expired
        assert await s.session("otro", at(1)) is None
        await s.extend_session(found.id, at(120))
        assert await s.session("tok-1", at(90)) is not None
        await s.close_session("tok-1")
        assert await s.session("tok-1", at(1)) is None
        assert await s.session("tok-2", at(1)) is not None
        # A new password or disabling ends every session of the account.
        await s.set_password(ana.id, "h3", at(2))
        assert await s.session("tok-2", at(3)) is None
        await s.open_session(ana.id, "tok-3", at(4), at(100))
        await s.disable(ana.id, at(5))
        assert await s.session("tok-3", at(6)) is None
        assert not (await s.account("ana@mintic.gov.co")).active  # type: ignore[union-attr]
        # Signing in sweeps everybody's expired sessions.
        await s.open_session(ana.id, "tok-4", at(1000), at(2000))
        await s.record("ana@mintic.gov.co", "login", at(1), detail="127.0.0.1")
        await s.record("cli:root", "account_added", at(2), "ana@mintic.gov.co", "advisor")
        assert [a.action for a in await s.actions()] == ["account_added", "login"]
        assert await s.action_count() == 2
    async with store.engine.connect() as conn:
        from sqlalchemy import text

        rows = (await conn.execute(text("SELECT token_hash FROM staff_sessions"))).all()
    assert [r[0] for r in rows] == [token_digest("tok-4")]  # the token itself is never stored


def test_roles_are_nested():
    assert allows("admin", "advisor") and allows("advisor", "viewer")
    assert not allows("viewer", "advisor") and not allows("advisor", "admin")


def test_passwords():
    hashed = hash_password("una clave bastante larga")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "una clave bastante larga")
    assert not verify_password(hashed, "otra clave bastante larga")
    assert not verify_password(None, "una clave bastante larga")
    assert not verify_password("no es un hash", "x")
    with pytest.raises(WeakPassword):
        hash_password("corta")


def test_expiry_window():
    from bot.web.accounts import StaffAccount, StaffSession
    from bot.web.security import IDLE, LIFETIME, next_expiry

    account = StaffAccount(1, "a@mintic.gov.co", "viewer", "h", T0)
    session = StaffSession(1, account, T0, T0 + IDLE)
    assert next_expiry(session, at(600)) == at(600) + IDLE
    late = T0 + LIFETIME - timedelta(minutes=5)
    assert next_expiry(session, late) == T0 + LIFETIME  # never past the absolute lifetime


async def test_assigning_an_advisor_to_a_request(store: SqlStore):
    from bot.storage.api import NewTicket

    async with store.transaction() as tx:
        s = staff_tx(tx)
        ana = await s.add_account("ana@mintic.gov.co", "advisor", "h", T0)
        beto = await s.add_account("beto@mintic.gov.co", "admin", "h", T0)
        await s.add_account("carla@mintic.gov.co", "viewer", "h", T0)
        gone = await s.add_account("dora@mintic.gov.co", "advisor", "h", T0)
        await s.disable(gone.id, T0)
        assert [a.email for a in await s.advisors()] == [ana.email, beto.email]
        first, _ = await tx.create_ticket(
            NewTicket("52001", None, "estrategia", "Apoyo", "", "telegram", "1"), T0, T0
        )
        second, _ = await tx.create_ticket(
            NewTicket("52001", None, "otro", "Otra", "", "telegram", "1"), T0, T0
        )
        assert await s.assignee(first.id) is None and await s.assignees() == {}
        assert await s.assign(first.id, ana.id, beto.email, at(1))
        assert not await s.assign(first.id, ana.id, beto.email, at(2))  # nothing changed
        assert await s.assign(second.id, beto.id, beto.email, at(2))
        assert await s.assign(second.id, ana.id, ana.email, at(3))  # handed over
    async with store.transaction() as tx:
        s = staff_tx(tx)
        assert await s.assignees() == {first.id: ana.email, second.id: ana.email}
        assert (await s.assignee(first.id)).email == ana.email  # type: ignore[union-attr]
        assert await s.assign(first.id, None, beto.email, at(4))
        assert not await s.assign(first.id, None, beto.email, at(5))
        assert await s.assignees() == {second.id: ana.email}
