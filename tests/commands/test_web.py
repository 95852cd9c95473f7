"""`cti web` as a real process: it serves the console and sends anonymous visitors to sign in."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import httpx

CTI = Path(sys.executable).parent / "cti"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_cti_web_serves_the_sign_in_page(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTI_")}
    env["CTI_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cti.db'}"
    process = await asyncio.create_subprocess_exec(
        str(CTI), "web", "--port", str(port), env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(600):
                try:
                    first = await client.get("/avance")
                    break
                except httpx.TransportError:
                    assert process.returncode is None
                    await asyncio.sleep(0.05)
            assert first.status_code == 303
            assert first.headers["location"] == "/ingresar?siguiente=%2Favance"
            form = await client.get("/ingresar")
            assert form.status_code == 200 and "Ingresar a la consola" in form.text
            cookie = form.headers["set-cookie"].lower()
            assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
            assert "script-src" not in form.headers["content-security-policy"]
            assert (await client.get("/estatico/console.css")).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells it.
    assert process.returncode in (0, -signal.SIGTERM), stderr.decode()
    assert b"Traceback" not in stderr
    assert (tmp_path / "cti.db").exists()  # it migrated the database as cti run does
