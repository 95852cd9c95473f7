"""The audit trail: every staff action, newest first (admins only)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.web.accounts import staff_tx
from bot.web.context import Web
from bot.web.security import page

PER_PAGE = 100


@page("admin")
async def audit(web: Web, request: Request) -> Response:
    raw = request.query_params.get("pagina", "1")
    number = int(raw) if raw.isdigit() and 0 < len(raw) < 6 else 1
    async with web.console.store.transaction() as tx:
        s = staff_tx(tx)
        actions = await s.actions(PER_PAGE, (max(number, 1) - 1) * PER_PAGE)
        count = await s.action_count()
        accounts = await s.all_accounts()
    return web.page(
        request,
        "audit.html.j2",
        actions=actions,
        accounts=accounts,
        page_number=max(number, 1),
        more=count > max(number, 1) * PER_PAGE,
    )
