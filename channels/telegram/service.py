"""The Telegram service: one python-telegram-bot `Application` run inside our event loop.

The application has no `Updater`: updates reach `Application.process_update` either from our
own long polling (`polling.Poller`) or from our own webhook server (`webhook.WebhookServer`), so
the service is one coroutine, `run()`, beside the other services of `cti run`.

    service = TelegramService(channel, TelegramSettings(token=...))
    await service.run()   # until cancelled; TelegramStartError if it cannot start

Sending respects Telegram's limits through `AIORateLimiter` (about 30 messages per second
overall, 20 per minute in a group); a 429 answer pauses every request for its `retry_after`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any, Literal

from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application

from channels.telegram.channel import ALLOWED_UPDATES, TelegramChannel
from channels.telegram.notices import NoticeDelivery
from channels.telegram.polling import Poller
from channels.telegram.request import AiohttpRequest
from channels.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
PACE_MARGIN = 0.9  # the share of `messages_per_second` actually used


class TelegramStartError(Exception):
    """The channel cannot start (token rejected, Telegram unreachable, port taken...);
    `str()` is one line for the operator, in Spanish, without the token."""


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    url: str  # the public HTTPS URL Telegram calls (the reverse proxy)
    secret: str  # X-Telegram-Bot-Api-Secret-Token: 1-256 of A-Z a-z 0-9 _ -
    listen: str = "127.0.0.1"
    port: int = 8443
    path: str = "/telegram"
    max_connections: int = 40


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    token: str
    mode: Literal["polling", "webhook"] = "polling"
    base_url: str | None = None  # e.g. a local Bot API server: "http://host:8081/bot"
    # Where files are downloaded from; None: beside `base_url` ("http://host:8081/file/bot").
    base_file_url: str | None = None
    messages_per_second: float = 30.0  # 0: no local throttle (Telegram's 429s still honoured)
    rate_limit_retries: int = 3  # 429 answers waited out per request before giving up
    poll_timeout: int = 30  # seconds of one long poll
    start_attempts: int = 5  # getMe tries, with backoff, before giving up on the network
    webhook: WebhookSettings | None = None


class TelegramService:
    def __init__(
        self,
        channel: TelegramChannel,
        settings: TelegramSettings,
        notices: NoticeDelivery | None = None,
    ) -> None:
        self.channel, self.settings, self.notices = channel, settings, notices
        self.application: App | None = None
        self.webhook_server: WebhookServer | None = None

    def build_application(self) -> App:
        settings = self.settings
        throttle = settings.messages_per_second
        builder = (
            Application.builder()
            .token(settings.token)
            .updater(None)
            .rate_limiter(
                # One request every 1/throttle s rather than `throttle` per second: the
                # limiter is a leaky bucket, which after a burst lets nearly twice the rate
                # through within one second, and Telegram answers that with 429. A little
                # under the rate, too: sent at exactly 30 a second, requests delayed unevenly
                # on their way (a busy event loop, the network) still arrive 31 in a second.
                AIORateLimiter(
                    overall_max_rate=1 if throttle else 0,
                    overall_time_period=1 / (throttle * PACE_MARGIN) if throttle else 0,
                    max_retries=settings.rate_limit_retries,
                )
            )
            # aiohttp instead of httpx (see request.py); a free connection of the pool is
            # waited for, rather than failing after PTB's default second.
            .request(AiohttpRequest(connection_pool_size=100, pool_timeout=30.0))
            .get_updates_request(AiohttpRequest(connection_pool_size=1))
        )
        if settings.base_url:
            builder = builder.base_url(settings.base_url)
        file_url = settings.base_file_url or _file_url(settings.base_url)
        if file_url:
            builder = builder.base_file_url(file_url)
        application = builder.build()
        self.channel.install(application)
        return application

    async def run(self) -> None:
        application = self.application = self.build_application()
        await self._initialize(application)
        notices = None
        try:
            await self._set_commands(application)
            if self.notices is not None:  # it logs its own errors and never ends on its own
                notices = asyncio.create_task(self.notices.run(application.bot))
            if self.settings.mode == "webhook":
                await self._run_webhook(application)
            else:
                await self._run_polling(application)
        except InvalidToken:
            raise TelegramStartError(_REJECTED) from None
        finally:
            if notices is not None:
                notices.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await notices
            await application.shutdown()

    async def _initialize(self, application: App) -> None:
        """getMe, which checks the token; network trouble is retried for a while."""
        delay = 1.0
        for attempt in range(1, self.settings.start_attempts + 1):
            try:
                await application.initialize()
                log.info("telegram: connected as @%s", application.bot.username)
                return
            except InvalidToken:
                await application.bot.shutdown()
                raise TelegramStartError(_REJECTED) from None
            except NetworkError as exc:
                if attempt == self.settings.start_attempts:
                    await application.bot.shutdown()
                    where = self.settings.base_url or "https://api.telegram.org"
                    raise TelegramStartError(
                        f"no fue posible conectarse con Telegram ({where}): {exc}"
                    ) from None
                log.warning("telegram: getMe: %s; again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay *= 2

    async def _set_commands(self, application: App) -> None:
        """The "/" menu and the bot's descriptions, in Spanish, from the templates."""
        bot = application.bot
        description, short = self.channel.descriptions()
        for name, call in (
            ("setMyCommands", lambda: bot.set_my_commands(self.channel.commands())),
            ("setMyDescription", lambda: bot.set_my_description(description)),
            ("setMyShortDescription", lambda: bot.set_my_short_description(short)),
        ):
            try:
                await call()
            except InvalidToken:
                raise
            except TelegramError as exc:
                # Conveniences: typing the commands works without the menu.
                log.warning("telegram: %s failed: %s", name, exc)

    async def _run_polling(self, application: App) -> None:
        # getUpdates is refused while a webhook is set (say, from an earlier deployment).
        # Pending updates are kept: they are people waiting for an answer.
        await application.bot.delete_webhook(drop_pending_updates=False)
        poller = Poller(
            application.bot,
            application.process_update,
            ALLOWED_UPDATES,
            timeout=self.settings.poll_timeout,
        )
        await poller.run()

    async def _run_webhook(self, application: App) -> None:
        hook = self.settings.webhook
        if hook is None:
            raise TelegramStartError("el modo webhook necesita su configuración")
        server = self.webhook_server = WebhookServer(
            application.bot,
            application.process_update,
            secret=hook.secret,
            listen=hook.listen,
            port=hook.port,
            path=hook.path,
        )
        try:
            await server.start()  # listening before Telegram is told where to call
        except OSError as exc:
            raise TelegramStartError(
                f"no se pudo abrir {hook.listen}:{hook.port} para el webhook: {exc.strerror}"
            ) from None
        try:
            try:
                await application.bot.set_webhook(
                    hook.url,
                    secret_token=hook.secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                    max_connections=hook.max_connections,
                )
            except InvalidToken:
                raise
            except TelegramError as exc:
                raise TelegramStartError(
                    f"Telegram no aceptó el webhook {hook.url}: {exc}"
                ) from None
            log.info("telegram: webhook %s on %s:%d", hook.url, hook.listen, server.port)
            # The webhook stays registered when we stop: Telegram keeps the updates until the
            # next start (or another instance behind the same proxy) takes them.
            await asyncio.Event().wait()
        finally:
            await server.stop()


def _file_url(base_url: str | None) -> str | None:
    """A Bot API server's file URL beside its method URL: ".../bot" -> ".../file/bot"."""
    if base_url and base_url.rstrip("/").endswith("/bot"):
        return base_url.rstrip("/").removesuffix("/bot") + "/file/bot"
    return None


_REJECTED = (
    "Telegram rechazó el token de CTI_TELEGRAM_TOKEN; revíselo con @BotFather "
    "(/mybots > API Token)."
)
