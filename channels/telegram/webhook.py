"""The webhook receiver: a small aiohttp server meant to sit behind the reverse proxy that ends
TLS. Telegram POSTs each update with the secret we gave it in `X-Telegram-Bot-Api-Secret-Token`;
a request without the right secret is refused before its body is read.

The answer (200) is sent only after the update was handled, so Telegram resends anything we did
not finish (a crash, a deploy) and the engine's message ids make the repeat a no-op.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram import Bot, Update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # updates are a few kilobytes; anything larger is not Telegram

Process = Callable[[Update], Awaitable[None]]


class WebhookServer:
    def __init__(
        self,
        bot: Bot,
        process: Process,
        *,
        secret: str,
        listen: str,
        port: int,
        path: str,
        shutdown_seconds: float = 30.0,
    ) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret token")
        self.bot, self.process = bot, process
        self._secret = secret.encode()
        self.listen, self.port, self.path = listen, port, path
        self.shutdown_seconds = shutdown_seconds
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen (OSError if the address is taken); `port` 0 picks a free one."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self._receive)
        # In-flight updates get `shutdown_seconds` to finish when we stop; then they are cut
        # and Telegram, having had no answer, sends them again.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=self.shutdown_seconds)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.listen, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):  # constant time: no timing oracle
            log.warning("telegram webhook: request from %s with a wrong secret", request.remote)
            return web.Response(status=403)
        try:
            data = await request.json(loads=json.loads)
        except ValueError:
            return web.Response(status=400)
        try:
            update = Update.de_json(data, self.bot)
        except Exception:
            # It will not read better the next time: accept it so Telegram stops resending.
            log.exception("telegram webhook: update %s unreadable, skipped", _update_id(data))
            return web.Response(status=200)
        await self.process(update)
        return web.Response(status=200)


def _update_id(data: object) -> object:
    return data.get("update_id") if isinstance(data, dict) else None
