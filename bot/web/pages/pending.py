"""Officials waiting for approval, across the country (the same list as the daily digest)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.web.context import Web
from bot.web.security import page


@page("advisor")
async def pending(web: Web, request: Request) -> Response:
    async with web.console.store.transaction() as tx:
        waiting = await tx.pending_contacts()
    gazetteer = web.console.static.gazetteer
    return web.page(request, "pending.html.j2", waiting=waiting, entity=gazetteer.get)
