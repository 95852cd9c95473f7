"""Membership in the `Tx` contract: statuses follow events, roster and domains vouch for an
address, rate counters, and erasure leaves no roster line or counter of the person."""

from __future__ import annotations

from bot.contract import ConversationKey
from bot.storage.api import RosterEntry
from bot.storage.membership import rate_key
from bot.storage.sql import SqlStore
from tests.storage.helpers import MEDELLIN, T0, at, dump_tables, register

PASTO = "52001"


async def test_a_new_contact_is_pending_and_events_set_the_status(store: SqlStore):
    async with store.transaction() as tx:
        _, ana = await register(tx, "1", "Ana", "ana@gmail.com")
        _, luis = await register(tx, "2", "Luis", "luis@medellin.gov.co")
        assert ana.status == "pending" and not ana.is_member
        assert ana.email_verified_at == T0
        await tx.record_membership(ana.id, "requested", at(1))
        luis = await tx.record_membership(luis.id, "joined", at(2), basis="domain")
        assert luis.is_member
        ana = await tx.record_membership(
            ana.id, "approved", at(3), basis="member", actor_contact_id=luis.id
        )
        assert ana.status == "member"
        assert [c.id for c in await tx.members_of_entity(MEDELLIN)] == [ana.id, luis.id]
        assert await tx.requests_since(MEDELLIN, at(0)) == 1
        assert await tx.requests_since(MEDELLIN, at(2)) == 0
        await tx.record_membership(ana.id, "revoked", at(4), actor_staff="Marta (MinTIC)")
        events = await tx.membership_events(contact_id=ana.id)
        assert [e.kind for e in events] == ["requested", "approved", "revoked"]
        assert events[1].actor_contact_id == luis.id and events[2].actor_staff == "Marta (MinTIC)"
        assert (await tx.contact(ana.id)).status == "revoked"  # type: ignore[union-attr]
        assert await tx.pending_contacts() == []


async def test_an_unverified_address_matches_no_one(store: SqlStore):
    async with store.transaction() as tx:
        conversation = await tx.conversation(ConversationKey("telegram", "9"), T0)
        consent = await tx.record_consent(conversation.id, "v1", T0)
        await tx.create_contact(MEDELLIN, "Old", "Enlace", "old@x.co", consent, T0, verified=False)
        assert await tx.contact_by_email("old@x.co") is None
        _, ana = await register(tx, "1", "Ana", "Ana@X.co")
        assert (await tx.contact_by_email("ana@x.co")).id == ana.id  # type: ignore[union-attr]


async def test_roster_and_domains_vouch_for_an_address(store: SqlStore):
    async with store.transaction() as tx:
        entry = RosterEntry(PASTO, "Ana Pérez", "Ana.Perez@Gmail.com", "Secretaria TIC")
        assert await tx.load_roster([entry], T0) == 1
        assert await tx.load_roster([entry], T0) == 0  # idempotent
        assert (
            await tx.load_roster([RosterEntry(PASTO, "Ana Pérez", entry.email, "Alcaldesa")], T0)
            == 1
        )
        assert [e.role for e in await tx.roster(PASTO)] == ["Alcaldesa"]
        assert await tx.load_domains([(PASTO, "Pasto.gov.co"), (PASTO, "pasto.gov.co")], T0) == 1
        assert await tx.membership_basis(PASTO, "ana.perez@gmail.com") == "roster"
        assert await tx.membership_basis(PASTO, "luis@PASTO.gov.co") == "domain"
        assert await tx.membership_basis(PASTO, "luis@pasto.gov.co.evil.co") == ""
        assert await tx.membership_basis(MEDELLIN, "luis@pasto.gov.co") == ""
        assert await tx.domains() == [(PASTO, "pasto.gov.co")]
        assert await tx.remove_domain(PASTO, "PASTO.gov.co")
        assert await tx.membership_basis(PASTO, "luis@pasto.gov.co") == ""


async def test_rate_counters_count_within_the_window(store: SqlStore):
    async with store.transaction() as tx:
        key = rate_key("telegram:5550001")
        assert "5550001" not in key
        for second in range(3):
            await tx.note_rate("registration", key, at(second))
        assert await tx.rate_count("registration", key, at(1)) == 2
        assert await tx.rate_count("registration", rate_key("other"), at(0)) == 0


async def test_submission_counts_as_a_members_only_when_the_submitter_is_one(store: SqlStore):
    async with store.transaction() as tx:
        _, ana = await register(tx, "1", "Ana", "ana@gmail.com")
        assessment = await tx.open_assessment(MEDELLIN, 2026, "q", "1", ana.id, T0)
        await tx.set_assessment_status(assessment.id, "submitted", ana.id, at(1))
        assert not (await tx.assessment(assessment.id)).submitted_by_member  # type: ignore[union-attr]
        await tx.set_assessment_status(assessment.id, "in_progress", ana.id, at(2))
        await tx.record_membership(ana.id, "approved", at(3), actor_staff="Marta")
        await tx.set_assessment_status(assessment.id, "submitted", ana.id, at(4))
        assert (await tx.assessment(assessment.id)).submitted_by_member  # type: ignore[union-attr]


async def test_erasure_leaves_no_roster_line_event_or_counter(store: SqlStore):
    async with store.transaction() as tx:
        _, ana = await register(tx, "5550001", "Ana Pérez", "ana.perez@gmail.com")
        await tx.load_roster([RosterEntry(MEDELLIN, "Ana Pérez", "ana.perez@gmail.com")], T0)
        await tx.record_membership(ana.id, "joined", at(1), basis="roster")
        await tx.note_rate("registration", rate_key("telegram:5550001"), at(1))
        await tx.note_rate("registration", rate_key("ana.perez@gmail.com"), at(1))
        await tx.erase_contact(ana.id, at(2))
    tables = await dump_tables(store)
    assert tables["roster"] == [] and tables["membership_events"] == []
    assert tables["rate_events"] == []
    assert "ana.perez" not in repr(tables)
