"""The `Tx` contract, method by method, on SQLite and PostgreSQL (the `store` fixture)."""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.contract import ConversationKey
from bot.scoring import Answer
from bot.storage.api import Tx
from bot.storage.sql import SqlStore, SqlTx
from bot.territory import Entity
from tests.storage.helpers import MEDELLIN, T0, at, dump_tables, register

KEY = ConversationKey("telegram", "5550001")


def test_sqltx_has_the_exact_signatures_of_tx():
    methods = [name for name in vars(Tx) if not name.startswith("_")]
    # 23 + the outbox (7, with the per-address sending counts and retention) + staff reports and
    # peers (5) + reminders (5) + tickets (8) + the personal export (1) + membership (13)
    # + entity attributes (2) + an assessment's version (3: find, set, drop an answer)
    assert len(methods) == 67
    for name in methods:
        expected = inspect.signature(getattr(Tx, name)).parameters
        actual = inspect.signature(getattr(SqlTx, name)).parameters
        assert [(p.name, p.kind, p.default) for p in actual.values()] == [
            (p.name, p.kind, p.default) for p in expected.values()
        ], name


async def test_claim_message_is_idempotent(store: SqlStore):
    long_id = "<" + "x" * 400 + "@mail.example>"
    async with store.transaction() as tx:
        assert await tx.claim_message(KEY, "1001", T0)
        assert not await tx.claim_message(KEY, "1001", T0)
        assert await tx.claim_message(KEY, long_id, T0)
    async with store.transaction() as tx:
        assert not await tx.claim_message(KEY, "1001", at(5))
        assert not await tx.claim_message(KEY, long_id, at(5))
        assert not await tx.claim_message(ConversationKey("telegram", "other"), "1001", at(5))
        # Message ids are per channel: the same id on another channel is another message.
        assert await tx.claim_message(ConversationKey("email", "a@b.co"), "1001", at(5))


async def test_conversation_is_created_once_and_keeps_its_state(store: SqlStore):
    state = {"step": "pregunta", "cola": ["GOB-01", "HAB-02"], "texto": "Bogotá ñ 🙂", "n": 1.5}
    async with store.transaction() as tx:
        first = await tx.conversation(KEY, T0)
        assert (first.key, first.contact_id, first.state) == (KEY, None, {})
        assert first.created_at == first.updated_at == T0
        assert (await tx.conversation(KEY, at(1))).id == first.id
        await tx.save_conversation(first.id, state, None, at(2))
    async with store.transaction() as tx:
        again = await tx.conversation(KEY, at(3))
        other = await tx.conversation(ConversationKey("console", "5550001"), at(3))
        with pytest.raises(LookupError):
            await tx.save_conversation(10_000, {}, None, at(3))
    assert (again.id, again.state, again.created_at, again.updated_at) == (
        first.id,
        state,
        T0,
        at(2),
    )
    assert other.id != first.id


async def test_find_conversation_never_creates_and_delete_keeps_replays_out(store: SqlStore):
    async with store.transaction() as tx:
        assert await tx.find_conversation(KEY) is None
        assert await tx.claim_message(KEY, "3001", T0)
    async with store.transaction() as tx:
        assert await tx.find_conversation(KEY) is None
        created = await tx.conversation(KEY, T0)
        assert await tx.find_conversation(KEY) == created
        assert await tx.claim_message(KEY, "3002", T0)
        await tx.record_consent(created.id, "v1", T0)
    async with store.transaction() as tx:
        await tx.delete_conversation(created.id)
        await tx.delete_conversation(created.id)  # already gone: nothing happens
        assert await tx.find_conversation(KEY) is None
    async with store.transaction() as tx:
        assert not await tx.claim_message(KEY, "3001", at(1))
        assert not await tx.claim_message(KEY, "3002", at(1))
    tables = await dump_tables(store)
    assert tables["conversations"] == []
    assert [row["conversation_id"] for row in tables["consents"]] == [None]
    assert sorted(r["message_id"] for r in tables["processed_messages"]) == ["3001", "3002"]


async def test_consent_and_contact_lifecycle(store: SqlStore):
    async with store.transaction() as tx:
        conversation = await tx.conversation(KEY, T0)
        consent_id = await tx.record_consent(conversation.id, "habeas-data-v1", T0)
        consent = await tx.consent(consent_id)
        assert consent is not None
        assert (consent.text_version, consent.granted_at, consent.revoked_at) == (
            "habeas-data-v1",
            T0,
            None,
        )
        ana = await tx.create_contact(
            MEDELLIN, "Ana Gómez", "Jefa TIC", "ana@x.gov.co", consent_id, T0
        )
        assert (ana.entity_code, ana.name, ana.role, ana.email, ana.consent_id) == (
            MEDELLIN,
            "Ana Gómez",
            "Jefa TIC",
            "ana@x.gov.co",
            consent_id,
        )
        assert (ana.dimensions, ana.created_at) == ((), T0)
        await tx.save_conversation(conversation.id, {}, ana.id, T0)
    async with store.transaction() as tx:
        assert await tx.contact(ana.id) == ana
        updated = await tx.update_contact(ana.id, role="Secretaria TIC", dimensions=("gob", "hab"))
        assert (updated.name, updated.role, updated.dimensions) == (
            "Ana Gómez",
            "Secretaria TIC",
            ("gob", "hab"),
        )
        assert await tx.update_contact(ana.id) == updated
        _, luis = await register(tx, "5550002", "Luis Mora", "luis@x.gov.co")
        _, other = await register(tx, "5550003", "Eva Paz", "eva@y.gov.co", entity="05002")
        assert await tx.contacts_of_entity(MEDELLIN) == [updated, luis]
        assert await tx.contacts_of_entity("05002") == [other]
        assert await tx.contact(10_000) is None
        assert await tx.consent(10_000) is None
        with pytest.raises(LookupError):
            await tx.update_contact(10_000, name="Nadie")
        await tx.save_answer(
            (await tx.open_assessment(MEDELLIN, 2026, "mm", "1", ana.id, T0)).id,
            "GOB-01",
            Answer("option", option="si"),
            ana.id,
            T0,
        )
        data = await tx.personal_data(ana.id)
        assert data is not None
        assert (data.contact, data.consent, data.conversations, data.answers_given) == (
            updated,
            consent,
            (KEY,),
            1,
        )
        assert data.extra == {"history_entries": 1, "tickets": []}
        assert await tx.personal_data(10_000) is None
        await tx.revoke_consent(consent_id, at(10))
        await tx.revoke_consent(consent_id, at(20))
        revoked = await tx.consent(consent_id)
        assert revoked is not None and revoked.revoked_at == at(10)


async def test_entities_come_from_the_database(store: SqlStore):
    async with store.transaction() as tx:
        assert await tx.entity(MEDELLIN) == Entity(
            MEDELLIN, "alcaldia", "Medellín", "05", "Antioquia"
        )
        assert await tx.entity("11001") == Entity(
            "11001", "alcaldia", "Bogotá, D.C.", "11", "Bogotá, D.C."
        )
        assert await tx.entity("05") == Entity("05", "gobernacion", "Antioquia", "05", "Antioquia")
        assert await tx.entity("11") is None  # Bogotá has an alcaldía, not a gobernación
        assert await tx.entity("88001") is None  # San Andrés island: administered by its department
        assert await tx.entity("") is None


async def test_erase_contact_leaves_no_personal_data_and_keeps_the_answers(store: SqlStore):
    from sqlalchemy import insert

    from bot.storage.base import outbox, tickets

    name, role, email = (
        "Zoila Perífrasis Quintero",
        "Asesora Única de Planeación",
        "zoila.q@ejemplo.gov.co",
    )
    async with store.transaction() as tx:
        conversation_id, zoila = await register(tx, "5550009", name, email, role=role)
        _, luis = await register(tx, "5550010", "Luis Mora", "luis@x.gov.co")
        assessment = await tx.open_assessment(MEDELLIN, 2026, "mm", "1", zoila.id, T0)
        await tx.save_answer(
            assessment.id, "GOB-01", Answer("option", option="no"), zoila.id, at(1)
        )
        await tx.save_answer(assessment.id, "GOB-01", Answer("option", option="si"), luis.id, at(2))
        await tx.save_answer(assessment.id, "HAB-01", Answer("figure", value=12.5), zoila.id, at(3))
        await tx.set_assessment_status(assessment.id, "submitted", zoila.id, at(4))
    async with store.engine.begin() as conn:
        await conn.execute(
            insert(tickets).values(
                number="CTI-2026-00001",
                entity_code=MEDELLIN,
                contact_id=zoila.id,
                topic="datos",
                description="Apoyo con datos abiertos",
                contact_means=f"{email} / 3001234567",
                status="open",
                created_at=T0,
                updated_at=T0,
            )
        )
        await conn.execute(
            insert(outbox).values(
                kind="ticket_reply",
                recipient=email,
                subject="Respuesta",
                body_text=f"Hola {name}",
                attachments=[],
                headers={},
                message_id="<m1@cti>",
                status="pending",
                next_attempt_at=T0,
                created_at=T0,
            )
        )
    before = await dump_tables(store)
    assert email in str(before) and name in str(before)  # the scan below can see personal data

    async with store.transaction() as tx:
        await tx.erase_contact(zoila.id, at(10))
        await tx.erase_contact(zoila.id, at(11))  # erasing twice is harmless
        await tx.delete_conversation(conversation_id)  # what the engine does next
        assert await tx.contact(zoila.id) is None
        assert await tx.personal_data(zoila.id) is None
        consent = await tx.consent(zoila.consent_id)
        assert consent is not None and consent.revoked_at == at(10)
        current = await tx.answers(assessment.id)
        history = await tx.answer_history(assessment.id)
        events = await tx.assessment_events(assessment.id)
        assert await tx.find_conversation(ConversationKey("telegram", "5550009")) is None
        assert await tx.contact(luis.id) == luis

    assert {q: (a.answer, a.contact_id) for q, a in current.items()} == {
        "GOB-01": (Answer("option", option="si"), luis.id),
        "HAB-01": (Answer("figure", value=12.5), None),
    }
    assert [(h.question_id, h.contact_id) for h in history] == [
        ("GOB-01", None),
        ("GOB-01", luis.id),
        ("HAB-01", None),
    ]
    assert [(e.kind, e.contact_id) for e in events] == [("started", None), ("submitted", None)]

    after = await dump_tables(store)
    for value in (name, email, role, "3001234567", "Zoila", "5550009"):
        assert value not in str(after), value
    assert "luis@x.gov.co" in str(after)
    assert [t["number"] for t in after["tickets"]] == ["CTI-2026-00001"]
    assert after["outbox"] == []


async def test_assessment_get_or_create_answers_and_history(store: SqlStore):
    async with store.transaction() as tx:
        _, ana = await register(tx, "5550011", "Ana", "ana@x.gov.co")
        first = await tx.open_assessment(MEDELLIN, 2026, "mm", "1.0", ana.id, T0)
        same = await tx.open_assessment(MEDELLIN, 2026, "mm", "2.0", None, at(5))
        next_cycle = await tx.open_assessment(MEDELLIN, 2027, "mm", "2.0", None, at(5))
        assert same == first
        assert (first.status, first.started_at, first.submitted_at) == ("in_progress", T0, None)
        assert (first.questionnaire_id, first.questionnaire_version) == ("mm", "1.0")
        assert next_cycle.id != first.id
        assert await tx.assessment(first.id) == first
        assert await tx.assessment(10_000) is None
        assert await tx.find_assessment(MEDELLIN, 2026) == first  # its version, as opened
        assert await tx.find_assessment(MEDELLIN, 2028) is None  # and none opened by looking
        assert await tx.find_assessment(MEDELLIN, 2028) is None
        assert await tx.answers(first.id) == {}

        given = [
            ("GOB-01", Answer("option", option="parcial")),
            ("GOB-01", Answer("figure", value=0.1 + 0.2)),
            ("HAB-02", Answer("skipped")),
            ("GOB-01", Answer("dont_know")),
        ]
        for i, (question, answer) in enumerate(given):
            await tx.save_answer(first.id, question, answer, ana.id if i % 2 else None, at(i))
        with pytest.raises(ValueError):
            await tx.save_answer(first.id, "X", Answer("figure", value=float("nan")), None, T0)
        with pytest.raises(ValueError):
            await tx.save_answer(first.id, "X", Answer("option"), None, T0)

    async with store.transaction() as tx:
        current = await tx.answers(first.id)
        history = await tx.answer_history(first.id)
        gob = await tx.answer_history(first.id, "GOB-01")
        assert await tx.answer_history(next_cycle.id) == []
    assert {q: (a.answer, a.contact_id, a.answered_at) for q, a in current.items()} == {
        "GOB-01": (Answer("dont_know"), ana.id, at(3)),
        "HAB-02": (Answer("skipped"), None, at(2)),
    }
    assert [(h.question_id, h.answer) for h in history] == given
    assert [h.answer for h in gob] == [a for q, a in given if q == "GOB-01"]
    assert gob[1].answer.value == 0.1 + 0.2  # stored exactly, not rounded
    assert [h.answered_at for h in history] == [at(0), at(1), at(2), at(3)]


async def test_status_changes_are_recorded_as_events(store: SqlStore):
    async with store.transaction() as tx:
        _, ana = await register(tx, "5550012", "Ana", "ana@x.gov.co")
        assessment = await tx.open_assessment(MEDELLIN, 2026, "mm", "1", ana.id, T0)
        await tx.set_assessment_status(assessment.id, "submitted", ana.id, at(10), "listo")
        submitted = await tx.assessment(assessment.id)
        await tx.set_assessment_status(assessment.id, "submitted", ana.id, at(11))  # no change
        await tx.set_assessment_status(assessment.id, "in_progress", None, at(20), "corregir HAB")
        reopened = await tx.assessment(assessment.id)
        with pytest.raises(LookupError):
            await tx.set_assessment_status(10_000, "submitted", None, at(30))
        with pytest.raises(ValueError):
            await tx.set_assessment_status(assessment.id, "archived", None, at(30))  # type: ignore[arg-type]
        events = await tx.assessment_events(assessment.id)
    assert submitted is not None and reopened is not None
    assert (submitted.status, submitted.submitted_at) == ("submitted", at(10))
    assert (reopened.status, reopened.submitted_at) == ("in_progress", None)
    assert [(e.kind, e.contact_id, e.at, e.note) for e in events] == [
        ("started", ana.id, T0, ""),
        ("submitted", ana.id, at(10), "listo"),
        ("reopened", None, at(20), "corregir HAB"),
    ]


async def test_rollback_on_exception_leaves_nothing(store: SqlStore):
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with store.transaction() as tx:
            assert await tx.claim_message(KEY, "2001", T0)
            _, ana = await register(tx, KEY.address, "Ana", "ana@x.gov.co")
            assessment = await tx.open_assessment(MEDELLIN, 2026, "mm", "1", ana.id, T0)
            await tx.save_answer(assessment.id, "GOB-01", Answer("dont_know"), ana.id, T0)
            raise Boom
    assert all(rows == [] for rows in (await dump_tables(store)).values())
    async with store.transaction() as tx:
        assert await tx.claim_message(KEY, "2001", at(1))


async def test_datetimes_are_aware_utc_both_ways(store: SqlStore):
    bogota = timezone(timedelta(hours=-5))
    local = datetime(2026, 12, 31, 21, 30, 0, 999999, tzinfo=bogota)  # already 2027 in UTC
    async with store.transaction() as tx:
        conversation = await tx.conversation(KEY, local)
        with pytest.raises(ValueError, match="naive"):
            await tx.record_consent(conversation.id, "v1", datetime(2026, 1, 1))
        consent_id = await tx.record_consent(conversation.id, "v1", local)
    async with store.transaction() as tx:
        consent = await tx.consent(consent_id)
        stored = await tx.conversation(KEY, T0)
    assert consent is not None
    for value in (consent.granted_at, stored.created_at):
        assert value == local
        assert value.utcoffset() == timedelta(0)
        assert (value.year, value.hour, value.microsecond) == (2027, 2, 999999)
    assert consent.granted_at.tzinfo == UTC


async def test_contact_by_email_ignores_case_and_spaces_and_takes_the_earliest(store: SqlStore):
    """Linking a new channel finds the person by address (the conversation tests do this on
    SQLite only): the same lookup has to hold on PostgreSQL, whose `=` is case-sensitive."""
    async with store.transaction() as tx:
        _, ana = await register(tx, "5550021", "Ana", "Ana.Perez@Pasto.gov.co")
        _, again = await register(tx, "5550022", "Ana otra vez", "ana.perez@pasto.gov.co")
        assert await tx.contact_by_email("  ANA.PEREZ@pasto.gov.co ") == ana
        assert await tx.contact_by_email("ana.perez@pasto.gov.c") is None
        await tx.erase_contact(ana.id, at(1))
    async with store.transaction() as tx:
        assert await tx.contact_by_email("ana.perez@pasto.gov.co") == again


async def test_personal_export_is_json_ready_and_holds_only_their_rows(store: SqlStore):
    async with store.transaction() as tx:
        _, ana = await register(tx, "5550031", "Ana", "ana@x.gov.co")
        _, beto = await register(tx, "5550032", "Beto", "beto@x.gov.co")
        assessment = await tx.open_assessment(MEDELLIN, 2026, "mm", "1", ana.id, T0)
        await tx.save_answer(
            assessment.id, "GOB-01", Answer("option", option="parcial"), ana.id, at(1)
        )
        await tx.save_answer(assessment.id, "GOB-01", Answer("figure", value=42.5), ana.id, at(2))
        await tx.save_answer(assessment.id, "HAB-02", Answer("skipped"), beto.id, at(3))
        export = await tx.personal_export(ana.id)
        assert await tx.personal_export(10_000) is None
    assert export is not None
    assert json.loads(json.dumps(export)) == export
    assert export["contact"]["email"] == "ana@x.gov.co"
    assert export["contact"]["registered_at"] == T0.isoformat()
    assert [c["address"] for c in export["conversations"]] == ["5550031"]
    assert [
        (a["question_id"], a["kind"], a["option"], a["figure"], a["answered_at"], a["current"])
        for a in export["answers"]
    ] == [
        ("GOB-01", "option", "parcial", None, at(1).isoformat(), False),
        ("GOB-01", "figure", None, 42.5, at(2).isoformat(), True),
    ]
    assert "beto@x.gov.co" not in json.dumps(export)
