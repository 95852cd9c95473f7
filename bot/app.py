"""The composition root: the one place that turns configuration into running components."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import logging
import re
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.analytics.cycle import current_cycle
from bot.config import Config, PrivacyConfig
from bot.contract import TRAITS, ChannelName, ChannelTraits
from bot.conversation.engine import Engine
from bot.conversation.turn import Deps
from bot.replykeys import MIN_SECRET_CHARS, ReplyKeys
from bot.storage.api import Store
from bot.storage.outbox import StoreOutbox
from bot.territory import Gazetteer
from bot.tickets.desk import StaffReply, TicketDesk, TicketSettings, read_reply
from bot.tickets.routing import Rule
from channels.email.compose import new_message_id
from channels.outbox import RetryPolicy
from dialogues.messages import Catalog, SettingsCatalog
from dialogues.questionnaire import (
    Questionnaire,
    Questionnaires,
    Versioned,
    load_questionnaires,
)
from nlu.base import Interpreter
from nlu.embedded import EmbeddedInterpreter
from nlu.rasa_http import RasaHttpInterpreter
from nlu.rules import RuleInterpreter, RulesFirst

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from bot.contract import OutboxItem
    from bot.runner import Service
    from channels.console import MailReader
    from channels.email.channel import Route
    from channels.email.inbound import InboundMail
    from channels.telegram import TelegramSettings


@dataclass(frozen=True, slots=True)
class Static:
    """What is read from files once at start-up."""

    questionnaires: Questionnaires
    gazetteer: Gazetteer
    catalog: Catalog

    @property
    def questionnaire(self) -> Questionnaire:
        """The version new assessments are opened under."""
        return self.questionnaires.default

    def questionnaire_for(self, assessment: Versioned | None) -> Questionnaire:
        """The version `assessment` was opened under (see `Questionnaires.of`)."""
        return self.questionnaires.of(assessment)


@dataclass
class App:
    config: Config
    static: Static
    store: Store
    engine: Engine
    # Delivery workers to wake when a transaction has written to the outbox.
    wakers: list[Callable[[], None]] = field(default_factory=list)

    async def close(self) -> None:
        await self.store.close()
        await close_interpreter(self.engine.interpreter)


def load_catalog(templates: Path, mailbox: str, privacy: PrivacyConfig | None = None) -> Catalog:
    """Conversation texts plus the answers to questions about the programme ('knowledge.*'),
    the tickets' texts, those of mail that did not prove its sender ('trust.*') and the words
    of the questionnaire's spreadsheet ('sheet.*')."""
    catalog = SettingsCatalog.load(
        templates / "messages.yml",
        templates / "knowledge.yml",
        templates / "tickets.yml",
        templates / "trust.yml",
        templates / "spreadsheet.yml",
    )
    assert isinstance(catalog, SettingsCatalog)  # `load` builds `cls`; it is typed as the base
    privacy = privacy or PrivacyConfig()
    catalog.settings = {
        "mailbox": mailbox,
        "controller": privacy.controller,
        "privacy_contact": privacy.contact or mailbox,
    }
    return catalog


def consent_version(catalog: Catalog) -> str:
    """The consent text's version, with a digest of the text as this deployment shows it: the
    controller and the contact come from config, so the recorded version names what was
    accepted."""
    text = catalog.render("consent.notice", version="")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{catalog.render('consent.version')}-{digest}"


def console_texts(config: Config) -> Catalog:
    """The console channel's own words (`console.*`)."""
    return Catalog.load(config.path(config.data.templates) / "console.yml")


def console_mail(app: App) -> MailReader | None:
    """With the email channel off nothing delivers mail: the console shows it instead (and
    marks it sent, so a code's text is blanked as after a real delivery). None when mail is on:
    the outbox worker delivers it."""
    if app.config.channels.email.enabled:
        return None
    queue = _queue(app, "email")

    async def read() -> list[OutboxItem]:
        now = datetime.now(UTC)
        items = await queue.claim(now, 50)
        for item in items:
            assert item.id is not None
            await queue.sent(item.id, now)
        return items

    return read


def warn_codes_cannot_leave(config: Config) -> None:
    """Telegram without email: codes that verify an address are queued but never delivered."""
    if config.channels.telegram.enabled and not config.channels.email.enabled:
        log.warning(
            "telegram is enabled and email is not: registration codes cannot be mailed, so "
            "nobody can register on Telegram until channels.email is enabled"
        )


def reply_keys(config: Config) -> ReplyKeys:
    """The reply keys of `CTI_MAIL_KEY_SECRET`. Without it (allowed only while the email
    channel is off, see `email_services`), a random key for this process: no mail leaves."""
    secret = (config.secrets.mail_key_secret or "").strip()
    if not secret:
        return ReplyKeys.ephemeral()
    return ReplyKeys.from_secrets(secret, config.secrets.mail_key_secret_previous)


def load_static(config: Config) -> Static:
    """Questionnaire, DIVIPOLA and texts; raises QuestionnaireError / CatalogError with one line."""
    return Static(
        questionnaires=load_questionnaires(
            config.path(config.data.questionnaire),
            [config.path(p) for p in config.data.questionnaires],
        ),
        gazetteer=Gazetteer.load(
            config.path(config.data.divipola), config.path(config.data.aliases)
        ),
        catalog=load_catalog(
            config.path(config.data.templates), config.routing.mailbox, config.privacy
        ),
    )


def embedded_interpreter(config: Config, *, train: bool = True) -> EmbeddedInterpreter:
    """The classifier trained from `data.nlu`, loaded from its cache when the data is unchanged."""
    interpreter = EmbeddedInterpreter(
        config.path(config.data.nlu),
        divipola=config.path(config.data.divipola),
        cache_dir=config.path(config.nlu.cache_dir),
        threshold=config.nlu.threshold,
    )
    if train:
        interpreter.train()
    return interpreter


def build_interpreter(config: Config) -> Interpreter:
    """The configured NLU backend (`nlu.backend`), behind the rules for commands and keywords.

    `rasa` still trains the embedded interpreter: it answers while the server is down, and its
    entity extractor gives DANE codes, emails and options exactly as with the default backend.
    Training (a few seconds, or a cache load) blocks: call it from a worker thread.
    """
    nlu = config.nlu
    if nlu.backend == "rules":
        return RuleInterpreter()
    embedded = embedded_interpreter(config)
    if nlu.backend == "embedded":
        return RulesFirst(embedded)
    rasa = RasaHttpInterpreter(
        nlu.rasa_url,
        fallback=embedded,
        timeout=nlu.rasa_timeout,
        threshold=nlu.threshold,
        retry_after=nlu.rasa_retry_after,
        entities=embedded.extractor.extract,
    )
    return RulesFirst(rasa)


async def close_interpreter(interpreter: Interpreter) -> None:
    """Release an interpreter's connections (the Rasa backend holds an HTTP client)."""
    inner = interpreter.inner if isinstance(interpreter, RulesFirst) else interpreter
    if isinstance(inner, RasaHttpInterpreter):
        await inner.aclose()


def build_deps(config: Config, static: Static) -> Deps:
    from bot.constancia.setup import context

    address = config.channels.email.address
    q = static.questionnaire
    return Deps(
        desk=ticket_desk(config, static),
        questionnaires=static.questionnaires,
        gazetteer=static.gazetteer,
        catalog=static.catalog,
        consent_version=consent_version(static.catalog),
        max_failed_tries=config.assessment.max_failed_tries,
        cycle_of=functools.partial(current_cycle, config.assessment),
        templates_dir=config.path(config.data.templates),
        mailbox=config.routing.mailbox,
        mail_enabled=config.channels.email.enabled,
        new_email_id=lambda: new_message_id(address),
        constancia=context(
            config,
            lambda qid, version: q if (qid, version) == (q.id, q.version) else None,
            static.gazetteer.get,
        ),
    )


def ticket_desk(config: Config, static: Static, keys: ReplyKeys | None = None) -> TicketDesk:
    """Tickets as `routing` in config.yml says (rules, staff domains, merging, follow-up)."""
    routing = config.routing
    settings = TicketSettings(
        mailbox=routing.mailbox,
        cc=routing.cc,
        rules=tuple(Rule(r.topics, r.departments, r.mailbox, r.cc) for r in routing.rules),
        staff_domains=routing.staff_domains,
        merge_minutes=routing.merge_minutes,
        follow_up_days=routing.follow_up_days,
        timezone=config.assessment.timezone,
    )
    address = config.channels.email.address
    return TicketDesk(
        settings,
        static.catalog,
        static.questionnaires,
        static.gazetteer,
        config.path(config.data.templates),
        address,
        new_notice_id=lambda: new_message_id(address),
        keys=keys or reply_keys(config),
    )


_DEFERRED: tuple[ChannelName, ...] = ("email",)


def channel_traits(
    *, deferred: Collection[ChannelName] = _DEFERRED
) -> dict[ChannelName, ChannelTraits]:
    """Each channel's traits; `deferred` channels' replies leave through the outbox, delivered
    by their worker (nobody waits on a connection for an email's replies)."""
    return {
        name: dataclasses.replace(traits, deferred=name in deferred)
        for name, traits in TRAITS.items()
    }


async def build_app(config: Config, *, interpreter: Interpreter | None = None) -> App:
    from bot.storage.engine import database_url
    from bot.storage.sql import open_store

    static = load_static(config)
    if interpreter is None:  # before the store: bad training data must not leave it open
        interpreter = await asyncio.to_thread(build_interpreter, config)
    store = await open_store(database_url(config), static.gazetteer)
    wakers: list[Callable[[], None]] = []
    address = config.channels.email.address

    def wake_all() -> None:
        for wake in wakers:
            wake()

    engine = Engine(
        store,
        build_deps(config, static),
        interpreter,
        traits=channel_traits(),
        new_notice_id=lambda: new_message_id(address),
        on_outbox=wake_all,
    )
    return App(config, static, store, engine, wakers)


@dataclass
class ConsoleApp:
    """What `cti web` runs on: the same store, texts and ticket desk as `cti run`."""

    config: Config
    static: Static
    store: Store
    desk: TicketDesk

    async def close(self) -> None:
        await self.store.close()


async def build_console(config: Config) -> ConsoleApp:
    """The staff console's components (no NLU: the console never reads officials' messages)."""
    from bot.storage.engine import database_url
    from bot.storage.sql import open_store

    static = load_static(config)
    store = await open_store(database_url(config), static.gazetteer)
    return ConsoleApp(config, static, store, ticket_desk(config, static))


# --- `cti run`: the services -----------------------------------------------------------------

_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


def telegram_settings(config: Config) -> TelegramSettings | None:
    """None if the channel is off; StartupError if it is on but cannot work as configured."""
    from bot.runner import StartupError
    from channels.telegram import TelegramSettings, WebhookSettings

    telegram = config.channels.telegram
    if not telegram.enabled:
        return None
    token = (config.secrets.telegram_token or "").strip()
    if not token:
        raise StartupError(
            "Telegram está habilitado pero falta el token: defina la variable de entorno "
            "CTI_TELEGRAM_TOKEN con el que entrega @BotFather."
        )
    webhook = None
    if telegram.mode == "webhook":
        secret = (config.secrets.telegram_webhook_secret or "").strip()
        if not _WEBHOOK_SECRET.fullmatch(secret):
            raise StartupError(
                "el modo webhook necesita CTI_TELEGRAM_WEBHOOK_SECRET: de 1 a 256 caracteres "
                "entre letras, números, _ y -."
            )
        hook = telegram.webhook
        if not hook.url:
            raise StartupError(
                "el modo webhook necesita la URL pública: channels.telegram.webhook.url en "
                "config.yml o CTI_TELEGRAM_WEBHOOK_URL."
            )
        webhook = WebhookSettings(
            hook.url, secret, hook.listen, hook.port, hook.path, hook.max_connections
        )
    return TelegramSettings(
        token=token,
        mode=telegram.mode,
        base_url=telegram.base_url,
        messages_per_second=telegram.messages_per_second,
        webhook=webhook,
    )


def build_services(app: App, *, stdin: TextIO = sys.stdin) -> dict[str, Service]:
    """Every enabled channel as a service of `cti run` (add background workers here too)."""
    from bot.runner import LineService

    config = app.config
    services: dict[str, Service] = {}
    if config.channels.console.enabled:
        from channels.console import Console

        console = Console(
            app.engine,
            "local",
            config.path(Path("var/informes")) / "local",
            console_texts(config).render,
            mail=console_mail(app),
        )
        first = "hola" if stdin.isatty() else None
        services["console"] = LineService(console.send, stdin, first=first)
    telegram = telegram_settings(config)
    if telegram is not None:
        from channels.telegram import TelegramChannel, TelegramService
        from channels.telegram.notices import NoticeDelivery

        texts = Catalog.load(config.path(config.data.templates) / "telegram.yml")
        channel = TelegramChannel(
            app.engine,
            texts.render,
            id_key=telegram.token.encode(),
            chat_messages_per_second=config.channels.telegram.chat_messages_per_second,
        )
        channel.commands()  # every command has its description, or CatalogError now
        notices = NoticeDelivery(
            _queue(app, "telegram"), channel, _retry_policy(config), idle_seconds=_idle(config)
        )
        app.wakers.append(notices.wake)
        services["telegram"] = TelegramService(channel, telegram, notices)
    services.update(email_services(app))
    # Reminders go only where a delivery worker runs: Telegram's, and the email outbox's.
    workers = {"telegram": "telegram", "email-outbox": "email"}
    channels = frozenset(channel for name, channel in workers.items() if name in services)
    services.update(reminder_services(app, channels))
    services.update(ticket_services(app, frozenset(services)))
    services.update(retention_services(app, channels))
    services.update(digest_services(app, frozenset(services)))
    return services


def digest_services(app: App, running: frozenset[str]) -> dict[str, Service]:
    """The daily digest of pending officials, once the email outbox worker runs to send it."""
    from zoneinfo import ZoneInfo

    from bot.staff.decisions import Herald
    from bot.staff.digest import PendingDigest

    config = app.config
    if "email-outbox" not in running:
        return {}

    def wake_all() -> None:
        for wake in app.wakers:
            wake()

    digest = PendingDigest(
        app.store,
        Herald.build(config, app.static.gazetteer),
        config.routing.mailbox,
        config.channels.email.address.rpartition("@")[2],
        ZoneInfo(config.assessment.timezone),
        wake=wake_all,
    )
    return {"officials-digest": digest}


def retention_services(app: App, channels: frozenset[str]) -> dict[str, Service]:
    """The outbox's retention, where a delivery worker sends (and so marks messages sent)."""
    from bot.retention import OutboxRetention

    if not channels:
        return {}
    outbox = app.config.channels.email.outbox
    retention = OutboxRetention(
        app.store,
        timedelta(days=outbox.retain_days),
        check_seconds=outbox.retain_check_seconds,
        clock=app.engine.clock,
    )
    return {"outbox-retention": retention}


def ticket_services(app: App, running: frozenset[str]) -> dict[str, Service]:
    """The follow-up of unanswered tickets, once the email outbox worker runs to send it."""
    from bot.tickets.followup import TicketFollowUp
    from bot.workdays import WorkCalendar

    desk = app.engine.deps.desk
    if "email-outbox" not in running or desk is None:
        return {}

    def wake_all() -> None:
        for wake in app.wakers:
            wake()

    follow_up = TicketFollowUp(
        app.store,
        desk,
        WorkCalendar(app.config.assessment.timezone),
        wake=wake_all,
        check_seconds=app.config.routing.follow_up_check_seconds,
    )
    return {"ticket-follow-up": follow_up}


def staff_reply_route(app: App) -> Route:
    """Mail naming a ticket (its reply key in the threading headers, or only its number) goes
    to the ticket, not to a conversation: relayed to the contact only through the ticket's key,
    from a staff domain, authenticated where configured; otherwise recorded as rejected."""
    desk = app.engine.deps.desk
    assert desk is not None

    async def route(mail: InboundMail) -> bool:
        reply = StaffReply(
            mail.message_id,
            mail.sender,
            mail.subject,
            mail.text,
            mail.in_reply_to,
            mail.references,
            authenticated=mail.authenticated,
        )
        # `#estado` is read before the transaction (and off the event loop), never inside it.
        reply = await asyncio.to_thread(read_reply, reply)
        async with app.store.transaction() as tx:
            outcome = await desk.staff_reply(tx, reply, app.engine.clock())
        if outcome == "relayed":
            for wake in app.wakers:
                wake()
        return outcome not in ("not_a_ticket", "from_contact")

    return route


def reminder_services(app: App, channels: frozenset[str]) -> dict[str, Service]:
    """The reminder scheduler, if enabled and some channel's worker delivers its notices."""
    from bot.reminders.rules import Policy
    from bot.reminders.scheduler import ReminderScheduler, Texts
    from bot.workdays import WorkCalendar

    config, static = app.config, app.static
    reminders = config.reminders
    if not reminders.enabled or not channels:
        return {}

    def wake_all() -> None:
        for wake in app.wakers:
            wake()

    scheduler = ReminderScheduler(
        app.store,
        Texts(
            static.catalog,
            static.questionnaires,
            static.gazetteer,
            config.assessment.deadline_for,
            app.engine.traits,
        ),
        Policy(reminders.after_days, reminders.max_count, WorkCalendar(config.assessment.timezone)),
        channels=channels,
        cycle_of=app.engine.deps.cycle_of,
        domain=config.channels.email.address.rpartition("@")[2],
        wake=wake_all,
        check_seconds=reminders.check_seconds,
    )
    return {"reminders": scheduler}


def _queue(app: App, channel: str) -> StoreOutbox:
    lease = timedelta(seconds=app.config.channels.email.outbox.lease_seconds)
    return StoreOutbox(app.store, lease, channel)


def _retry_policy(config: Config) -> RetryPolicy:
    outbox = config.channels.email.outbox
    return RetryPolicy(outbox.max_attempts, outbox.backoff_seconds, outbox.backoff_max_seconds)


def _idle(config: Config) -> float:
    return config.channels.email.outbox.idle_seconds


def email_services(app: App) -> dict[str, Service]:
    """The outbox worker always (tickets and codes are mail even when nobody writes to us by
    email) once email is enabled, and the inbound side the configuration chooses."""
    from bot.mailtrust import MailGate
    from bot.runner import StartupError
    from channels.email.authentication import AuthPolicy
    from channels.email.channel import EmailChannel
    from channels.email.compose import sender
    from channels.email.imap import ImapReader, ImapSettings
    from channels.email.inbound import Limits
    from channels.email.listener import SmtpListener, loopback
    from channels.email.render import EmailRenderer
    from channels.email.smtp import SmtpSender, SmtpSettings
    from channels.email.worker import OutboxWorker, SendLimits

    config = app.config
    email = config.channels.email
    if not email.enabled:
        return {}
    smtp = email.smtp
    if smtp.username and not config.secrets.smtp_password:
        raise StartupError(f"falta CTI_SMTP_PASSWORD para el usuario SMTP {smtp.username}.")
    secret = (config.secrets.mail_key_secret or "").strip()
    if len(secret) < MIN_SECRET_CHARS:
        # No generated fallback: a secret made here would differ on each instance and vanish
        # with the disk, silently breaking every reply to mail already sent.
        raise StartupError(
            f"el correo necesita CTI_MAIL_KEY_SECRET (al menos {MIN_SECRET_CHARS} caracteres; "
            "por ejemplo, la salida de `python3 -c 'import secrets; print(secrets.token_hex(32))'`)"
            ": firma las claves de respuesta que prueban quién escribe."
        )
    keys = reply_keys(config)
    auth = AuthPolicy(email.authentication.authserv_id, email.authentication.require)
    if email.authentication.require != "none" and not auth.authserv_id:
        raise StartupError(
            "channels.email.authentication.require pide "
            f"{email.authentication.require} pero falta authserv_id: el nombre con que el "
            "servidor de correo de MinTIC firma sus cabeceras Authentication-Results."
        )
    if not auth.enforced:
        log.warning(
            "email: Authentication-Results are not checked (channels.email.authentication); "
            "only reply keys prove who wrote"
        )
    if email.inbound == "smtp" and not loopback(email.smtp_inbound.listen) and not auth.enforced:
        raise StartupError(
            f"el receptor SMTP no escucha en {email.smtp_inbound.listen} (fuera de esta "
            "máquina) sin channels.email.authentication (authserv_id y require: dmarc o dkim)."
        )
    renderer = EmailRenderer(config.path(config.data.templates))
    queue = _queue(app, "email")
    worker = OutboxWorker(
        queue,
        SmtpSender(
            SmtpSettings(
                smtp.host,
                smtp.port,
                smtp.security,
                smtp.username,
                config.secrets.smtp_password,
                smtp.timeout,
            )
        ),
        sender(email.address, email.display_name),
        _retry_policy(config),
        render=renderer.notice,
        batch=email.outbox.batch,
        idle_seconds=email.outbox.idle_seconds,
        keys=keys,
        plus_addressing=email.plus_addressing,
        limits=SendLimits(email.limits.per_hour, email.limits.per_day),
        sent_since=queue.sent_since,
    )
    app.wakers.append(worker.wake)
    services: dict[str, Service] = {"email-outbox": worker}

    def wake_all() -> None:
        for wake in app.wakers:
            wake()

    gate = MailGate(
        app.store,
        keys,
        app.static.catalog,
        email.address.rpartition("@")[2] or "localhost",
        app.engine.clock,
        wake_all,
    )
    channel = EmailChannel(
        app.engine,
        email.address,
        gate,
        Limits(max_bytes=email.max_message_bytes),
        routes=(staff_reply_route(app),),
        auth=auth,
    )
    if email.inbound == "imap":
        imap = email.imap
        if not imap.username or not config.secrets.imap_password:
            raise StartupError(
                "el correo entrante por IMAP necesita channels.email.imap.username en "
                "config.yml y la clave en CTI_IMAP_PASSWORD."
            )
        settings = ImapSettings(
            imap.host,
            imap.port,
            imap.security,
            imap.username,
            config.secrets.imap_password,
            imap.folder,
            imap.processed_folder,
            imap.poll_seconds,
            imap.idle_seconds,
        )
        services["email-imap"] = ImapReader(settings, channel.receive)
    elif email.inbound == "smtp":
        listen = email.smtp_inbound
        services["email-smtp"] = SmtpListener(
            listen.listen, listen.port, channel.receive, email.max_message_bytes
        )
    return services


async def serve(config: Config, *, stdin: TextIO = sys.stdin) -> None:
    """`cti run`: every service in one TaskGroup until SIGINT/SIGTERM. Errors the operator can
    fix are StartupError (one line)."""
    from bot.constancia.setup import missing_secret
    from bot.runner import StartupError, run_services, stop_on_signals
    from channels.telegram import TelegramStartError

    telegram_settings(config)  # a missing token fails before anything is opened
    warn_codes_cannot_leave(config)
    if (why := missing_secret(config)) is not None:
        raise StartupError(why)
    app = await build_app(config)
    try:
        services = build_services(app, stdin=stdin)
        if not services:
            raise StartupError(
                "no hay ningún canal habilitado: active channels.telegram.enabled o "
                "channels.email.enabled en config.yml (CTI_TELEGRAM_ENABLED=true, "
                "CTI_EMAIL_ENABLED=true)."
            )
        stop = asyncio.Event()
        with stop_on_signals(stop):
            await run_services(services, stop)
    except TelegramStartError as exc:
        raise StartupError(str(exc)) from None
    finally:
        await app.close()
