"""`cti staff`: the accounts of MinTIC's staff on the web console (`cti web`).

    cti staff add ana@mintic.gov.co --role advisor     # asks for the password twice
    echo "$CLAVE" | cti staff add ana@mintic.gov.co --role admin
    cti staff reset ana@mintic.gov.co                  # a new password; open sessions end
    cti staff disable ana@mintic.gov.co                # cannot sign in; sessions end
    cti staff list

The address must be at one of `routing.staff_domains`: a reply written on the console leaves as
a staff reply from that address, and only those domains are relayed. Every change is recorded
in the audit trail as `cli:<user>`. Errors are one Spanish line and exit status 2.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import click

from bot.commands.common import config_from, fail, gazetteer_from, run_in_transaction
from bot.commands.staff_db import staff_database_url
from bot.config import Config
from bot.tickets.text import is_staff
from bot.web.accounts import ROLES, Role, StaffTx, staff_tx
from bot.web.passwords import WeakPassword, hash_password
from bot.web.texts import web_texts

T = TypeVar("T")


def _actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"cli:{user}"


def _password(texts: Callable[..., str]) -> str:
    """From a hidden prompt (twice) on a terminal; otherwise the first line of stdin."""
    if sys.stdin.isatty():
        value: str = click.prompt(
            texts("cli.password_prompt"), hide_input=True, confirmation_prompt=True
        )
        return value
    return sys.stdin.readline().rstrip("\r\n")


def _run(config: Config, db: str | None, work: Callable[[StaffTx], Awaitable[T]]) -> T:
    url = staff_database_url(config, db)
    return run_in_transaction(
        url, gazetteer_from(config), lambda tx: work(staff_tx(tx)), failure="{exc}"
    )


_DB = click.option("--db", help="URL de base de datos (por defecto la de config.yml).")


@click.group(help="Cuentas del personal de MinTIC en la consola web (cti web).")
def staff() -> None:
    pass


@staff.command(help="Crear una cuenta; pide la contraseña (o la lee de la entrada estándar).")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="Permisos de la cuenta.")
@_DB
@click.pass_context
def add(ctx: click.Context, email: str, role: Role, db: str | None) -> None:
    config = config_from(ctx)
    texts = web_texts(config).render
    address = email.strip().lower()
    domains = config.routing.staff_domains
    if "@" not in address or not is_staff(address, domains):
        fail(texts("cli.not_staff_domain", email=address, domains=", ".join(domains)))
    try:
        hashed = hash_password(_password(texts))
    except WeakPassword as exc:
        fail(str(exc))
    now = datetime.now(UTC)

    async def work(s: StaffTx) -> bool:
        try:
            await s.add_account(address, role, hashed, now)
        except ValueError:
            return False
        await s.record(_actor(), "account_added", now, address, role)
        return True

    if not _run(config, db, work):
        fail(texts("cli.exists", email=address))
    click.echo(texts("cli.added", email=address, role=role))


@staff.command(help="Poner una contraseña nueva; cierra las sesiones abiertas de la cuenta.")
@click.argument("email")
@_DB
@click.pass_context
def reset(ctx: click.Context, email: str, db: str | None) -> None:
    config = config_from(ctx)
    texts = web_texts(config).render
    try:
        hashed = hash_password(_password(texts))
    except WeakPassword as exc:
        fail(str(exc))
    now = datetime.now(UTC)

    async def work(s: StaffTx) -> bool:
        account = await s.account(email)
        if account is None:
            return False
        await s.set_password(account.id, hashed, now)
        await s.record(_actor(), "password_reset", now, account.email)
        return True

    if not _run(config, db, work):
        fail(texts("cli.unknown", email=email.strip().lower()))
    click.echo(texts("cli.reset", email=email.strip().lower()))


@staff.command(help="Deshabilitar una cuenta (no podrá entrar); cierra sus sesiones.")
@click.argument("email")
@_DB
@click.pass_context
def disable(ctx: click.Context, email: str, db: str | None) -> None:
    config = config_from(ctx)
    texts = web_texts(config).render
    now = datetime.now(UTC)

    async def work(s: StaffTx) -> bool:
        account = await s.account(email)
        if account is None:
            return False
        await s.disable(account.id, now)
        await s.record(_actor(), "account_disabled", now, account.email)
        return True

    if not _run(config, db, work):
        fail(texts("cli.unknown", email=email.strip().lower()))
    click.echo(texts("cli.disabled", email=email.strip().lower()))


@staff.command(name="list", help="Listar las cuentas.")
@_DB
@click.pass_context
def list_accounts(ctx: click.Context, db: str | None) -> None:
    config = config_from(ctx)
    texts = web_texts(config).render

    async def work(s: StaffTx) -> list[str]:
        return [
            texts(
                "cli.line",
                email=a.email,
                role=a.role,
                active=a.active,
                created=a.created_at.date().isoformat(),
            )
            for a in await s.all_accounts()
        ]

    lines = _run(config, db, work)
    click.echo("\n".join(lines) if lines else texts("cli.none"))
