"""The staff console in a real browser (Debian's chromium) against `cti web` on loopback."""

from __future__ import annotations

import os
import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from bot.config import PROJECT_ROOT, Config
from bot.storage.api import Tx
from bot.territory import Gazetteer
from bot.web.accounts import staff_tx
from tests.web.console import (
    ADMIN,
    ADVISOR,
    CHAT,
    PASSWORD,
    PASTO,
    VIEWER,
    Seeded,
    run_store,
    sign_in,
)

DOCS = PROJECT_ROOT / "docs"
# The README's screenshots are refreshed only on request: CTI_SCREENSHOTS=1 (see README).
REFRESH_DOCS = os.environ.get("CTI_SCREENSHOTS") == "1"


def shot(page: Page, name: str) -> None:
    png = page.screenshot(path=str(DOCS / name) if REFRESH_DOCS else None, full_page=True)
    assert png.startswith(b"\x89PNG")


def test_sign_in_progress_reply_approve_and_sign_out(
    page: Page,
    console: str,
    seeded: Seeded,
    console_config: Config,
    gazetteer: Gazetteer,
    tmp_path: Path,
):
    sign_in(page, console, ADMIN)
    expect(page).to_have_url(console + "/avance")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avance nacional")
    # No yearly due date is invented: this deployment sets none for the cycle.
    expect(page.get_by_text("MinTIC no ha fijado una fecha límite")).to_be_visible()
    # Pasto's diagnosis was submitted by a member; Tumaco's only started.
    narino = page.get_by_role("link", name=re.compile(r"^Nariño: 1 de \d+ entidades enviaron"))
    expect(narino).to_be_visible()
    expect(page.locator(".tiles li")).to_have_count(33)
    shot(page, "consola-avance.png")
    with page.expect_download() as shown:
        page.get_by_role("link", name="Descargar esta vista (CSV)").click()
    table = Path(shown.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert table[0].startswith("codigo_departamento,departamento,entidades")
    assert any(line.startswith("52,Nariño,") and ",2,1," in line for line in table)
    with page.expect_download() as workbook:
        page.get_by_role("link", name=re.compile("Descargar los diagnósticos")).click()
    saved = tmp_path / workbook.value.suggested_filename
    workbook.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    sheets = load_workbook(saved, read_only=True)
    rows = list(sheets.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3  # a header and the two diagnoses of the cycle
    assert {c for r in rows[1:] for c in r if c in ("52001", "52835")} == {"52001", "52835"}
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    expect(page.locator(".tiles li")).to_have_count(33)
    shot(page, "consola-movil.png")
    page.set_viewport_size({"width": 1280, "height": 900})

    narino.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nariño")
    expect(page.get_by_role("row", name=re.compile("Alcaldía de Pasto"))).to_contain_text("Enviado")
    expect(page.get_by_role("row", name=re.compile("Tumaco"))).to_contain_text("En curso")
    page.get_by_role("link", name="Alcaldía de Pasto (Nariño)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alcaldía de Pasto (Nariño)")
    expect(page.get_by_text("Ana Rosero").first).to_be_visible()
    shot(page, "consola-entidad.png")
    page.get_by_role("link", name="Ver el informe del diagnóstico").click()
    expect(page).to_have_url(f"{console}/entidad/{PASTO}/informe")
    expect(page.locator("body")).to_contain_text("Pasto")
    page.go_back()

    page.get_by_role("link", name="Cuestionario").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("versión")
    expect(page.locator("details")).not_to_have_count(0)
    page.go_back()

    # The country's pending officials lead to their entity, where one approves them.
    page.get_by_role("link", name="Por aprobar").click()
    expect(page.get_by_role("row", name=re.compile("Luis Benavides"))).to_contain_text(
        "luis.b@gmail.com"
    )
    page.get_by_role("link", name="Alcaldía de Pasto (Nariño)").click()
    page.get_by_role("button", name="Aprobar a Luis Benavides").click()
    expect(page.get_by_role("row", name=re.compile("Luis Benavides"))).to_contain_text("Miembro")

    async def luis(tx: Tx):
        return await tx.membership_events(contact_id=seeded.pending_id)

    events = run_store(console_config, gazetteer, luis)
    assert (events[-1].kind, events[-1].basis, events[-1].actor_staff) == (
        "approved",
        "staff",
        ADMIN,
    )

    # Reply to the advisory request: it goes to the official's Telegram chat via the outbox.
    page.goto(f"{console}/solicitudes")
    page.get_by_role("link", name=seeded.ticket).click()
    page.get_by_label("Respuesta para el funcionario").fill(
        "Buenos días. Le proponemos una reunión el martes."
    )
    page.get_by_label("Estado después de responder").select_option("en_atencion")
    page.get_by_role("button", name="Enviar respuesta").click()
    expect(page.get_by_role("status")).to_contain_text("Respuesta registrada en la solicitud")
    expect(page.locator(".thread")).to_contain_text("Le proponemos una reunión el martes.")
    shot(page, "consola-solicitud.png")

    async def relayed(tx: Tx):
        ticket = await tx.ticket(seeded.ticket)
        items = await tx.claim_outbox(_far_future(), 10, _minute(), "telegram")
        return ticket, items

    ticket, items = run_store(console_config, gazetteer, relayed)
    assert ticket is not None and ticket.status == "en_atencion"
    # Luis is told of the approval on his Telegram chat, as `cti officials approve` tells him.
    assert [(i.key.channel, i.key.address, i.kind) for i in items] == [  # type: ignore[union-attr]
        ("telegram", "777002", "membership"),
        ("telegram", CHAT, "ticket-relay"),
    ]
    told = items[0].replies[0].text  # type: ignore[union-attr]
    assert "verificó que usted actúa por Alcaldía de Pasto" in told
    assert "Le proponemos una reunión el martes." in items[1].replies[0].text  # type: ignore[union-attr]

    page.goto(f"{console}/auditoria")
    log = page.locator("table").last
    for action in ("Ingreso", "Aprobó funcionario", "Respuesta a solicitud"):
        expect(log).to_contain_text(action)
    shot(page, "consola-auditoria.png")

    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page).to_have_url(re.compile(r"/ingresar$"))
    page.goto(console + "/avance")
    expect(page).to_have_url(re.compile(r"/ingresar\?siguiente="))


def _far_future():
    from datetime import UTC, datetime

    return datetime(2100, 1, 1, tzinfo=UTC)


def _minute():
    from datetime import timedelta

    return timedelta(minutes=1)


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(
    page: Page, console: str, console_config: Config, gazetteer: Gazetteer
):
    sign_in(page, console, ADVISOR, "no-es-la-clave-correcta")
    expect(page.get_by_role("alert")).to_have_text("El correo o la contraseña no son correctos.")
    for _ in range(4):
        page.get_by_label("Contraseña").fill("otra-clave-equivocada")
        page.get_by_role("button", name="Ingresar").click()
    # Five failures: now even the right password waits.
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("alert")).to_contain_text("demasiados intentos")

    async def failed(tx: Tx):
        return [a.action for a in await staff_tx(tx).actions()]

    assert run_store(console_config, gazetteer, failed).count("login_failed") == 5


def test_a_form_without_its_csrf_token_is_refused(page: Page, console: str, seeded: Seeded):
    # The login form too: a cross-site post (no token cookie) gets 403.
    refused = page.request.post(
        console + "/ingresar", form={"email": ADMIN, "password": PASSWORD, "csrf": "x"}
    )
    assert refused.status == 403
    assert "El formulario venció" in refused.text()
    sign_in(page, console, ADMIN)
    expect(page).to_have_url(console + "/avance")
    forged = page.request.post(
        f"{console}/solicitudes/{seeded.ticket}/estado", form={"estado": "cerrado"}
    )
    assert forged.status == 403
    assert "no proviene de esta consola" in forged.text()
    page.goto(f"{console}/solicitudes/{seeded.ticket}")
    expect(page.locator(".facts")).to_contain_text("Recibida, en espera de respuesta")


def test_a_viewer_sees_no_names_and_cannot_approve(
    page: Page, console: str, seeded: Seeded, console_config: Config, gazetteer: Gazetteer
):
    sign_in(page, console, VIEWER, path=f"/entidad/{PASTO}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alcaldía de Pasto (Nariño)")
    content = page.content()
    assert "Ana Rosero" not in content and "luis.b@gmail.com" not in content
    expect(page.get_by_text(f"Contacto n.º {seeded.pending_id}").first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Aprobar"))).to_have_count(0)
    # Even with a valid token, the action itself is refused.
    token = page.locator("form.logout input[name=csrf]").get_attribute("value")
    tried = page.request.post(
        f"{console}/entidad/{PASTO}/funcionarios/{seeded.pending_id}",
        form={"csrf": token or "", "decision": "approve"},
    )
    assert tried.status == 403
    assert "no tiene permiso" in tried.text()
    assert page.request.get(console + "/auditoria").status == 403
    assert page.request.get(console + "/funcionarios/pendientes").status == 403

    async def status(tx: Tx):
        contact = await tx.contact(seeded.pending_id)
        return contact.status if contact else None

    assert run_store(console_config, gazetteer, status) == "pending"


def test_an_expired_session_goes_back_to_sign_in(
    page: Page, console: str, console_config: Config, gazetteer: Gazetteer
):
    sign_in(page, console, ADVISOR)
    expect(page).to_have_url(console + "/avance")

    async def expire(tx: Tx):
        from datetime import UTC, datetime

        from sqlalchemy import update

        from bot.web.accounts import sessions

        await staff_tx(tx)._run(
            update(sessions).values(expires_at=datetime(2020, 1, 1, tzinfo=UTC))
        )

    run_store(console_config, gazetteer, expire)
    page.goto(console + "/solicitudes")
    expect(page).to_have_url(re.compile(r"/ingresar\?siguiente=%2Fsolicitudes"))
