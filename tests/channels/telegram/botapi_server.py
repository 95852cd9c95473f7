"""A local Telegram Bot API server on loopback, for tests and benchmarks: real HTTP, Telegram's
own validation and error texts, simulated users, every request recorded.

    async with BotApiServer() as server:
        application = (Application.builder().token(server.token)
                       .base_url(server.base_url).base_file_url(server.base_file_url).build())
        ana = server.private_chat(1001, "Ana")
        update_id = ana.send("hola")
        await server.processed(update_id)   # acknowledged by getUpdates offset or webhook 200
        server.sent(1001)                   # what the bot sent to Ana

Methods: getMe, getUpdates (long polling with timeout, offset, limit, allowed_updates; a newer
call ends an older one with 409), setWebhook / deleteWebhook / getWebhookInfo (updates POSTed
with X-Telegram-Bot-Api-Secret-Token, retried until 2xx), sendMessage, sendPhoto, sendDocument
(multipart), answerCallbackQuery, editMessageText, editMessageReplyMarkup, leaveChat,
setMyCommands, getMyCommands, deleteMyCommands. Faults on demand: `fail_next` (429 with
retry_after, or any status), `drop_next` (connection closed with no answer), `rate_limit` (429
past a rate overall, and past a rate per chat, as Telegram does: about 30 messages a second in
all and one a second in any one chat), `duplicate` (the same event again under a new update
id). Unlike Telegram it accepts plain-HTTP webhook URLs, since it only talks to loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.channels.telegram.botapi_methods import Methods
from tests.channels.telegram.botapi_model import (
    ApiError,
    Call,
    Chat,
    Params,
    Upload,
    Webhook,
    user_json,
)

SENDING = frozenset({"sendmessage", "sendphoto", "senddocument"})
EDITING = frozenset({"editmessagetext", "editmessagereplymarkup"})
TOKEN = "123456789:AAHtestTokenForTheLocalBotApiServer00"
BOT_ID = 123456789


@dataclass
class Delivery:
    update_id: int
    status: int  # 0: no HTTP answer


@dataclass
class _Fault:
    count: int
    methods: frozenset[str]
    status: int = 429
    retry_after: int = 1
    drop: bool = False


@dataclass
class _Pending:
    update_id: int
    body: dict[str, Any]
    done: asyncio.Event = field(default_factory=asyncio.Event)


class BotApiServer(Methods):
    def __init__(
        self,
        token: str = TOKEN,
        *,
        username: str = "cti_prueba_bot",
        webhook_retry_delay: float = 0.05,
        webhook_attempts: int = 5,
        callback_ttl: float = 15.0,
    ) -> None:
        """`callback_ttl`: seconds a button press may still be answered (Telegram does not
        document its own; clients give up on the spinner after about that long)."""
        self.token, self.username = token, username
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Asistente CTI (pruebas)",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.chats: dict[int, Chat] = {}
        self.calls: list[Call] = []
        self.deliveries: list[Delivery] = []
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.uploads: dict[str, Upload] = {}
        # id -> {chat_id, message_id, at, answered, text, answered_at}
        self.callbacks: dict[str, dict[str, Any]] = {}
        self.callback_ttl = callback_ttl
        self.file_paths: dict[str, str] = {}  # file id -> its path under base_file_url
        self.descriptions: dict[str, str] = {}  # language code ("" for all) -> text
        self.short_descriptions: dict[str, str] = {}
        # Not Telegram: how the people of a test read the code the assistant mailed them
        # (address -> code), from the engine's outbox or from the SMTP server that got it.
        self.read_code: Callable[[str], Awaitable[str]] | None = None
        self.webhook: Webhook | None = None
        self.allowed_updates: list[str] = []
        self.webhook_retry_delay, self.webhook_attempts = webhook_retry_delay, webhook_attempts
        self._pending: dict[int, _Pending] = {}  # not yet acknowledged, by update id
        self._history: dict[int, _Pending] = {}
        self._update_ids = itertools.count(700_000_001)
        self._callback_ids = itertools.count(4_400_000_000_001)
        self._file_ids = itertools.count(1)
        self._faults: list[_Fault] = []
        self._rate: float | None = None
        self._recent: deque[float] = deque()
        self._chat_rate: float | None = None
        self._chat_recent: dict[int, deque[float]] = {}
        self.rate_limited = {"chat": 0, "overall": 0}  # 429s answered by `rate_limit`
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._closing = False
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        # A long poll from a bot that is gone would otherwise hold the shutdown for a minute.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        self._closing = True  # pending long polls answer at once
        await self._stop_webhook()
        self._notify()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> BotApiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # --- simulated users and updates ---------------------------------------------------------

    def private_chat(self, user_id: int, first_name: str = "Usuario") -> SimChat:
        chat = self.chats.setdefault(user_id, Chat(user_id, "private", first_name))
        return SimChat(self, chat, user_json(user_id, first_name))

    def known_user(self, user_id: int, first_name: str = "Usuario") -> SimChat:
        """A Telegram user who never wrote to the bot: messages to them are refused with 403
        until they send something (as /start does)."""
        chat = self.chats.setdefault(user_id, Chat(user_id, "private", first_name, started=False))
        return SimChat(self, chat, user_json(user_id, first_name))

    def channel(self, chat_id: int, title: str, username: str) -> Chat:
        """A public channel the bot may post to, by id or by "@username"."""
        assert chat_id < 0, "channel ids are negative"
        return self.chats.setdefault(chat_id, Chat(chat_id, "channel", title, username=username))

    def group_chat(self, chat_id: int, title: str, added_by: SimChat) -> SimChat:
        """A group the bot was just added to (a `my_chat_member` update, id in `.joined`);
        `send` posts as `added_by` inside the group."""
        assert chat_id < 0, "group ids are negative"
        chat = self.chats.setdefault(chat_id, Chat(chat_id, "group", title))
        joined = self.enqueue(
            {
                "my_chat_member": {
                    "chat": chat.json(),
                    "from": added_by.user,
                    "date": int(time.time()),
                    "old_chat_member": {"user": self.bot_user, "status": "left"},
                    "new_chat_member": {"user": self.bot_user, "status": "member"},
                }
            }
        )
        group = SimChat(self, chat, added_by.user)
        group.joined = joined
        return group

    def enqueue(self, content: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        pending = _Pending(update_id, {"update_id": update_id, **content})
        self._pending[update_id] = self._history[update_id] = pending
        self._notify()
        return update_id

    def duplicate(self, update_id: int) -> int:
        """The same event (message, button press) offered again under a new update id, as after
        Telegram restarts its update ids or moves a bot between webhook and polling."""
        body = {k: v for k, v in self._history[update_id].body.items() if k != "update_id"}
        return self.enqueue(copy.deepcopy(body))

    def redeliver(self, update_id: int) -> None:
        """Offer an update again, as Telegram does when it never saw it acknowledged."""
        old = self._history[update_id]
        self._pending[update_id] = self._history[update_id] = _Pending(update_id, old.body)
        self._notify()

    async def processed(self, update_id: int, wait: float = 60.0) -> None:
        """Wait until the bot acknowledged the update (getUpdates offset past it, webhook 2xx)."""
        try:
            await asyncio.wait_for(self._history[update_id].done.wait(), wait)
        except TimeoutError:
            raise AssertionError(f"update {update_id} not acknowledged in {wait} s") from None

    def _acknowledge(self, update_ids: Iterable[int]) -> None:
        for update_id in list(update_ids):
            pending = self._pending.pop(update_id, None)
            if pending is not None:
                pending.done.set()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # --- faults ------------------------------------------------------------------------------

    def fail_next(
        self,
        count: int,
        *,
        retry_after: int = 1,
        status: int = 429,
        methods: Iterable[str] = SENDING,
    ) -> None:
        """The next `count` calls of `methods` fail: 429 with `retry_after`, or `status`."""
        names = frozenset(m.lower() for m in methods)
        self._faults.append(_Fault(count, names, status, retry_after))

    def drop_next(self, count: int, *, methods: Iterable[str] = SENDING) -> None:
        """The next `count` calls of `methods` get no answer: the connection is closed."""
        self._faults.append(_Fault(count, frozenset(m.lower() for m in methods), drop=True))

    def rate_limit(self, per_second: float | None, *, per_chat: float | None = None) -> None:
        """Answer 429 (with `retry_after`) to sends and edits beyond `per_second` in any
        one-second window, and to messages sent to one chat beyond `per_chat` in any one-second
        window (Telegram: "no more than one message per second" in a chat). Edits do not count
        against a chat: Telegram's per-chat limit is on messages."""
        self._rate, self._recent = per_second, deque()
        self._chat_rate, self._chat_recent = per_chat, {}

    def _fault_for(self, method: str, chat_id: int | None) -> _Fault | None:
        for fault in self._faults:
            if fault.count > 0 and method in fault.methods:
                fault.count -= 1
                return fault
        now = time.monotonic()
        chat_window: deque[float] | None = None
        if self._chat_rate is not None and method in SENDING and chat_id is not None:
            chat_window = self._chat_recent.setdefault(chat_id, deque())
            if _full(chat_window, self._chat_rate, now):
                return self._limited(chat_window, now, "chat")
        if self._rate is not None and method in SENDING | EDITING:
            if _full(self._recent, self._rate, now):
                return self._limited(self._recent, now, "overall")
            self._recent.append(now)
        if chat_window is not None:
            chat_window.append(now)
        return None

    def _limited(self, window: deque[float], now: float, which: str) -> _Fault:
        self.rate_limited[which] += 1
        wait = math.ceil(1.0 - (now - window[0]))
        return _Fault(0, frozenset(), 429, max(1, wait))

    # --- what the bot did --------------------------------------------------------------------

    def sent(self, chat_id: int | None = None, since: int = 0) -> list[Call]:
        """Successful sendMessage/sendPhoto/sendDocument calls (to `chat_id`), from `since`."""
        return [
            c
            for c in self.calls[since:]
            if c.ok and c.method.lower() in SENDING and (chat_id is None or c.chat_id == chat_id)
        ]

    def calls_of(self, method: str, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method.lower() == method.lower()]

    def unanswered_callbacks(self) -> list[str]:
        return [qid for qid, cb in self.callbacks.items() if not cb["answered"]]

    # --- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await _read_params(request)
        call = Call(method, dict(params.values), params.files, time.monotonic())
        self.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            handler = self.handlers.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            fault = self._fault_for(method.lower(), call.chat_id)
            if fault is not None and fault.drop:
                call.status = 0
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=502)
            if fault is not None and fault.status == 429:
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
            if fault is not None:
                raise ApiError(fault.status, "Bad Gateway" if fault.status == 502 else "Error")
            call.result = await handler(self, params)
            body: dict[str, Any] = {"ok": True, "result": call.result}
        except ApiError as exc:
            call.status, body = exc.status, exc.body()
        return web.json_response(body, status=call.status)

    # --- long polling and webhooks (used by the methods) ---------------------------------------

    async def wait_for_updates(
        self, offset: int | None, limit: int, poll_seconds: float
    ) -> list[dict[str, Any]]:
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll sees the new generation and ends with 409
        if offset is not None and offset < 0:
            keep = sorted(self._pending)[offset:]
            self._acknowledge(u for u in list(self._pending) if u not in keep)
        elif offset is not None:
            self._acknowledge(u for u in list(self._pending) if u < offset)
        deadline = time.monotonic() + poll_seconds
        while True:
            if self.webhook is not None:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
            batch = [p.body for _, p in sorted(self._pending.items()) if self._allowed(p.body)]
            self._acknowledge(
                p for p, v in list(self._pending.items()) if not self._allowed(v.body)
            )
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self._closing:
                return copy.deepcopy(batch[:limit])
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)
            if self._poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )

    def _allowed(self, body: dict[str, Any]) -> bool:
        kind = next(k for k in body if k != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in {"chat_member", "message_reaction", "message_reaction_count"}

    async def start_webhook(self, hook: Webhook) -> None:
        await self._stop_webhook()
        self.webhook = hook
        hook.task = asyncio.create_task(self._deliver(hook))
        self._notify()

    async def _stop_webhook(self) -> None:
        hook, self.webhook = self.webhook, None
        if hook is not None and hook.task is not None:
            hook.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await hook.task

    async def _deliver(self, hook: Webhook) -> None:
        """Telegram's side of a webhook: POST each pending update until it gets a 2xx."""
        slots = asyncio.Semaphore(hook.max_connections)
        in_flight: dict[int, asyncio.Task[None]] = {}
        try:
            while self.webhook is hook:
                changed = self._changed
                for update_id in [u for u, task in in_flight.items() if task.done()]:
                    del in_flight[update_id]
                for update_id, pending in sorted(self._pending.items()):
                    if update_id in in_flight:
                        continue
                    if not self._allowed(pending.body):
                        self._acknowledge([update_id])
                        continue
                    in_flight[update_id] = asyncio.create_task(self._post(hook, pending, slots))
                await changed.wait()
        finally:
            for task in in_flight.values():
                task.cancel()
            await asyncio.gather(*in_flight.values(), return_exceptions=True)

    async def _post(self, hook: Webhook, pending: _Pending, slots: asyncio.Semaphore) -> None:
        assert self._session is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret} if hook.secret else {}
        for _ in range(self.webhook_attempts):
            status = 0
            async with slots:
                try:
                    async with self._session.post(
                        hook.url, json=pending.body, headers=headers
                    ) as response:
                        status = response.status
                except aiohttp.ClientError:
                    status = 0
            self.deliveries.append(Delivery(pending.update_id, status))
            if 200 <= status < 300:
                if self._pending.get(pending.update_id) is pending:  # not redelivered meanwhile
                    self._acknowledge([pending.update_id])
                self._notify()
                return
            await asyncio.sleep(self.webhook_retry_delay)
        # Telegram gives up after a few attempts: the update is lost, never acknowledged.
        if self._pending.get(pending.update_id) is pending:
            del self._pending[pending.update_id]
        self._notify()

    def new_callback(self, chat_id: int, message_id: int) -> str:
        query_id = str(next(self._callback_ids))
        self.callbacks[query_id] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "at": time.monotonic(),
            "answered": False,
            "text": None,
            "answered_at": None,
        }
        return query_id

    def new_file_id(self) -> str:
        return f"AgAD{next(self._file_ids):08d}"

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """A file by the path getFile gave (what a bot downloads, up to 20 MB)."""
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["path"]
        file_id = next((f for f, p in self.file_paths.items() if p == path), None)
        self.calls.append(Call("download", {"file_path": path}, {}, time.monotonic()))
        if file_id is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(body=self.uploads[file_id].data)


class SimChat:
    """A person in a chat with the bot: sends text, other content, or presses buttons."""

    def __init__(self, server: BotApiServer, chat: Chat, user: dict[str, Any]) -> None:
        self.server, self.chat, self.user = server, chat, user
        self.joined: int | None = None  # for a group: the update that added the bot

    @property
    def id(self) -> int:
        return self.chat.id

    def send(self, text: str) -> int:
        entities = None
        if text.startswith("/"):
            command = text.split()[0]
            entities = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.send_content(text=text, entities=entities)

    def send_content(self, **content: Any) -> int:
        """Any message content, e.g. `sticker={...}` or `photo=[...]`."""
        self.chat.started = True
        message = self.chat.new_message(self.user, **content)
        return self.server.enqueue({"message": message})

    def send_document(
        self, filename: str, mime_type: str, data: bytes, caption: str | None = None
    ) -> int:
        """A file, as the person's app uploads it: the bot gets its id and fetches it."""
        file_id = self.server.new_file_id()
        self.server.uploads[file_id] = Upload(filename, mime_type, data)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        return self.send_content(document=document, caption=caption)

    def edit(self, message_id: int, text: str) -> int:
        """The person edits one of their own messages: an `edited_message` update."""
        message = self.chat.messages[message_id]
        assert message["from"]["id"] == self.user["id"], "one edits only one's own messages"
        message.update(text=text, edit_date=int(time.time()))
        return self.server.enqueue({"edited_message": copy.deepcopy(message)})

    def press(self, message_id: int, data: str) -> int:
        """Press an inline button under one of the bot's messages (it must be there now)."""
        message = self.chat.messages[message_id]
        if data not in buttons(message).values():
            raise AssertionError(f"no button {data!r} under message {message_id}: {message}")
        query_id = self.server.new_callback(self.chat.id, message_id)
        return self.server.enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user,
                    "chat_instance": str(abs(self.chat.id) * 7919),
                    "message": copy.deepcopy(message),
                    "data": data,
                }
            }
        )

    def bot_messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat, oldest first, as they are now (edits applied)."""
        bot_id = self.server.bot_user["id"]
        return [m for _, m in sorted(self.chat.messages.items()) if m["from"]["id"] == bot_id]

    def last_keyboard(self) -> tuple[int, dict[str, str]]:
        """The newest bot message that has buttons: its id and {label: callback data}."""
        for message in reversed(self.bot_messages()):
            if buttons(message):
                return message["message_id"], buttons(message)
        raise AssertionError(f"no buttons in chat {self.chat.id}")


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """{label: callback data} of a message's inline keyboard."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row if "callback_data" in b}


def _full(window: deque[float], rate: float, now: float) -> bool:
    """Forget what left the one-second window; True if `rate` sends are still in it."""
    while window and now - window[0] >= 1.0:
        window.popleft()
    return len(window) >= rate


async def _read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.content_type == "application/json":
        body = await request.json()
        values.update(body if isinstance(body, dict) else {})
    elif request.can_read_body:
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = Upload(value.filename, value.content_type, value.file.read())
            else:
                values[name] = value
    return Params(values, files)
