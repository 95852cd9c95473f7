"""End to end: a reply written on the console reaches the official's Telegram chat.

`cti web` (uvicorn on loopback) and `cti run` (a child process, Telegram on the local Bot API
server) share one database: the browser posts the reply, the console stores it in the outbox
exactly as a staff email reply, and the running assistant delivers it to the chat.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from playwright.async_api import async_playwright, expect

from bot.config import Config
from tests.channels.telegram.botapi_server import BotApiServer
from tests.processes import finished, start
from tests.web.console import ADVISOR, CHAT, CHROMIUM_ARGS, PASSWORD, Seeded, chromium_path


async def test_a_console_reply_reaches_the_telegram_chat(
    server: BotApiServer, console: str, seeded: Seeded, console_config: Config, tmp_path: Path
):
    server.private_chat(int(CHAT), "Ana")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    env.update(
        CTI_DATABASE_URL=console_config.database.url,
        CTI_NLU_BACKEND="rules",
        CTI_CONSOLE_ENABLED="false",
        CTI_TELEGRAM_ENABLED="true",
        CTI_TELEGRAM_TOKEN=server.token,
        CTI_TELEGRAM_BASE_URL=server.base_url,
        CTI_CONSTANCIA_SECRET="pruebas-" + "c" * 40,
        PTB_TIMEDELTA="true",
    )
    process = await start(env)
    try:
        for _ in range(1200):
            if server.calls_of("getUpdates") or process.returncode is not None:
                break
            await asyncio.sleep(0.05)
        assert process.returncode is None, await finished(process)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = await browser.new_page(locale="es-CO")
            await page.goto(f"{console}/solicitudes/{seeded.ticket}")
            await page.get_by_label("Correo institucional").fill(ADVISOR)
            await page.get_by_label("Contraseña").fill(PASSWORD)
            await page.get_by_role("button", name="Ingresar").click()
            await page.get_by_label("Respuesta para el funcionario").fill(
                "Con gusto. Le escribimos el lunes con la agenda."
            )
            await page.get_by_role("button", name="Enviar respuesta").click()
            await expect(page.get_by_role("status")).to_contain_text("Respuesta registrada")
            await browser.close()
        sent = []
        for _ in range(600):  # the worker polls the outbox (idle_seconds)
            sent = [c for c in server.calls_of("sendMessage") if c.chat_id == int(CHAT)]
            if sent:
                break
            await asyncio.sleep(0.05)
        assert len(sent) == 1
        assert "Le escribimos el lunes con la agenda." in str(sent[0].params)
        assert seeded.ticket in str(sent[0].params)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        status, stderr = await finished(process)
    assert status == 0, stderr
