"""The console's ASGI application: routes, security headers, error pages, the store's life."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.app import ConsoleApp, build_console
from bot.config import Config
from bot.web.context import Web
from bot.web.pages import audit, entities, login, pending, progress, questionnaire, tickets
from bot.web.texts import TEMPLATES

CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"


async def _home(request: Request) -> Response:
    return RedirectResponse("/avance", status_code=303)


async def _headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.url.path != "/estilo":
        response.headers["Cache-Control"] = "no-store"  # pages show personal data
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    web: Web = request.app.state.web
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return web.error(request, status, "not_found" if status == 404 else "forbidden")


def routes() -> list[Route | Mount]:
    return [
        Route("/", _home),
        Route("/ingresar", login.login, methods=["GET", "POST"]),
        Route("/salir", login.logout, methods=["POST"]),
        Route("/avance", progress.overview),
        Route("/avance.csv", progress.export_csv),
        Route("/diagnosticos.xlsx", progress.export_xlsx),
        Route("/departamento/{code:str}", progress.department),
        Route("/entidad/{code:str}", entities.entity_page),
        Route("/entidad/{code:str}/informe", entities.report),
        Route(
            "/entidad/{code:str}/funcionarios/{contact_id:int}",
            entities.membership,
            methods=["POST"],
        ),
        Route("/solicitudes", tickets.queue),
        Route("/solicitudes/{number:str}", tickets.thread),
        Route("/solicitudes/{number:str}/responder", tickets.reply, methods=["POST"]),
        Route("/solicitudes/{number:str}/estado", tickets.change_status, methods=["POST"]),
        Route("/solicitudes/{number:str}/asesor", tickets.assign, methods=["POST"]),
        Route("/funcionarios/pendientes", pending.pending),
        Route("/cuestionario", questionnaire.questionnaire),
        Route("/auditoria", audit.audit),
    ]


def create_app(
    config: Config, *, open_console: Callable[[Config], Awaitable[ConsoleApp]] = build_console
) -> Starlette:
    """The console on the configured database; the store opens when the server starts."""
    static_dir: Path = config.path(config.data.templates) / TEMPLATES / "static"

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        console = await open_console(config)
        app.state.web = Web.build(console)
        try:
            yield
        finally:
            await console.close()

    all_routes = [*routes(), Mount("/estatico", StaticFiles(directory=static_dir), name="static")]
    return Starlette(
        routes=all_routes,
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=_headers)],
        exception_handlers={HTTPException: _http_error},
        lifespan=lifespan,
    )
