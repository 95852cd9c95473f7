"""A stand-in for a Rasa server on loopback, for the default suite (no Rasa installed there).

It answers `POST /model/parse` with a response recorded from a real Rasa 3.6.21 server
(`rasa_parse.json`: "hasta cuándo hay plazo" sent to the model `make rasa` trains), with the text
replaced, and can misbehave on demand: `mode` = "ok" | "error" (HTTP 500) | "garbage" (JSON
that is not a parse) | "hang" (never answers). The real server is exercised by the `rasa`-marked
test.
"""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

from aiohttp import web

RECORDED = json.loads((Path(__file__).parent / "rasa_parse.json").read_text(encoding="utf-8"))


class RasaStandIn:
    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[str] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _parse(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body["text"])
        if self.mode == "hang":
            await asyncio.sleep(3600)
        if self.mode == "error":
            return web.Response(status=500, text="Internal Server Error")
        if self.mode == "garbage":
            return web.json_response({"version": "3.6.21", "status": "ok"})
        payload: dict[str, Any] = copy.deepcopy(RECORDED)
        payload["text"] = body["text"]
        return web.json_response(payload)

    async def _version(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"version": "3.6.21", "minimum_compatible_version": "3.6.21"})

    async def __aenter__(self) -> RasaStandIn:
        app = web.Application()
        app.router.add_post("/model/parse", self._parse)
        app.router.add_get("/version", self._version)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()
