"""`cti run`: every service (channels, and background workers) in one `asyncio.TaskGroup`.

A service is any object with `async def run(self) -> None` that works until it is cancelled (a
Telegram channel, an outbox worker, a reminder scheduler) or returns when it has nothing more to
do (the console at the end of its input). The composition root (`bot.app.build_services`) makes
them; this module only runs them:

- SIGINT / SIGTERM, or `stop`: every service is cancelled and may finish its work in hand.
- A service that fails stops the others (TaskGroup semantics); the error is re-raised as itself,
  not wrapped in an ExceptionGroup, so the entry point can print it in one line.
- When every service has returned on its own, `run_services` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Protocol, TextIO

log = logging.getLogger(__name__)


class Service(Protocol):
    async def run(self) -> None: ...


class StartupError(Exception):
    """The assistant cannot start as configured; `str()` is one line, in Spanish, for the
    operator (never a secret)."""


async def run_services(services: Mapping[str, Service], stop: asyncio.Event | None = None) -> None:
    """Run `services` (name -> service) together until `stop` is set, one fails, or all end."""
    stop = stop or asyncio.Event()
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(s.run(), name=name) for name, s in services.items()]
            group.create_task(_supervise(stop, tasks), name="supervisor")
    except BaseExceptionGroup as failure:
        errors = _leaves(failure)
        for extra in errors[1:]:
            log.error("service also failed: %s", extra, exc_info=extra)
        raise errors[0] from None


async def _supervise(stop: asyncio.Event, tasks: list[asyncio.Task[None]]) -> None:
    """Cancel the services when `stop` is set; return once they have all ended."""
    stopping = asyncio.ensure_future(stop.wait())
    try:
        running = list(tasks)
        while running and not stopping.done():
            await asyncio.wait([stopping, *running], return_when=asyncio.FIRST_COMPLETED)
            running = [t for t in tasks if not t.done()]
    finally:
        stopping.cancel()
    for task in tasks:
        task.cancel()


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    found: list[BaseException] = []
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            found += _leaves(error)
        else:
            found.append(error)
    return found


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop` instead of killing the process mid-message."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


class LineService:
    """Feeds lines of a text stream to `handle` until the stream ends (the console in `cti run`).

    Lines are read in a daemon thread: a blocking read must not keep the process alive after
    the other services stopped, which `asyncio.to_thread` would (the default executor is joined
    at exit)."""

    def __init__(
        self,
        handle: Callable[[str], Awaitable[object]],
        stream: TextIO = sys.stdin,
        *,
        first: str | None = None,
    ) -> None:
        self.handle, self.stream, self.first = handle, stream, first

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str | None] = asyncio.Queue()

        def read() -> None:
            try:
                for line in self.stream:
                    loop.call_soon_threadsafe(lines.put_nowait, line)
            except (OSError, ValueError):
                pass  # stream closed under us
            finally:
                with contextlib.suppress(RuntimeError):  # the loop is already closed
                    loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=read, name="stdin", daemon=True).start()
        if self.first:
            await self.handle(self.first)
        while (line := await lines.get()) is not None:
            line = line.rstrip("\n")
            if line.strip() and not line.lstrip().startswith("#"):
                await self.handle(line)
