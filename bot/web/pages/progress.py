"""National progress, a department's entities, and the view as CSV."""

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
from bot.territory import EntityKind
from bot.web import national
from bot.web.accounts import staff_tx
from bot.web.context import Web
from bot.web.security import page

KINDS: tuple[EntityKind, ...] = ("alcaldia", "gobernacion")


def kind_of(request: Request) -> EntityKind | None:
    value = request.query_params.get("tipo", "")
    return value if value in KINDS else None


async def _statuses(web: Web, request: Request) -> tuple[int, list[national.EntityStatus]]:
    config = web.console.config
    cycle = current_cycle(config.assessment, web.clock())
    async with web.console.store.transaction() as tx:
        entities = await tx.entities()
        assessments = await tx.cycle_assessments(cycle)
    return cycle, national.statuses(entities, assessments, kind_of(request))


@page()
async def overview(web: Web, request: Request) -> Response:
    cycle, rows = await _statuses(web, request)
    departments = national.by_department(rows)
    deadline = web.console.config.assessment.deadline_for(cycle)
    return web.page(
        request,
        "progress.html.j2",
        cycle=cycle,
        deadline=deadline,
        kind=kind_of(request) or "",
        departments=departments,
        total=national.total(departments),
    )


@page()
async def export_csv(web: Web, request: Request) -> Response:
    cycle, rows = await _statuses(web, request)
    kind = kind_of(request)
    staff = request.state.staff
    async with web.console.store.transaction() as tx:
        await staff_tx(tx).record(staff.email, "export_progress", web.clock(), kind or "todas")
    body = "\ufeff" + national.as_csv(national.by_department(rows))
    name = f"avance_{cycle}_{kind or 'todas'}.csv"
    return Response(
        body.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@page()
async def department(web: Web, request: Request) -> Response:
    code = request.path_params["code"]
    cycle, rows = await _statuses(web, request)
    mine = [r for r in rows if r.entity.department_code == code]
    if not mine:
        return web.error(request, 404, "not_found")
    order = {"submitted": 0, "in_progress": 1, "": 2}
    mine.sort(key=lambda r: (order[r.status], r.entity.kind != "gobernacion", r.entity.name))
    count = national.by_department(mine)[0]
    return web.page(
        request,
        "department.html.j2",
        cycle=cycle,
        kind=kind_of(request) or "",
        department=count,
        rows=mine,
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
