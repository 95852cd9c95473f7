"""The loop shared by `cti run`'s periodic services (reminders, ticket follow-up): check, and
whatever goes wrong in one check (the database down, a bug), log it and check again later."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.storage.api import StorageError


async def every(
    seconds: float, check: Callable[[], Awaitable[object]], log: logging.Logger, name: str
) -> None:
    """Run `check` forever, `seconds` apart; a failed check never stops the service."""
    while True:
        try:
            await check()
        except StorageError:
            log.warning("%s: database unavailable; trying again later", name, exc_info=True)
        except Exception:
            log.exception("%s: check failed; trying again later", name)
        await asyncio.sleep(seconds)
