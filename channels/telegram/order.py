"""Order within one chat, in two stages: the engine reads a chat's updates one at a time in the
order they came, and their replies leave in that same order; but the next update need not wait
until the previous one's replies are out (one a second per chat: `/resultados` takes seconds).

So a button pressed while replies are still leaving is read and answered at once (the spinner
stops, a stale press says so) and its own replies queue behind the ones already waiting.

    locks, order = KeyedLocks(), SendOrder()
    async with locks.hold(chat):           # stage 1: the engine, one turn at a time
        replies = await engine.handle(message)
        delivery = order.queue(chat, lambda: send(replies))   # a place in line, taken now
    turn_read()                            # the poller may start the chat's next update
    await delivery                         # stage 2: done when this turn's replies are out

`turn_read` tells the poller (polling.py), through a context variable it sets for each update,
that the update's first stage is over; an update that never calls it counts as read when it
ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from contextvars import ContextVar

# Set by the poller for the update being handled in this task.
Work = Callable[[], Awaitable[None]]

READ: ContextVar[asyncio.Event | None] = ContextVar("telegram_update_read", default=None)


def turn_read() -> None:
    """The engine has read this update: the chat's next update may begin."""
    event = READ.get()
    if event is not None:
        event.set()


class SendOrder:
    """Work queued per chat runs in the order it was queued; chats side by side."""

    def __init__(self) -> None:
        self._tails: dict[Hashable, asyncio.Task[None]] = {}

    def queue(self, key: Hashable, work: Work) -> asyncio.Task[None]:
        """Run `work` once everything queued before for `key` has ended (however it ended).
        Cancelling the returned task cancels `work`."""
        task = asyncio.create_task(self._after(self._tails.get(key), work))
        self._tails[key] = task

        def forget(done: asyncio.Task[None]) -> None:
            if self._tails.get(key) is done:
                del self._tails[key]

        task.add_done_callback(forget)
        return task

    @staticmethod
    async def _after(before: asyncio.Task[None] | None, work: Work) -> None:
        if before is not None:
            await asyncio.wait([before])
        await work()

    def __len__(self) -> int:
        return len(self._tails)


class KeyedLocks:
    """One lock per key, dropped when nobody holds or waits for it (chats come and go)."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
