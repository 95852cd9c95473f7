"""The constancias' secret and reading context, from the configuration.

The secret comes from the environment only, like every other secret. There is no generated
fallback: one made here would differ on each instance and vanish with the disk, and every
constancia already issued would stop verifying. So `cti run` refuses to start a channel that
delivers constancias (Telegram, email) without it; the console alone runs without constancias.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.constancia.code import MIN_SECRET_CHARS, Keys
from bot.constancia.lookup import Context, Entities, Questionnaires
from bot.constancia.render import renderer

log = logging.getLogger(__name__)

MISSING = (
    "{why} necesita CTI_CONSTANCIA_SECRET (al menos {n} caracteres; por ejemplo, la salida de "
    "`python3 -c 'import secrets; print(secrets.token_hex(32))'`), igual en todas las "
    "instancias: firma los códigos de verificación de las constancias."
)


def keys(config: Config) -> Keys | None:
    """The configured keys; None if the secret is missing or too short."""
    secret = (config.secrets.constancia_secret or "").strip()
    if len(secret) < MIN_SECRET_CHARS:
        return None
    return Keys.from_secrets(secret, config.secrets.constancia_secret_previous)


def missing_secret(config: Config) -> str | None:
    """Why `cti run` cannot start as configured, or None. A secret that is set must be long
    enough whatever the channels; without one, only the console may run."""
    secret = (config.secrets.constancia_secret or "").strip()
    channels = config.channels
    if secret and len(secret) < MIN_SECRET_CHARS:
        return MISSING.format(why="la constancia", n=MIN_SECRET_CHARS)
    if not secret and (channels.telegram.enabled or channels.email.enabled):
        return MISSING.format(why="Telegram o el correo", n=MIN_SECRET_CHARS)
    return None


def context(config: Config, questionnaires: Questionnaires, entities: Entities) -> Context | None:
    """None (no constancias, with a warning) without a usable secret."""
    found = keys(config)
    if found is None:
        log.warning(
            "CTI_CONSTANCIA_SECRET is missing or shorter than %d characters: submissions get "
            "no constancia",
            MIN_SECRET_CHARS,
        )
        return None
    return Context(
        found,
        questionnaires,
        entities,
        renderer(config.path(config.data.templates)),
        ZoneInfo(config.assessment.timezone),
    )
