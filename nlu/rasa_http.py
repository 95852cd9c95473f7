"""An `Interpreter` backed by a running Rasa server (`rasa run --enable-api`, `POST /model/parse`).

When the server is slow, down or answers nonsense, the message is parsed by the fallback
interpreter instead (normally the embedded one), so users never notice; the outage is logged
once when it starts and once when the server answers again, not for every message. While it is
down the server is asked again only every `retry_after` seconds, so a hung server costs one
timeout per interval rather than one per message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import httpx

from nlu.base import FALLBACK, Entity, Intent, Interpreter, Parse, with_threshold

log = logging.getLogger(__name__)


class RasaResponseError(ValueError):
    """The server answered, but not with a `/model/parse` result."""


def _intent(item: Any) -> Intent:
    if not isinstance(item, dict):
        raise RasaResponseError(f"intent is not an object: {item!r}")
    name = item.get("name")
    return Intent(
        name=str(name) if name else FALLBACK, confidence=float(item.get("confidence") or 0.0)
    )


def _entity(item: Any) -> Entity:
    if not isinstance(item, dict):
        raise RasaResponseError(f"entity is not an object: {item!r}")
    confidence = item.get("confidence_entity", item.get("confidence", 1.0))
    return Entity(
        entity=str(item["entity"]),
        start=int(item["start"]),
        end=int(item["end"]),
        value=str(item["value"]),
        confidence=float(1.0 if confidence is None else confidence),
    )


def to_parse(text: str, payload: Any) -> Parse:
    """Keep exactly our contract's fields from a Rasa `/model/parse` response."""
    if not isinstance(payload, dict) or "intent" not in payload:
        raise RasaResponseError(f"not a parse result: {str(payload)[:200]}")
    try:
        ranking = [_intent(i) for i in payload.get("intent_ranking") or []]
        entities = [_entity(e) for e in payload.get("entities") or []]
        intent = _intent(payload["intent"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RasaResponseError(f"malformed parse result: {exc}") from exc
    return Parse(text=text, intent=intent, intent_ranking=ranking or [intent], entities=entities)


class RasaHttpInterpreter:
    """Intents from a Rasa server; entities from Rasa or, if given, from `entities(text)`.

    Rasa's DIET sees few place names in training and returns their surface text, so the
    engine should pass the embedded extractor (`embedded.extractor.extract`) to get DANE
    codes, emails and options exactly as with the embedded backend.
    """

    def __init__(
        self,
        url: str,
        *,
        fallback: Interpreter,
        timeout: float = 2.0,
        threshold: float = 0.0,
        retry_after: float = 30.0,
        entities: Callable[[str], list[Entity]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url.rstrip("/")
        self.fallback = fallback
        self.threshold = threshold
        self.retry_after = retry_after
        self.entities = entities
        self._clock = clock
        self._client = httpx.AsyncClient(base_url=self.url, timeout=httpx.Timeout(timeout))
        self._down_since: float | None = None
        self._next_try = 0.0
        self.degraded = 0  # messages the fallback parsed instead of the server

    async def version(self) -> str:
        """The server's Rasa version (`GET /version`); raises `httpx.HTTPError` if unreachable."""
        response = await self._client.get("/version")
        response.raise_for_status()
        return str(response.json().get("version", "?"))

    async def parse(self, text: str) -> Parse:
        if self._down_since is not None and self._clock() < self._next_try:
            self.degraded += 1
            return await self.fallback.parse(text)
        try:
            response = await self._client.post("/model/parse", json={"text": text})
            response.raise_for_status()
            result = to_parse(text, response.json())
        except (httpx.HTTPError, ValueError) as exc:
            if self._down_since is None:
                self._down_since = self._clock()
                log.warning(
                    "Rasa server %s unavailable (%s: %s); using the fallback interpreter "
                    "until it answers again",
                    self.url,
                    type(exc).__name__,
                    exc,
                )
            self._next_try = self._clock() + self.retry_after
            self.degraded += 1
            return await self.fallback.parse(text)
        if self._down_since is not None:
            log.info(
                "Rasa server %s answers again after %.0f s",
                self.url,
                self._clock() - self._down_since,
            )
            self._down_since = None
        if self.entities is not None:
            result["entities"] = self.entities(text)
        return with_threshold(result, self.threshold)

    @property
    def available(self) -> bool:
        """False while the server is considered down."""
        return self._down_since is None

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> RasaHttpInterpreter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
