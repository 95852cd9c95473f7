"""The `cti` command. Only this entry point exits the process; errors are one Spanish line."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from bot.config import Config, ConfigError, load_config

OWNER_ONLY = 0o077  # the umask of every `cti` command


def fail(message: str) -> NoReturn:
    """Print one clear line on stderr and exit with status 2 (no traceback)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@click.group(help="Asistente CTI: autodiagnóstico del Modelo de Madurez de MinTIC.")
def main() -> None:
    # What this process creates is its owner's alone (Ley 1581): the SQLite database and its
    # journal, reports, exports, the NLU cache, Rasa's log. 0077 also leaves folders 0700.
    os.umask(OWNER_ONLY)
    # CTI_LOG_LEVEL=INFO shows each message handled. No personal data or secret at any level:
    # every line is redacted (bot.logging_setup), with the secrets the environment holds.
    from bot.config import ENV_KEYS
    from bot.logging_setup import configure

    secrets = [v for k, v in os.environ.items() if ENV_KEYS.get(k, "").startswith("secrets.")]
    configure(os.environ.get("CTI_LOG_LEVEL", "WARNING"), secrets)


@main.command(help="Conversar con el asistente en la terminal.")
@click.option(
    "--db",
    "db_url",
    help="URL de base de datos o archivo SQLite (por defecto la de config.yml).",
)
@click.option(
    "--as", "address", default="local", show_default=True, help="Identificador de la conversación."
)
@click.option(
    "--files", "files_dir", type=click.Path(path_type=Path), help="Carpeta para los informes."
)
def chat(db_url: str | None, address: str, files_dir: Path | None) -> None:

    try:
        config = load_config()
    except ConfigError as exc:
        fail(str(exc))
    if db_url:
        config = config.model_copy(
            update={"database": config.database.model_copy(update={"url": db_url})}
        )
    out_dir = files_dir or config.path(Path("var/informes")) / address
    asyncio.run(_chat(config, address, out_dir))


async def _chat(config: Config, address: str, files_dir: Path) -> None:
    from bot.app import build_app, console_mail, console_texts
    from bot.commands.db import UNUSABLE
    from bot.storage.api import StorageError
    from dialogues.messages import CatalogError
    from dialogues.questionnaire import QuestionnaireError
    from nlu.rasa_data import NluDataError

    try:
        texts = console_texts(config)
        app = await build_app(config)
    except (QuestionnaireError, CatalogError, NluDataError) as exc:
        fail(str(exc))
    except StorageError as exc:
        fail(UNUSABLE.format(error=exc))
    from channels.console import Console

    console = Console(app.engine, address, files_dir, texts.render, mail=console_mail(app))
    try:
        if sys.stdin.isatty():
            await console.run_interactive()
        else:
            await console.run_script(sys.stdin)
    finally:
        await app.close()


@main.command(
    help="Atender en todos los canales habilitados en config.yml (Telegram, consola) hasta "
    "Ctrl+C o SIGTERM."
)
def run() -> None:
    from bot.app import serve
    from bot.commands.db import UNUSABLE
    from bot.runner import StartupError
    from bot.storage.api import StorageError
    from dialogues.messages import CatalogError
    from dialogues.questionnaire import QuestionnaireError
    from nlu.rasa_data import NluDataError

    # Our own news (connected, webhook set, a chat that blocked us) at INFO; libraries stay at
    # WARNING: HTTP clients log request URLs at INFO, and Bot API URLs contain the token.
    for name in ("bot", "channels"):
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        asyncio.run(serve(load_config()))
    except (ConfigError, StartupError, QuestionnaireError, CatalogError, NluDataError) as exc:
        fail(str(exc))
    except StorageError as exc:
        fail(UNUSABLE.format(error=exc))


def _register_commands() -> None:
    """Sub-commands live in bot/commands/, one module per concern."""
    from bot.commands.constancia import constancia
    from bot.commands.db import db
    from bot.commands.entities import entities
    from bot.commands.export import export
    from bot.commands.nlu import nlu
    from bot.commands.officials import officials
    from bot.commands.progress import progress
    from bot.commands.questionnaire import questionnaire
    from bot.commands.report import report
    from bot.commands.staff import staff
    from bot.commands.tickets import tickets
    from bot.commands.web import web

    for command in (
        constancia,
        db,
        entities,
        export,
        nlu,
        officials,
        progress,
        questionnaire,
        report,
        tickets,
        staff,
        web,
    ):
        main.add_command(command)


_register_commands()
