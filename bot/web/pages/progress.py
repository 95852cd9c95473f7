"""National progress, a department's entities, and the view as CSV, filtered by kind of entity
and category (`national.View`)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from bot.analytics.cycle import current_cycle
from bot.analytics.dataset import Dataset, build_dataset
from bot.analytics.writers import write_xlsx
from bot.storage.api import EntityAttributes
from bot.storage.models import CATEGORIES
from bot.web import national
from bot.web.accounts import staff_tx
from bot.web.context import Web
from bot.web.security import page


def view_of(request: Request) -> national.View:
    return national.View.read(request.query_params)


async def _statuses(
    web: Web, view: national.View
) -> tuple[int, list[national.EntityStatus], dict[str, EntityAttributes]]:
    config = web.console.config
    cycle = current_cycle(config.assessment, web.clock())
    async with web.console.store.transaction() as tx:
        entities = await tx.entities()
        assessments = await tx.cycle_assessments(cycle)
        attributes = await tx.entity_attributes()
    return cycle, national.statuses(entities, assessments, view, attributes), attributes


@page()
async def overview(web: Web, request: Request) -> Response:
    view = view_of(request)
    cycle, rows, attributes = await _statuses(web, view)
    departments = national.by_department(rows)
    deadline = web.console.config.assessment.deadline_for(cycle)
    return web.page(
        request,
        "progress.html.j2",
        cycle=cycle,
        deadline=deadline,
        view=view,
        categories=CATEGORIES,
        categorized=sum(1 for a in attributes.values() if a.category),
        departments=departments,
        total=national.total(departments),
    )


@page()
async def export_csv(web: Web, request: Request) -> Response:
    view = view_of(request)
    cycle, rows, _ = await _statuses(web, view)
    staff = request.state.staff
    async with web.console.store.transaction() as tx:
        await staff_tx(tx).record(staff.email, "export_progress", web.clock(), view.slug)
    body = "\ufeff" + national.as_csv(national.by_department(rows))
    name = f"avance_{cycle}_{view.slug}.csv"
    return Response(
        body.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@page()
async def department(web: Web, request: Request) -> Response:
    code = request.path_params["code"]
    names = dict(web.console.static.gazetteer.departments())
    if code not in names:
        return web.error(request, 404, "not_found")
    view = view_of(request)
    cycle, rows, attributes = await _statuses(web, view)
    mine = [r for r in rows if r.entity.department_code == code]
    order = {"submitted": 0, "in_progress": 1, "": 2}
    mine.sort(key=lambda r: (order[r.status], r.entity.kind != "gobernacion", r.entity.name))
    counted = national.by_department(mine)
    empty = national.DepartmentRow(code, names[code], national.Count(), (0, 0))
    return web.page(
        request,
        "department.html.j2",
        cycle=cycle,
        view=view,
        categories=CATEGORIES,
        department=counted[0] if counted else empty,
        rows=mine,
        attributes=attributes,
    )


def _xlsx(dataset: Dataset) -> bytes:
    """`cti export`'s workbook, built in a temporary folder (openpyxl writes to a path)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "avance.xlsx"
        write_xlsx(dataset, path)
        return path.read_bytes()


@page()
async def export_xlsx(web: Web, request: Request) -> Response:
    """The cycle's diagnoses with scores and answers, exactly as `cti export --out x.xlsx`
    (no personal data: who answered is a contact number)."""
    config, static = web.console.config, web.console.static
    now = web.clock()
    cycle = current_cycle(config.assessment, now)
    staff = request.state.staff
    async with web.console.store.transaction() as tx:
        items = await tx.cycle_assessments(cycle)
        answers = await tx.cycle_answers(cycle)
        await staff_tx(tx).record(staff.email, "export_dataset", now, str(cycle))
    zone = ZoneInfo(config.assessment.timezone)
    # Scoring every diagnosis is CPU work: off the event loop, after the transaction.
    dataset = await asyncio.to_thread(
        build_dataset,
        static.questionnaire,
        cycle,
        items,
        answers,
        now,
        zone,
        others=static.questionnaires,
    )
    body = await asyncio.to_thread(_xlsx, dataset)
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="diagnosticos_{cycle}.xlsx"'},
    )
