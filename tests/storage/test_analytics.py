"""The staff and peer-comparison `Tx` methods on SQLite and PostgreSQL (the `store` fixture)."""

from __future__ import annotations

import pytest

from bot.scoring import Answer, score
from bot.storage.sql import SqlStore
from tests.analytics.seed import seed, seed_submitted_with_snapshot
from tests.factories import answers, build
from tests.storage.helpers import T0, at, register

Q = build()
# gobernanza: GOB-SER-01 si (100) and GOB-DAT-01 medio (60): (0.75·100 + 0.25·60) = 90
# habitat: HAB-SER-02 no (0): 0.   overall: 90/3 + 0·2/3 = 30
GIVEN = answers({"GOB-SER-01": "si", "GOB-DAT-01": "medio", "HAB-SER-02": "no"})


async def test_cycle_assessments_and_answers_read_the_whole_cycle(store: SqlStore):
    async with store.transaction() as tx:
        _, contact = await register(tx, "1", "Ana Pérez", "ana@pasto.gov.co", entity="52001")
        pasto = await seed(tx, Q, "52001", GIVEN, T0, submitted=True, contact_id=contact.id)
        medellin = await seed(tx, Q, "05001", answers({"GOB-SER-01": "no_se"}), at(60))
        await seed(tx, Q, "05", GIVEN, at(120))
        await seed(tx, Q, "52001", GIVEN, at(180), cycle=2025)
    async with store.transaction() as tx:
        items = await tx.cycle_assessments(2026)
        by_id = await tx.cycle_answers(2026)
        entities = await tx.entities()
    # By department, then code: the gobernación "05" before "05001".
    assert [(i.entity.code, i.entity.kind) for i in items] == [
        ("05", "gobernacion"),
        ("05001", "alcaldia"),
        ("52001", "alcaldia"),
    ]
    assert items[2].assessment == pasto and items[1].assessment == medellin
    assert items[2].entity.department_name == "Nariño" and items[2].entity.name == "Pasto"
    assert set(by_id) == {i.assessment.id for i in items}  # the 2025 one is not there
    assert by_id[pasto.id]["GOB-SER-01"].contact_id == contact.id
    assert {q: a.answer for q, a in by_id[pasto.id].items()} == GIVEN
    assert by_id[medellin.id]["GOB-SER-01"].answer.kind == "dont_know"
    assert len(entities) == 1135 and entities[0].code == "05"


async def test_snapshots_count_while_the_assessment_stays_submitted(store: SqlStore):
    async with store.transaction() as tx:
        pasto = await seed_submitted_with_snapshot(tx, Q, "52001", "alcaldia", GIVEN, T0)
        await seed_submitted_with_snapshot(tx, Q, "05", "gobernacion", GIVEN, T0)  # other kind
        await seed_submitted_with_snapshot(tx, Q, "05001", "alcaldia", GIVEN, T0, cycle=2025)
    async with store.transaction() as tx:
        peers = await tx.peer_scores(2026, "alcaldia", Q.id, Q.version)
        assert await tx.peer_scores(2026, "alcaldia", Q.id, "9.9") == []
    assert len(peers) == 1
    assert (peers[0].entity_code, peers[0].department_code) == ("52001", "52")
    assert peers[0].overall == pytest.approx(30.0)
    assert peers[0].dimensions == {"gobernanza": pytest.approx(90.0), "habitat": 0.0}

    # Reopened: the snapshot is stale and no longer counts, even once resubmitted...
    async with store.transaction() as tx:
        await tx.set_assessment_status(pasto.id, "in_progress", None, at(10))
        assert await tx.peer_scores(2026, "alcaldia", Q.id, Q.version) == []
        await tx.save_answer(pasto.id, "HAB-SER-02", Answer("option", option="si"), None, at(20))
        official = (await tx.assessment_events(pasto.id))[1].contact_id  # the member who sent it
        await tx.set_assessment_status(pasto.id, "submitted", official, at(30))
        assert await tx.peer_scores(2026, "alcaldia", Q.id, Q.version) == []
        # ...until its results are shown again, which replaces the snapshot.
        resubmitted = await tx.assessment(pasto.id)
        given = {**GIVEN, **answers({"HAB-SER-02": "si"})}
        await tx.save_score_snapshot(resubmitted, score(Q, "alcaldia", given), at(40))
        peers = await tx.peer_scores(2026, "alcaldia", Q.id, Q.version)
    assert [p.dimensions["habitat"] for p in peers] == [100.0]


async def test_no_snapshot_for_an_assessment_in_progress(store: SqlStore):
    async with store.transaction() as tx:
        record = await seed(tx, Q, "52001", GIVEN, T0)
        with pytest.raises(ValueError, match="not submitted"):
            await tx.save_score_snapshot(record, score(Q, "alcaldia", GIVEN), T0)


async def test_a_submission_by_a_non_member_is_no_peer(store: SqlStore):
    """Issue 15's attack: a pending contact submitted Pasto with one answer; its scores must not
    reach any other entity's averages, even with a snapshot saved."""
    async with store.transaction() as tx:
        _, impostor = await register(tx, "66", "Impostor", "impostor@gmail.com", entity="52001")
        one = dict(list(GIVEN.items())[:1])
        pasto = await seed(
            tx, Q, "52001", one, T0, submitted=True, contact_id=impostor.id, by_member=False
        )
        assert pasto.status == "submitted" and not pasto.submitted_by_member
        await tx.save_score_snapshot(pasto, score(Q, "alcaldia", one), T0)
        await seed_submitted_with_snapshot(tx, Q, "52356", "alcaldia", GIVEN, T0)
        peers = await tx.peer_scores(2026, "alcaldia", Q.id, Q.version)
    assert [p.entity_code for p in peers] == ["52356"]
