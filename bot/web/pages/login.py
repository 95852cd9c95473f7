"""Signing in and out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.web.accounts import staff_tx
from bot.web.context import Web
from bot.web.passwords import verify_password
from bot.web.security import (
    IDLE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    WINDOW,
    client_address,
    failures,
    form_of,
    limited,
    new_token,
    note_failure,
    page,
    same,
    set_cookie,
)


def _next(value: str) -> str:
    """Only a path of this site: never an absolute or protocol-relative URL."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/avance"


def _form(
    web: Web, request: Request, status: int = 200, error: str = "", email: str = ""
) -> Response:
    token = request.cookies.get(LOGIN_COOKIE) or new_token()
    request.state.csrf = token
    response = web.page(
        request,
        "login.html.j2",
        status,
        error=error,
        email=email,
        next=_next(request.query_params.get("siguiente", "")),
    )
    set_cookie(response, LOGIN_COOKIE, token, int(IDLE.total_seconds()), "strict")
    return response


async def login(request: Request) -> Response:
    web: Web = request.app.state.web
    if request.method == "GET":
        return _form(web, request)
    form = await form_of(request)
    if not same(form.get("csrf", ""), request.cookies.get(LOGIN_COOKIE, "")):
        return web.error(request, 403, "csrf.refused")
    email = form.get("email", "").strip().lower()[:320]
    password = form.get("password", "")
    address = client_address(request)
    now = web.clock()
    async with web.console.store.transaction() as tx:
        counts = await failures(tx, email, address, now)
        account = None if limited(counts) else await staff_tx(tx).account(email)
    if limited(counts):
        minutes = int(WINDOW.total_seconds() // 60)
        message = web.texts.render("login.limited", minutes=minutes)
        return _form(web, request, 429, message, email)
    good = verify_password(account.password_hash if account else None, password)
    token = new_token()
    async with web.console.store.transaction() as tx:
        staff = staff_tx(tx)
        if not good or account is None or not account.active:
            await note_failure(tx, email, address, now)
            await staff.record(email or "?", "login_failed", now, detail=address)
        else:
            await staff.open_session(account.id, token, now, now + IDLE)
            await staff.record(account.email, "login", now, detail=address)
    if not good or account is None or not account.active:
        return _form(web, request, 401, web.texts.render("login.failed"), email)
    response = RedirectResponse(_next(form.get("siguiente", "")), status_code=303)
    set_cookie(response, SESSION_COOKIE, token, int(IDLE.total_seconds()) * 12, "lax")
    response.delete_cookie(LOGIN_COOKIE, path="/", secure=True, httponly=True)
    return response


@page()
async def logout(web: Web, request: Request) -> Response:
    staff = request.state.staff
    async with web.console.store.transaction() as tx:
        s = staff_tx(tx)
        await s.close_session(staff.token)
        await s.record(staff.email, "logout", web.clock())
    response = RedirectResponse("/ingresar", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True)
    return response
