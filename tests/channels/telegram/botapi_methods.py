"""The Bot API methods of the local test server, one function each, with Telegram's checks."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from tests.channels.telegram.botapi_checks import (
    MAX_DESCRIPTION,
    MAX_DOWNLOAD_BYTES,
    MAX_SHORT_DESCRIPTION,
    check_caption,
    check_commands,
    check_description,
    check_document,
    check_markup,
    check_photo,
    check_secret,
    check_text,
    check_webhook_url,
    shown_markup,
)
from tests.channels.telegram.botapi_model import Chat, Params, Upload, Webhook, bad_request

if TYPE_CHECKING:
    from tests.channels.telegram.botapi_server import BotApiServer


def _find_chat(server: BotApiServer, p: Params) -> Chat:
    """By id, or by "@username" (channels and public groups only, as on Telegram)."""
    raw = p.text("chat_id", required=True) or ""
    if raw.startswith("@"):
        name = raw[1:].lower()
        chat = next(
            (
                c
                for c in server.chats.values()
                if c.type != "private" and c.username and c.username.lower() == name
            ),
            None,
        )
    else:
        chat = server.chats.get(p.integer("chat_id", required=True) or 0)
    if chat is None:
        raise bad_request("chat not found")
    return chat


def _chat(server: BotApiServer, p: Params) -> Chat:
    chat = _find_chat(server, p)
    chat.check_can_send()
    return chat


def _caption(p: Params) -> str | None:
    return check_caption(p.text("caption"), p.text("parse_mode"))


def _upload(server: BotApiServer, p: Params, name: str) -> tuple[str, Upload]:
    """A new file in the multipart body, or the id of one sent before."""
    if name in p.files:
        file_id = server.new_file_id()
        server.uploads[file_id] = p.files[name]
        return file_id, p.files[name]
    file_id = p.text(name)
    if file_id is None:
        raise bad_request(f"there is no {name} in the request")
    if file_id not in server.uploads:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return file_id, server.uploads[file_id]


def _editable(server: BotApiServer, p: Params) -> dict[str, Any]:
    chat = _find_chat(server, p)
    message = chat.messages.get(p.integer("message_id", required=True) or 0)
    if message is None:
        raise bad_request("message to edit not found")
    if message["from"]["id"] != server.bot_user["id"]:
        raise bad_request("message can't be edited")
    return message


def _replace(message: dict[str, Any], markup: dict[str, Any] | None, **content: Any) -> None:
    new = {**message, **content}
    if markup is None:
        new.pop("reply_markup", None)
    else:
        new["reply_markup"] = markup
    if new == message:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    message.update(new)
    if markup is None:
        message.pop("reply_markup", None)
    message["edit_date"] = int(time.time())


class Methods:
    """Mixed into `BotApiServer`; `handlers` maps lower-case method names to functions."""

    async def get_me(self: BotApiServer, p: Params) -> dict[str, Any]:
        return self.bot_user

    async def get_updates(self: BotApiServer, p: Params) -> list[dict[str, Any]]:
        allowed = p.json("allowed_updates")
        if allowed is not None:
            self.allowed_updates = list(allowed)
        limit = min(max(p.integer("limit") or 100, 1), 100)
        timeout = max(p.integer("timeout") or 0, 0)
        return await self.wait_for_updates(p.integer("offset"), limit, timeout)

    async def set_webhook(self: BotApiServer, p: Params) -> bool:
        url = p.text("url", required=True) or ""
        if not url:
            return await Methods.delete_webhook(self, p)
        check_webhook_url(url)
        secret = check_secret(p.text("secret_token"))
        allowed = p.json("allowed_updates")
        if allowed is not None:
            self.allowed_updates = list(allowed)
        if p.flag("drop_pending_updates"):
            self._pending.clear()
        await self.start_webhook(Webhook(url, secret, min(p.integer("max_connections") or 40, 100)))
        return True

    async def delete_webhook(self: BotApiServer, p: Params) -> bool:
        await self._stop_webhook()
        if p.flag("drop_pending_updates"):
            self._pending.clear()
        self._notify()
        return True

    async def get_webhook_info(self: BotApiServer, p: Params) -> dict[str, Any]:
        hook = self.webhook
        return {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
            "max_connections": hook.max_connections if hook else 0,
        }

    async def send_message(self: BotApiServer, p: Params) -> dict[str, Any]:
        chat = _chat(self, p)
        text = check_text(p.text("text"), p.text("parse_mode"))
        markup = shown_markup(check_markup(p.json("reply_markup")))
        return chat.new_message(self.bot_user, text=text, reply_markup=markup)

    async def send_photo(self: BotApiServer, p: Params) -> dict[str, Any]:
        chat = _chat(self, p)
        caption, markup = _caption(p), shown_markup(check_markup(p.json("reply_markup")))
        file_id, upload = _upload(self, p, "photo")
        width, height = check_photo(upload)
        size = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "width": width,
            "height": height,
            "file_size": len(upload.data),
        }
        return chat.new_message(self.bot_user, photo=[size], caption=caption, reply_markup=markup)

    async def send_document(self: BotApiServer, p: Params) -> dict[str, Any]:
        chat = _chat(self, p)
        caption, markup = _caption(p), shown_markup(check_markup(p.json("reply_markup")))
        file_id, upload = _upload(self, p, "document")
        check_document(upload)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": upload.filename,
            "mime_type": upload.content_type,
            "file_size": len(upload.data),
        }
        return chat.new_message(
            self.bot_user, document=document, caption=caption, reply_markup=markup
        )

    async def answer_callback_query(self: BotApiServer, p: Params) -> bool:
        query = self.callbacks.get(p.text("callback_query_id", required=True) or "")
        expired = query is None or time.monotonic() - query["at"] > self.callback_ttl
        if query is None or query["answered"] or expired:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = p.text("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query["answered"] = True
        query["text"] = text
        query["answered_at"] = time.monotonic()
        return True

    async def edit_message_text(self: BotApiServer, p: Params) -> dict[str, Any]:
        message = _editable(self, p)
        text = check_text(p.text("text"), p.text("parse_mode"))
        _replace(message, check_markup(p.json("reply_markup"), inline_only=True), text=text)
        return message

    async def edit_message_reply_markup(self: BotApiServer, p: Params) -> dict[str, Any]:
        message = _editable(self, p)
        _replace(message, check_markup(p.json("reply_markup"), inline_only=True))
        return message

    async def get_file(self: BotApiServer, p: Params) -> dict[str, Any]:
        file_id = p.text("file_id", required=True) or ""
        upload = self.uploads.get(file_id)
        if upload is None:
            raise bad_request("invalid file_id")
        if len(upload.data) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        path = self.file_paths.setdefault(file_id, f"documents/file_{len(self.file_paths)}")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(upload.data),
            "file_path": path,
        }

    async def leave_chat(self: BotApiServer, p: Params) -> bool:
        chat = self.chats.get(p.integer("chat_id", required=True) or 0)
        if chat is None:
            raise bad_request("chat not found")
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        chat.check_can_send()
        chat.bot_is_member = False
        return True

    async def set_my_commands(self: BotApiServer, p: Params) -> bool:
        commands = check_commands(p.json("commands"))
        self.commands[_scope_key(p)] = commands
        return True

    async def get_my_commands(self: BotApiServer, p: Params) -> list[dict[str, str]]:
        return self.commands.get(_scope_key(p), [])

    async def set_my_description(self: BotApiServer, p: Params) -> bool:
        text = check_description(p.text("description"), MAX_DESCRIPTION, "description")
        self.descriptions[p.text("language_code") or ""] = text
        return True

    async def get_my_description(self: BotApiServer, p: Params) -> dict[str, str]:
        language = p.text("language_code") or ""
        return {"description": self.descriptions.get(language, self.descriptions.get("", ""))}

    async def set_my_short_description(self: BotApiServer, p: Params) -> bool:
        text = check_description(
            p.text("short_description"), MAX_SHORT_DESCRIPTION, "short description"
        )
        self.short_descriptions[p.text("language_code") or ""] = text
        return True

    async def get_my_short_description(self: BotApiServer, p: Params) -> dict[str, str]:
        language = p.text("language_code") or ""
        found = self.short_descriptions.get(language, self.short_descriptions.get("", ""))
        return {"short_description": found}

    async def delete_my_commands(self: BotApiServer, p: Params) -> bool:
        self.commands.pop(_scope_key(p), None)
        return True

    handlers: ClassVar[dict[str, Any]] = {
        "getme": get_me,
        "getupdates": get_updates,
        "setwebhook": set_webhook,
        "deletewebhook": delete_webhook,
        "getwebhookinfo": get_webhook_info,
        "sendmessage": send_message,
        "sendphoto": send_photo,
        "senddocument": send_document,
        "answercallbackquery": answer_callback_query,
        "editmessagetext": edit_message_text,
        "editmessagereplymarkup": edit_message_reply_markup,
        "leavechat": leave_chat,
        "setmycommands": set_my_commands,
        "getmycommands": get_my_commands,
        "deletemycommands": delete_my_commands,
        "setmydescription": set_my_description,
        "getmydescription": get_my_description,
        "setmyshortdescription": set_my_short_description,
        "getmyshortdescription": get_my_short_description,
        "getfile": get_file,
    }


def _scope_key(p: Params) -> str:
    scope = p.json("scope") or {"type": "default"}
    return f"{scope.get('type', 'default')}/{p.text('language_code') or ''}"
