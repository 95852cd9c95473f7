"""The loaded questionnaire: its version and structure, as `cti questionnaire show` lists it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.web.context import Web
from bot.web.security import page


@page()
async def questionnaire(web: Web, request: Request) -> Response:
    q = web.console.static.questionnaire
    return web.page(request, "questionnaire.html.j2", q=q)
