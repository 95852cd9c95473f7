"""The daily digest of pending membership requests to the MinTIC mailbox, on SQLite and
PostgreSQL: from 7:00 Colombian time, only when something waits, never twice a day (a restart
is a new service over the same database)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.app import load_static
from bot.config import load_config
from bot.contract import OutboundEmail
from bot.staff.decisions import Herald, load_texts
from bot.staff.digest import DIGEST_KIND, PendingDigest
from tests.storage.helpers import T0, register

BOGOTA = ZoneInfo("America/Bogota")
MAILBOX = "ciudadesyterritoriosinteligentes@mintic.gov.co"


@pytest.fixture(scope="module")
def herald() -> Herald:
    config = load_config(env={})
    static = load_static(config)
    texts = load_texts(config.path(config.data.templates), config.routing.mailbox)
    return Herald(texts, static.gazetteer, lambda: "<unused@cti>")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def service(store, herald: Herald, clock: Clock) -> PendingDigest:
    return PendingDigest(store, herald, MAILBOX, "mintic.gov.co", BOGOTA, clock=clock)


async def digests(store) -> list[OutboundEmail]:
    async with store.transaction() as tx:
        return [
            i
            for i in await tx.outbox_for(MAILBOX)
            if isinstance(i, OutboundEmail) and i.kind == DIGEST_KIND
        ]


async def test_one_digest_a_day_only_when_something_waits(store, herald):
    clock = Clock(datetime(2026, 3, 3, 8, 0, tzinfo=BOGOTA))
    assert await service(store, herald, clock).run_once() is False  # nothing pending
    async with store.transaction() as tx:
        _, ana = await register(tx, "1001", "Ana Pérez", "ana@gmail.com", entity="52001")
        await tx.record_membership(ana.id, "requested", T0)
        _, member = await register(tx, "1002", "Luis Paz", "luis@pasto.gov.co", entity="52001")
        await tx.record_membership(member.id, "joined", T0, basis="roster")
        _, beto = await register(tx, "1003", "Beto Gil", "beto@hotmail.com", entity="05001")
        await tx.record_membership(beto.id, "requested", T0)

    clock.now = datetime(2026, 3, 3, 6, 59, tzinfo=BOGOTA)
    assert await service(store, herald, clock).run_once() is False  # before 7:00
    clock.now = datetime(2026, 3, 3, 7, 0, tzinfo=BOGOTA)
    assert await service(store, herald, clock).run_once() is True
    clock.now = datetime(2026, 3, 3, 18, 0, tzinfo=BOGOTA)
    assert await service(store, herald, clock).run_once() is False  # a restart, same day

    [mail] = await digests(store)
    assert mail.message_id == "<pendientes-2026-03-03@mintic.gov.co>"
    assert mail.subject == (
        "[Asistente CTI] 2 solicitud(es) de funcionarios por verificar (2026-03-03)"
    )
    text = mail.text
    assert "1. Alcaldía de Pasto (Nariño) (DANE 52001)" in text
    assert "Nombre: Ana Pérez" in text and "Cargo: Enlace TIC" in text
    assert "Correo verificado: ana@gmail.com" in text
    assert "Solicitud: 2026-03-02 10:04" in text  # T0 in Colombian time
    assert f"cti officials approve {ana.id} --by" in text
    assert "Funcionarios verificados de la entidad: 1 (también pueden aprobarla)" in text
    assert "2. Alcaldía de Medellín (Antioquia)" in text and "ninguno (solo MinTIC" in text
    assert "Luis Paz" not in text  # a member is not pending
    async with store.transaction() as tx:  # once delivered, no name stays in the database
        assert mail.id is not None
        await tx.outbox_sent(mail.id, clock.now)
        sent = await tx.outbox_item(mail.message_id)
    assert sent is not None and sent[1] == "sent" and "Ana" not in sent[0].text

    clock.now = datetime(2026, 3, 4, 7, 30, tzinfo=BOGOTA)
    assert await service(store, herald, clock).run_once() is True
    async with store.transaction() as tx:
        await tx.record_membership(ana.id, "approved", T0, actor_staff="Luisa")
        await tx.record_membership(beto.id, "declined", T0, actor_staff="Luisa")
    clock.now = datetime(2026, 3, 5, 7, 30, tzinfo=BOGOTA)
    assert await service(store, herald, clock).run_once() is False  # nothing waits any more
    assert [m.message_id for m in await digests(store)] == [
        "<pendientes-2026-03-03@mintic.gov.co>",
        "<pendientes-2026-03-04@mintic.gov.co>",
    ]


async def test_cti_run_sends_the_digest_wherever_it_sends_mail(tmp_path):
    """`cti run` starts the digest beside the email outbox worker, and not without it."""
    from bot.app import build_app, build_services

    base = load_config(env={})
    for enabled, expected in ((True, True), (False, False)):
        config = base.model_validate(
            {
                **base.model_dump(),
                "database": {"url": f"sqlite+aiosqlite:///{tmp_path / 'cti.db'}"},
                "nlu": {**base.nlu.model_dump(), "backend": "rules"},
                "channels": {
                    **base.channels.model_dump(),
                    "console": {**base.channels.console.model_dump(), "enabled": not enabled},
                    "email": {
                        **base.channels.email.model_dump(),
                        "enabled": enabled,
                        "inbound": "smtp",
                        "smtp_inbound": {"listen": "127.0.0.1", "port": 2599},
                    },
                },
                "secrets": {"mail_key_secret": "pruebas-" + "k" * 40},
            }
        )
        app = await build_app(config)
        try:
            services = build_services(app)
        finally:
            await app.close()
        assert ("officials-digest" in services) is expected


async def test_erasing_a_pending_official_takes_them_out_of_the_queued_digest(store, herald):
    clock = Clock(datetime(2026, 3, 3, 8, 0, tzinfo=BOGOTA))
    async with store.transaction() as tx:
        _, ana = await register(tx, "1001", "Ana Pérez", "ana@gmail.com", entity="52001")
        await tx.record_membership(ana.id, "requested", T0)
        _, beto = await register(tx, "1003", "Beto Gil", "beto@hotmail.com", entity="05001")
        await tx.record_membership(beto.id, "requested", T0)
    assert await service(store, herald, clock).run_once() is True
    [queued] = await digests(store)
    assert "Ana Pérez" in queued.text  # not sent yet: the mail server was down

    async with store.transaction() as tx:
        await tx.erase_contact(ana.id, T0)
    assert await digests(store) == []
    assert await service(store, herald, clock).run_once() is True  # the day's digest again
    [again] = await digests(store)
    assert "Beto Gil" in again.text
    assert "Ana" not in again.text and "ana@gmail.com" not in again.text
