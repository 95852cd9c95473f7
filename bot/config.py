"""Configuration: `config.yml` parsed once into frozen typed objects; the environment wins.

Only the composition root (`bot.app`) and the CLI read configuration. Secrets (tokens,
passwords) are never read from the file, only from the environment. A bad value fails fast with
the key's name in one line (`ConfigError`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = PROJECT_ROOT / "config.yml"


class ConfigError(Exception):
    """A configuration that cannot be used; `str()` names the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Section):
    url: str = "sqlite+aiosqlite:///var/cti.db"
    echo: bool = False


class DataConfig(_Section):
    # The version new assessments are opened under.
    questionnaire: Path = Path("data/questionnaire/v1.yml")
    # Other versions still loaded: an assessment opened under one of them keeps it.
    questionnaires: tuple[Path, ...] = ()
    divipola: Path = Path("data/divipola.csv")
    aliases: Path = Path("data/territory_aliases.yml")
    templates: Path = Path("data/templates")
    nlu: Path = Path("data/nlu")


class NluConfig(_Section):
    backend: Literal["rules", "embedded", "rasa"] = "embedded"
    threshold: float = Field(default=0.45, ge=0, le=1)
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout: float = Field(default=2.0, gt=0)
    rasa_retry_after: float = Field(default=30.0, ge=0)  # while down, ask it again this often
    cache_dir: Path = Path("var/nlu-cache")


class ConsoleConfig(_Section):
    enabled: bool = True


class TelegramWebhookConfig(_Section):
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    path: str = "/telegram"
    url: str | None = None  # the public URL Telegram calls (behind the reverse proxy)
    max_connections: int = Field(default=40, ge=1, le=100)  # Telegram's parallel deliveries


class TelegramConfig(_Section):
    enabled: bool = False
    mode: Literal["polling", "webhook"] = "polling"
    base_url: str | None = None  # for tests and self-hosted Bot API servers
    # Our own sending pace (Telegram asks for at most ~30/s); 0: none, its 429s still honoured.
    messages_per_second: float = Field(default=30.0, ge=0)
    # ...and at most this many to any one chat (Telegram: one a second); 0: not paced.
    chat_messages_per_second: float = Field(default=1.0, ge=0)
    webhook: TelegramWebhookConfig = TelegramWebhookConfig()


class SmtpConfig(_Section):
    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None  # the password comes from CTI_SMTP_PASSWORD
    timeout: float = Field(default=30.0, gt=0)


class ImapConfig(_Section):
    host: str = "localhost"
    port: int = Field(default=993, ge=1, le=65535)
    security: Literal["tls", "none"] = "tls"  # implicit TLS (993), or plain on a trusted network
    username: str | None = None  # the password comes from CTI_IMAP_PASSWORD
    folder: str = "INBOX"
    processed_folder: str | None = None  # move handled mail there; None: only flag it as seen
    poll_seconds: float = Field(default=60.0, gt=0)  # when the server has no IDLE
    idle_seconds: float = Field(default=300.0, gt=0)  # renew IDLE before servers drop it


class InboundSmtpConfig(_Section):
    listen: str = "127.0.0.1"
    port: int = Field(default=2525, ge=1, le=65535)


class OutboxConfig(_Section):
    batch: int = Field(default=20, ge=1)
    max_attempts: int = Field(default=15, ge=1)
    backoff_seconds: float = Field(default=30.0, gt=0)  # doubles on each failed attempt
    backoff_max_seconds: float = Field(default=3600.0, gt=0)
    lease_seconds: float = Field(default=300.0, gt=0)  # longer than any SMTP conversation
    idle_seconds: float = Field(default=5.0, gt=0)  # how often to look when nobody wakes it
    # Sent (or failed) messages keep their text this many days, then only the delivery record
    # (address, Message-ID, status, times: rate limits and never sending twice need them).
    retain_days: int = Field(default=30, ge=1)
    retain_check_seconds: float = Field(default=3600.0, gt=0)


class AuthenticationConfig(_Section):
    """Authentication-Results (RFC 8601) written by MinTIC's border mail server."""

    authserv_id: str | None = None  # the border server's authserv-id; other headers are ignored
    # dmarc: DMARC pass for the From: domain; dkim: a DKIM signature aligned with From: (or
    # DMARC); none: not checked (a warning at start: then only reply keys prove a sender).
    require: Literal["dmarc", "dkim", "none"] = "none"


class SendLimitsConfig(_Section):
    """The most mail one address receives from us; the rest waits (tickets to the mailbox
    are not counted)."""

    per_hour: int = Field(default=30, ge=1)
    per_day: int = Field(default=120, ge=1)


class EmailConfig(_Section):
    enabled: bool = False
    address: str = "asistente.cti@mintic.gov.co"  # From: and Reply-To: of everything we send
    display_name: str = "Asistente CTI - MinTIC"
    inbound: Literal["imap", "smtp", "none"] = "imap"
    max_message_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    smtp: SmtpConfig = SmtpConfig()
    imap: ImapConfig = ImapConfig()
    smtp_inbound: InboundSmtpConfig = InboundSmtpConfig()
    outbox: OutboxConfig = OutboxConfig()
    authentication: AuthenticationConfig = AuthenticationConfig()
    # Reply-To: asistente+<key>@…: needs the mail server to deliver plus-addresses to the box.
    plus_addressing: bool = False
    limits: SendLimitsConfig = SendLimitsConfig()


class ChannelsConfig(_Section):
    console: ConsoleConfig = ConsoleConfig()
    telegram: TelegramConfig = TelegramConfig()
    email: EmailConfig = EmailConfig()


class RoutingRuleConfig(_Section):
    """Tickets matching every given list go to `mailbox` (or the default one) with `cc`."""

    topics: tuple[str, ...] = ()  # estrategia, diagnostico, cofinanciacion, dimension, otro
    departments: tuple[str, ...] = ()  # DANE codes ("52") or names ("Nariño")
    mailbox: str | None = None
    cc: tuple[str, ...] = ()


class RoutingConfig(_Section):
    """Requests for technical accompaniment (tickets): where they go and who may answer."""

    mailbox: str = "ciudadesyterritoriosinteligentes@mintic.gov.co"
    cc: tuple[str, ...] = ()  # copied on every ticket
    rules: tuple[RoutingRuleConfig, ...] = ()  # the first that matches decides
    # Replies from other domains are never relayed to the contact.
    staff_domains: tuple[str, ...] = ("mintic.gov.co",)
    merge_minutes: int = Field(default=10, ge=0)  # a repeated request within this is merged
    follow_up_days: int = Field(default=3, ge=1)  # working days without a staff reply
    follow_up_check_seconds: float = Field(default=600.0, gt=0)


class AssessmentConfig(_Section):
    cycle: int | None = None  # None: the current year in Colombia
    max_failed_tries: int = Field(default=3, ge=1)
    timezone: str = "America/Bogota"
    # The date by which MinTIC asked for a cycle's diagnosis, only where it set one (cycle ->
    # date). Resolución 01117 de 2022 sets no yearly due date: its 1 April 2023 is when the
    # obligation to have adopted the model began. Without an entry nothing counts down.
    deadlines: dict[int, date] = {}

    @model_validator(mode="before")
    @classmethod
    def _no_yearly_deadline(cls, data: Any) -> Any:
        # The old MM-DD setting stated a yearly deadline the resolution does not set.
        if isinstance(data, dict) and "deadline" in data:
            raise ValueError(
                "deadline ya no existe: la Resolución 01117 de 2022 no fija un plazo anual; "
                "si MinTIC fija uno para un ciclo, use deadlines: {2026: 2026-06-30}"
            )
        return data

    def deadline_for(self, cycle: int) -> date | None:
        """The cycle's deadline, if MinTIC set one."""
        return self.deadlines.get(cycle)


class PrivacyConfig(_Section):
    """Who answers for the personal data (Ley 1581 de 2012): whoever operates this deployment."""

    # Named as the data controller in the consent text, the privacy answer and the data export.
    controller: str = Field(
        default=(
            "Ministerio de Tecnologías de la Información y las Comunicaciones (MinTIC), "
            "programa Ciudades y Territorios Inteligentes"
        ),
        min_length=1,
    )
    contact: str | None = None  # where data rights are exercised; None: routing.mailbox


class RemindersConfig(_Section):
    """Reminders to contacts whose entity's diagnosis stalled (`bot.reminders`)."""

    enabled: bool = True  # only where a channel can deliver them (Telegram, email)
    after_days: int = Field(default=5, ge=1)  # working days without activity before one
    max_count: int = Field(default=3, ge=1)  # in a row, while the person does not write back
    check_seconds: float = Field(default=300.0, gt=0)  # how often due reminders are looked for


class Secrets(_Section):
    """From the environment only."""

    telegram_token: str | None = None
    telegram_webhook_secret: str | None = None
    smtp_password: str | None = None
    imap_password: str | None = None
    mail_key_secret: str | None = None  # signs reply keys (bot.replykeys)
    mail_key_secret_previous: str | None = None  # still accepted after a rotation
    constancia_secret: str | None = None  # signs the constancias' codes (bot.constancia)
    constancia_secret_previous: str | None = None  # still verifies after a rotation


class Config(_Section):
    root: Path = PROJECT_ROOT
    database: DatabaseConfig = DatabaseConfig()
    data: DataConfig = DataConfig()
    nlu: NluConfig = NluConfig()
    channels: ChannelsConfig = ChannelsConfig()
    routing: RoutingConfig = RoutingConfig()
    assessment: AssessmentConfig = AssessmentConfig()
    reminders: RemindersConfig = RemindersConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    secrets: Secrets = Secrets()

    def path(self, relative: Path) -> Path:
        """A configured path, relative to the project root unless absolute."""
        return relative if relative.is_absolute() else self.root / relative


# Environment variable -> dotted config key. Secrets appear only here, never in the file.
ENV_KEYS: dict[str, str] = {
    "CTI_DATABASE_URL": "database.url",
    "CTI_NLU_BACKEND": "nlu.backend",
    "CTI_NLU_RASA_URL": "nlu.rasa_url",
    "CTI_NLU_THRESHOLD": "nlu.threshold",
    "CTI_TELEGRAM_ENABLED": "channels.telegram.enabled",
    "CTI_TELEGRAM_MODE": "channels.telegram.mode",
    "CTI_TELEGRAM_BASE_URL": "channels.telegram.base_url",
    "CTI_TELEGRAM_WEBHOOK_URL": "channels.telegram.webhook.url",
    "CTI_CONSOLE_ENABLED": "channels.console.enabled",
    "CTI_CYCLE": "assessment.cycle",
    "CTI_ROUTING_MAILBOX": "routing.mailbox",
    "CTI_REMINDERS_ENABLED": "reminders.enabled",
    "CTI_TELEGRAM_TOKEN": "secrets.telegram_token",
    "CTI_TELEGRAM_WEBHOOK_SECRET": "secrets.telegram_webhook_secret",
    "CTI_EMAIL_ENABLED": "channels.email.enabled",
    "CTI_SMTP_HOST": "channels.email.smtp.host",
    "CTI_SMTP_PORT": "channels.email.smtp.port",
    "CTI_IMAP_HOST": "channels.email.imap.host",
    "CTI_IMAP_PORT": "channels.email.imap.port",
    "CTI_SMTP_PASSWORD": "secrets.smtp_password",
    "CTI_IMAP_PASSWORD": "secrets.imap_password",
    "CTI_EMAIL_AUTHSERV_ID": "channels.email.authentication.authserv_id",
    "CTI_EMAIL_AUTH_REQUIRE": "channels.email.authentication.require",
    "CTI_MAIL_KEY_SECRET": "secrets.mail_key_secret",
    "CTI_MAIL_KEY_SECRET_PREVIOUS": "secrets.mail_key_secret_previous",
    "CTI_CONSTANCIA_SECRET": "secrets.constancia_secret",
    "CTI_CONSTANCIA_SECRET_PREVIOUS": "secrets.constancia_secret_previous",
}


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    node = tree
    for key in parents:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ConfigError(f"{dotted}: '{key}' debe ser una sección")
    node[leaf] = value


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the file (if any), apply `CTI_*` overrides, validate; raise `ConfigError` on trouble."""
    env = os.environ if env is None else env
    path = path or Path(env.get("CTI_CONFIG", DEFAULT_CONFIG))
    tree: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for 2026-02-30
            raise ConfigError(f"{path}: YAML no válido: {exc}") from None
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: debe contener un mapa YAML")
        if "secrets" in loaded:
            raise ConfigError(f"{path}: secrets: los secretos solo se leen del entorno (CTI_...)")
        tree = loaded
    tree.setdefault("root", str(path.resolve().parent if path.exists() else PROJECT_ROOT))
    for var, key in ENV_KEYS.items():
        if env.get(var):
            _set(tree, key, env[var])
    try:
        return Config.model_validate(tree)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: {key}: {err['msg']}") from None
