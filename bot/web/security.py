"""Sign-in, server-side sessions, CSRF and roles.

- The session cookie carries 32 random bytes; the database keeps only their SHA-256
  (`bot.web.accounts`). Secure, HttpOnly, SameSite=Lax. Idle for `IDLE` or open for `LIFETIME`:
  the session is over.
- CSRF: a signed-in form carries HMAC(session token, "csrf"), so it is tied to the session and
  never stored; the login form is a double submit (a random cookie, SameSite=Strict, echoed
  in the form). A POST without the right token gets 403 and a page saying so.
- Failed sign-ins are counted per account and per client address (`rate_events`, keys are
  digests); past the limit the form refuses for `WINDOW` even a right password.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.storage.api import Tx
from bot.storage.membership import rate_key
from bot.web.accounts import Role, StaffSession, allows, staff_tx
from bot.web.context import Web

SESSION_COOKIE = "cti_sesion"
LOGIN_COOKIE = "cti_ingreso"
IDLE = timedelta(minutes=60)
LIFETIME = timedelta(hours=12)
WINDOW = timedelta(minutes=15)
MAX_FAILS_ACCOUNT = 5
MAX_FAILS_ADDRESS = 20
MAX_FORM_BYTES = 64 * 1024

Handler = Callable[[Web, Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Staff:
    """The signed-in staff member of a request."""

    session: StaffSession
    token: str

    @property
    def email(self) -> str:
        return self.session.account.email

    @property
    def role(self) -> Role:
        return self.session.account.role

    def may(self, needed: Role) -> bool:
        return allows(self.role, needed)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_for(token: str) -> str:
    return hmac.new(token.encode(), b"csrf", hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.encode(), b.encode())


def set_cookie(response: Response, name: str, value: str, max_age: int, samesite: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=True,
        httponly=True,
        samesite=samesite,  # type: ignore[arg-type]
    )


def client_address(request: Request) -> str:
    """The client's address; behind a reverse proxy, uvicorn puts X-Forwarded-For's here
    when the proxy is in `--forwarded-allow-ips`."""
    return request.client.host if request.client else "?"


async def failures(tx: Tx, email: str, address: str, now: datetime) -> tuple[int, int]:
    since = now - WINDOW
    return (
        await tx.rate_count("staff_login:account", rate_key(email), since),
        await tx.rate_count("staff_login:address", rate_key(address), since),
    )


def limited(counts: tuple[int, int]) -> bool:
    return counts[0] >= MAX_FAILS_ACCOUNT or counts[1] >= MAX_FAILS_ADDRESS


async def note_failure(tx: Tx, email: str, address: str, now: datetime) -> None:
    await tx.note_rate("staff_login:account", rate_key(email), now)
    await tx.note_rate("staff_login:address", rate_key(address), now)


def next_expiry(session: StaffSession, now: datetime) -> datetime:
    return min(session.created_at + LIFETIME, now + IDLE)


async def form_of(request: Request) -> dict[str, str]:
    """The posted fields (the first of each name), of a bounded size."""
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > MAX_FORM_BYTES:
        return {}
    form = await request.form(max_files=0, max_fields=50)
    return {k: v for k, v in form.items() if isinstance(v, str)}


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return RedirectResponse(f"/ingresar?siguiente={quote(target, safe='')}", status_code=303)


def page(needed: Role = "viewer") -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """A handler for signed-in staff of at least `needed`: anonymous requests go to the login
    page, a POST must carry the session's CSRF token, a lower role gets 403."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            web: Web = request.app.state.web
            token = request.cookies.get(SESSION_COOKIE, "")
            now = web.clock()
            session = None
            if token:
                async with web.console.store.transaction() as tx:
                    staff = staff_tx(tx)
                    session = await staff.session(token, now)
                    if session is not None:
                        expires = next_expiry(session, now)
                        if expires - session.expires_at > timedelta(minutes=1):
                            await staff.extend_session(session.id, expires)
            if session is None:
                response: Response = login_redirect(request)
                if token:
                    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True)
                return response
            request.state.staff = Staff(session, token)
            request.state.csrf = csrf_for(token)
            if request.method == "POST":
                request.state.form = await form_of(request)
                if not same(request.state.form.get("csrf", ""), request.state.csrf):
                    return web.error(request, 403, "csrf.refused")
            if not request.state.staff.may(needed):
                return web.error(request, 403, "forbidden")
            return await handler(web, request)

        return endpoint

    return wrap
