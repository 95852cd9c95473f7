"""Long polling that confirms an update to Telegram only after it was handled.

python-telegram-bot's `Updater` confirms updates (by asking for the next offset) as soon as they
are queued, so a crash loses whatever was still queued. Here the offset never moves past an
update that is still being handled: a crash means Telegram offers it again, and the engine's
message ids turn the repeat into a no-op.

Updates are handled in a sliding window of at most 100 (what one getUpdates returns): each as
its own task, in order within a chat, chats side by side. "In order" means the engine reads them
in order (order.py): a chat's next update starts once the previous one was read, while that
one's replies may still be leaving at the chat's pace. The offset is the oldest update still
running, so asking again returns the running ones too; those are recognised by id and skipped
before python-telegram-bot parses them (parsing, not HTTP, is what repeated asking costs). A slow
update holds back only the confirmation, not the updates behind it (unless 100 pile up).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Update
from telegram.error import Conflict, EndPointNotFound, InvalidToken, NetworkError, RetryAfter

from channels.telegram.channel import retry_after_seconds
from channels.telegram.order import READ

log = logging.getLogger(__name__)

Process = Callable[[Update], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _Started:
    task: asyncio.Task[None]
    read: asyncio.Event  # set once the engine has read the update (order.turn_read)


class Poller:
    def __init__(
        self,
        bot: Bot,
        process: Process,
        allowed_updates: Sequence[str],
        *,
        timeout: int = 30,
        drain_seconds: float = 30.0,
        max_backoff: float = 30.0,
        min_gap: float = 0.05,
        max_gap: float = 0.25,
    ) -> None:
        self.bot, self.process, self.allowed_updates = bot, process, list(allowed_updates)
        self.timeout, self.drain_seconds, self.max_backoff = timeout, drain_seconds, max_backoff
        # While updates run, ask again no sooner than `min_gap` (every answer repeats the
        # running ones) and no later than `max_gap` (someone may be writing meanwhile).
        self.min_gap, self.max_gap = min_gap, max_gap
        self.offset: int | None = None  # everything before it is handled and may be confirmed
        # Updates started and not yet confirmed: Telegram repeats them until the offset passes.
        # (A set, not "the highest id seen": after a week without updates Telegram may start
        # the ids again from a random, possibly lower, number.)
        self._started: set[int] = set()
        self._running: dict[int, asyncio.Task[None]] = {}
        self._tails: dict[Hashable, _Started] = {}  # each chat's newest update
        self._finished = asyncio.Event()

    async def run(self) -> None:
        """Fetch, handle, confirm; until cancelled. An invalid token ends it (InvalidToken)."""
        try:
            await self._loop()
        except asyncio.CancelledError:
            await self._drain()
            raise

    async def _loop(self) -> None:
        delay = 1.0
        while True:
            self._advance()
            asked = time.monotonic()
            self._finished.clear()  # before asking: what finishes meanwhile counts
            try:
                batch = await self._get_updates(0 if self._running else self.timeout)
            except (InvalidToken, EndPointNotFound) as exc:
                raise InvalidToken(str(exc)) from exc  # the token was revoked
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except (Conflict, NetworkError) as exc:
                # Conflict: another instance polls, or a webhook is set. Both may be brief (a
                # deploy); keep trying, loudly.
                log.warning("telegram: getUpdates: %s; again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
                continue
            delay = 1.0
            for data in batch:
                update_id = int(data["update_id"])
                if update_id in self._started:
                    continue  # running, or done and not yet confirmed
                self._started.add(update_id)
                update = self._parse(data)
                if update is not None:
                    self._start(update)
            if self._running:
                await self._pause(asked)

    async def _get_updates(self, wait: int, limit: int = 100) -> list[dict[str, Any]]:
        """getUpdates as raw JSON. Lower case on purpose: Bot API method names are
        case-insensitive, and PTB warns about `do_api_request("getUpdates")` because
        `get_updates` exists, which would parse every repeated update again."""
        result = await self.bot.do_api_request(
            "getupdates",
            api_kwargs={
                "offset": self.offset,
                "limit": limit,
                "timeout": wait,  # seconds of long polling
                "allowed_updates": self.allowed_updates,
            },
            read_timeout=wait + 10,
        )
        return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []

    def _parse(self, data: dict[str, Any]) -> Update | None:
        try:
            return Update.de_json(data, self.bot)
        except Exception:
            # A field newer than the library? It will not read better next time: skip it.
            log.exception("telegram: update %s unreadable, skipped", data.get("update_id"))
            return None

    async def _pause(self, asked: float) -> None:
        """Between two asks while updates run: at least `min_gap`, then until one finishes,
        at most `max_gap`."""
        await asyncio.sleep(max(0.0, asked + self.min_gap - time.monotonic()))
        remaining = asked + self.max_gap - time.monotonic()
        if self._running and not self._finished.is_set() and remaining > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._finished.wait(), remaining)

    def _start(self, update: Update) -> None:
        chat = update.effective_chat
        key: Hashable = chat.id if chat else ("update", update.update_id)
        read = asyncio.Event()
        task = asyncio.create_task(self._handle(update, self._tails.get(key), read))
        self._running[update.update_id] = task
        started = self._tails[key] = _Started(task, read)

        def finished(done: asyncio.Task[None], update_id: int = update.update_id) -> None:
            self._running.pop(update_id, None)
            if self._tails.get(key) is started:
                del self._tails[key]
            self._finished.set()

        task.add_done_callback(finished)

    async def _handle(self, update: Update, before: _Started | None, read: asyncio.Event) -> None:
        if before is not None:
            # One chat in order: the previous update was read by the engine (its replies may
            # still be leaving, in their own order), or it ended, however it ended.
            ended = asyncio.ensure_future(before.read.wait())
            try:
                await asyncio.wait([before.task, ended], return_when=asyncio.FIRST_COMPLETED)
            finally:
                ended.cancel()
        READ.set(read)
        try:
            await self.process(update)
        except Exception:
            # Handler errors are caught by the application; this is the last line.
            log.exception("telegram: update %s could not be processed", update.update_id)
        finally:
            read.set()

    def _advance(self) -> None:
        """Confirm everything before the oldest running update (or all that was started)."""
        if self._running:
            self.offset = min(self._running)
        elif self._started:
            self.offset = max(self._started) + 1
        offset = self.offset
        if offset is not None:
            self._started = {u for u in self._started if u >= offset}

    async def _drain(self) -> None:
        """Stopping: the people already waiting get their answers, then those updates are
        confirmed so the next start does not see them again."""
        running = list(self._running.values())
        if running:
            _, late = await asyncio.wait(running, timeout=self.drain_seconds)
            for task in late:
                task.cancel()
            if late:
                log.warning("telegram: stopped before %d updates were handled", len(late))
                await asyncio.wait(late)
        self._advance()
        await self._confirm()

    async def _confirm(self) -> None:
        if self.offset is None:
            return
        try:
            await self._get_updates(0, limit=1)
        except Exception as exc:
            # Not fatal: Telegram offers those updates again and the engine ignores repeats.
            log.warning("telegram: could not confirm the last updates: %s", exc)
