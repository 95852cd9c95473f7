"""The console's views in a real browser (Debian's chromium): progress by category with its CSV,
an entity's attributes and answer history, the request queue's filters and assigning an
advisor."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Page, expect

from bot.analytics.cycle import current_cycle
from bot.config import Config
from bot.scoring import Answer
from bot.storage.api import EntityAttributes, NewTicket, Tx
from bot.territory import Gazetteer
from bot.web.accounts import staff_tx
from dialogues.questionnaire import load_questionnaire
from tests.web.console import ADMIN, ADVISOR, PASTO, TUMACO, VIEWER, Seeded, run_store, sign_in

NARINO = "52"


def load_attributes(config: Config, gazetteer: Gazetteer) -> None:
    """What `cti entities import` would store for three entities of Nariño; and Pasto's first
    answer changed once, by the same official, so it has a history."""
    questionnaire = load_questionnaire(config.path(config.data.questionnaire))
    first = questionnaire.questions_for("alcaldia")[0]
    now = datetime.now(UTC)
    cycle = current_cycle(config.assessment, now)

    async def work(tx: Tx) -> None:
        await tx.load_entity_attributes(
            [
                EntityAttributes(PASTO, "1", False, False),
                EntityAttributes(TUMACO, "6", True, True),
                EntityAttributes(NARINO, "2"),
            ],
            now,
        )
        pasto = next(a for a in await tx.cycle_assessments(cycle) if a.entity.code == PASTO)
        answers = await tx.answers(pasto.assessment.id)
        who = answers[first.id].contact_id
        await tx.save_answer(pasto.assessment.id, first.id, Answer("dont_know"), who, now)

    run_store(config, gazetteer, work)


def test_progress_by_category_its_csv_and_an_entitys_attributes_and_history(
    page: Page, console: str, console_config: Config, gazetteer: Gazetteer
):
    sign_in(page, console, ADMIN)
    expect(page.get_by_text("Aún no hay categorías cargadas")).to_be_visible()
    load_attributes(console_config, gazetteer)
    page.reload()
    expect(page.get_by_text("Aún no hay categorías cargadas")).to_have_count(0)
    expect(page.locator(".tiles li")).to_have_count(33)

    page.get_by_label("Categoría (Ley 617 de 2000)").select_option("6")
    page.get_by_role("button", name="Aplicar").click()
    expect(page).to_have_url(re.compile(r"/avance\?tipo=&categoria=6$"))
    expect(page.locator(".tiles li")).to_have_count(1)  # only Tumaco is of category 6
    expect(page.get_by_text("3 entidades tienen categoría cargada.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Nariño: 0 de 1 entidades"))).to_be_visible()
    with page.expect_download() as shown:
        page.get_by_role("link", name="Descargar esta vista (CSV)").click()
    assert shown.value.suggested_filename.endswith("_todas_cat-6.csv")
    table = Path(shown.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert table[1:] == ["52,Nariño,1,1,0,0"]

    # Kind and category together: Pasto, an alcaldía of category 1, submitted.
    page.get_by_label("Tipo de entidad").select_option("alcaldia")
    page.get_by_label("Categoría (Ley 617 de 2000)").select_option("1")
    page.get_by_role("button", name="Aplicar").click()
    expect(page.locator(".summary")).to_contain_text("1 de 1 entidades enviaron")
    # Entities no file gave a category: all but the three loaded.
    page.get_by_label("Tipo de entidad").select_option("")
    page.get_by_label("Categoría (Ley 617 de 2000)").select_option("sin")
    page.get_by_role("button", name="Aplicar").click()
    expect(page.locator(".summary")).to_contain_text(f"de {1135 - 3} entidades")

    page.goto(f"{console}/departamento/{NARINO}")
    expect(page.get_by_role("row", name=re.compile("Tumaco"))).to_contain_text("6")
    page.get_by_role("link", name=re.compile("Tumaco")).click()
    facts = page.get_by_label("Atributos cargados por MinTIC")
    expect(facts).to_contain_text("Categoría (Ley 617 de 2000)6")
    expect(facts).to_contain_text("Municipio PDETSí")
    expect(facts).to_contain_text("ZOMACSí")

    page.goto(f"{console}/entidad/{PASTO}")
    history = page.locator("#historial")
    expect(history.locator("summary")).to_contain_text("Historial de respuestas (2)")
    expect(history.locator("tbody tr").first).not_to_be_visible()  # folded until opened
    history.locator("summary").click()
    rows = history.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("no sé")  # the latest first
    expect(rows.nth(1)).not_to_contain_text("no sé")
    expect(rows.nth(0)).to_contain_text("Ana Rosero")
    expect(rows.nth(1)).to_contain_text("Ana Rosero")


def test_the_queue_filters_and_assigning_an_advisor(
    page: Page, console: str, seeded: Seeded, console_config: Config, gazetteer: Gazetteer
):
    async def second_ticket(tx: Tx) -> str:
        now = datetime.now(UTC)
        ticket, _ = await tx.create_ticket(
            NewTicket(TUMACO, None, "cofinanciacion", "Cofinanciación", "", "telegram", "9"),
            now,
            now,
        )
        return ticket.number

    tumaco = run_store(console_config, gazetteer, second_ticket)
    sign_in(page, console, ADVISOR, path="/solicitudes")
    expect(page.get_by_text("2 solicitudes.")).to_be_visible()

    page.get_by_label("Tema").select_option("cofinanciacion")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_text("1 solicitudes.")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text(tumaco)
    page.get_by_label("Tema").select_option("")
    page.get_by_label("Departamento").select_option(label="Antioquia")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_text("0 solicitudes.")).to_be_visible()
    page.get_by_label("Departamento").select_option(label="Nariño")
    page.get_by_label("Estado").select_option("resuelto")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_text("0 solicitudes.")).to_be_visible()
    page.get_by_label("Estado").select_option("recibido")
    page.get_by_label("Asesor").select_option("mias")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_text("0 solicitudes.")).to_be_visible()

    page.goto(f"{console}/solicitudes/{seeded.ticket}")
    expect(page.locator(".facts")).to_contain_text("Sin asignar")
    page.get_by_label("Asignar a").select_option(label=f"{ADVISOR} (usted)")
    page.get_by_role("button", name="Asignar", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(
        f"La solicitud {seeded.ticket} quedó asignada a {ADVISOR}."
    )
    expect(page.locator(".facts")).to_contain_text(ADVISOR)

    page.goto(f"{console}/solicitudes?asesor=mias")
    expect(page.get_by_text("1 solicitudes.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(seeded.ticket))).to_contain_text(ADVISOR)
    page.goto(f"{console}/solicitudes?asesor=sin")
    expect(page.get_by_text("1 solicitudes.")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text(tumaco)

    # Handed to the admin, then to nobody: each change is audited with who did it.
    page.goto(f"{console}/solicitudes/{seeded.ticket}")
    page.get_by_label("Asignar a").select_option(label=ADMIN)
    page.get_by_role("button", name="Asignar", exact=True).click()
    expect(page.locator(".facts")).to_contain_text(ADMIN)
    page.get_by_label("Asignar a").select_option(label="Nadie")
    page.get_by_role("button", name="Asignar", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("quedó sin asesor asignado")

    async def audit(tx: Tx) -> list[tuple[str, str, str, str]]:
        found = await staff_tx(tx).actions()
        return [(a.actor, a.action, a.target, a.detail) for a in found if a.action != "login"]

    assert run_store(console_config, gazetteer, audit) == [
        (ADVISOR, "ticket_assign", seeded.ticket, ""),
        (ADVISOR, "ticket_assign", seeded.ticket, ADMIN),
        (ADVISOR, "ticket_assign", seeded.ticket, ADVISOR),
    ]


def test_a_viewer_cannot_assign_nor_assign_to_a_viewer(
    page: Page, console: str, seeded: Seeded, console_config: Config, gazetteer: Gazetteer
):
    async def viewer_id(tx: Tx) -> int:
        account = await staff_tx(tx).account(VIEWER)
        assert account is not None
        return account.id

    viewer = run_store(console_config, gazetteer, viewer_id)
    sign_in(page, console, VIEWER, path="/solicitudes")
    token = page.locator("form.logout input[name=csrf]").get_attribute("value") or ""
    tried = page.request.post(
        f"{console}/solicitudes/{seeded.ticket}/asesor", form={"csrf": token, "asesor": "1"}
    )
    assert tried.status == 403
    page.get_by_role("button", name="Cerrar sesión").click()
    sign_in(page, console, ADMIN, path=f"/solicitudes/{seeded.ticket}")
    token = page.locator("form.logout input[name=csrf]").get_attribute("value") or ""
    # Only advisors and admins can be chosen; the viewer's account is not one of them.
    expect(page.get_by_label("Asignar a").locator("option")).to_have_count(3)
    wrong = page.request.post(
        f"{console}/solicitudes/{seeded.ticket}/asesor",
        form={"csrf": token, "asesor": str(viewer)},
    )
    assert wrong.status == 404

    async def assigned(tx: Tx) -> dict[int, str]:
        return await staff_tx(tx).assignees()

    assert run_store(console_config, gazetteer, assigned) == {}

    # An advisor who leaves keeps their requests until someone reassigns them: the form shows
    # them, and pressing «Asignar» without a choice changes nothing.
    async def assign_then_disable(tx: Tx) -> int:
        staff = staff_tx(tx)
        advisor = await staff.account(ADVISOR)
        ticket = await tx.ticket(seeded.ticket)
        assert advisor is not None and ticket is not None
        await staff.assign(ticket.id, advisor.id, ADMIN, datetime.now(UTC))
        await staff.disable(advisor.id, datetime.now(UTC))
        return ticket.id

    ticket_id = run_store(console_config, gazetteer, assign_then_disable)
    page.reload()
    chosen = page.get_by_label("Asignar a").locator("option:checked")
    expect(chosen).to_have_text(f"{ADVISOR} (cuenta deshabilitada)")
    page.get_by_role("button", name="Asignar", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("La solicitud ya estaba asignada así.")
    assert run_store(console_config, gazetteer, assigned) == {ticket_id: ADVISOR}
