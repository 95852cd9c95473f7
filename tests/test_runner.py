"""`run_services`: one TaskGroup; stop cancels everyone; a failure stops the rest and comes out
as itself; the console's line reader ends with its input."""

from __future__ import annotations

import asyncio
import io

import pytest

from bot.runner import LineService, StartupError, run_services


class Forever:
    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.cleaned_up = False

    async def run(self) -> None:
        self.started.set()
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.sleep(0)  # cleanup may await
            self.cleaned_up = True


class Once:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error

    async def run(self) -> None:
        await asyncio.sleep(0)
        if self.error is not None:
            raise self.error


async def test_stop_cancels_every_service() -> None:
    a, b = Forever(), Forever()
    stop = asyncio.Event()
    task = asyncio.create_task(run_services({"a": a, "b": b}, stop))
    await asyncio.wait_for(asyncio.gather(a.started.wait(), b.started.wait()), 10)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert a.cleaned_up and b.cleaned_up


async def test_a_failure_stops_the_others_and_comes_out_unwrapped() -> None:
    survivor = Forever()
    with pytest.raises(StartupError, match="no arranca"):
        await asyncio.wait_for(
            run_services({"ok": survivor, "bad": Once(StartupError("no arranca"))}), 10
        )
    assert survivor.cleaned_up


async def test_returns_when_every_service_is_done() -> None:
    await asyncio.wait_for(run_services({"a": Once(), "b": Once()}), 10)


async def test_a_finished_service_leaves_the_others_running() -> None:
    forever = Forever()
    stop = asyncio.Event()
    task = asyncio.create_task(run_services({"done": Once(), "forever": forever}, stop))
    await asyncio.wait_for(forever.started.wait(), 10)
    # Turns of the event loop, not wall-clock time: the supervisor sees "done" end within a
    # few, so a run_services that returned with it would be done by now.
    for _ in range(20):
        await asyncio.sleep(0)
    assert not task.done()
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_line_service_feeds_lines_until_the_end() -> None:
    seen: list[str] = []

    async def handle(line: str) -> None:
        seen.append(line)

    stream = io.StringIO("hola\n\n# comentario\nacepto\n")
    await asyncio.wait_for(LineService(handle, stream, first="inicio").run(), 10)
    assert seen == ["inicio", "hola", "acepto"]


def test_cti_run_warns_when_telegram_is_on_and_mail_is_off(caplog):
    """Registration codes are mailed: with Telegram on and email off nobody could register."""
    from bot.app import warn_codes_cannot_leave
    from bot.config import load_config

    with caplog.at_level("WARNING", logger="bot.app"):
        warn_codes_cannot_leave(load_config(env={"CTI_TELEGRAM_ENABLED": "true"}))
        assert "registration codes cannot be mailed" in caplog.text
        caplog.clear()
        both = {"CTI_TELEGRAM_ENABLED": "true", "CTI_EMAIL_ENABLED": "true"}
        warn_codes_cannot_leave(load_config(env=both))
        assert caplog.text == ""
