"""The Bot API methods of the local test server, one function each, with Telegram's checks."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from tests.telegram.botapi_model import (
    MAX_CAPTION,
    MAX_DOCUMENT_BYTES,
    ApiError,
    Chat,
    Params,
    Upload,
    Webhook,
    bad_request,
    check_commands,
    check_markup,
    check_photo,
    check_secret,
    check_text,
    utf16_len,
)

if TYPE_CHECKING:
    from tests.telegram.botapi_server import BotApiServer


def _chat(server: BotApiServer, p: Params) -> Chat:
    chat = server.chats.get(p.integer("chat_id", required=True) or 0)
    if chat is None:
        raise bad_request("chat not found")
    chat.check_can_send()
    return chat


def _caption(p: Params) -> str | None:
    caption = p.text("caption")
    if caption is not None and utf16_len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return caption


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
    chat = _chat(server, p)
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
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
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
        text = check_text(p.text("text"))
        markup = check_markup(p.json("reply_markup"))
        return chat.new_message(self.bot_user, text=text, reply_markup=markup)

    async def send_photo(self: BotApiServer, p: Params) -> dict[str, Any]:
        chat = _chat(self, p)
        caption, markup = _caption(p), check_markup(p.json("reply_markup"))
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
        caption, markup = _caption(p), check_markup(p.json("reply_markup"))
        file_id, upload = _upload(self, p, "document")
        if len(upload.data) > MAX_DOCUMENT_BYTES:
            raise ApiError(413, "Request Entity Too Large")
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
        if query is None or query["answered"]:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = p.text("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query["answered"] = True
        return True

    async def edit_message_text(self: BotApiServer, p: Params) -> dict[str, Any]:
        message = _editable(self, p)
        text = check_text(p.text("text"))
        _replace(message, check_markup(p.json("reply_markup")), text=text)
        return message

    async def edit_message_reply_markup(self: BotApiServer, p: Params) -> dict[str, Any]:
        message = _editable(self, p)
        _replace(message, check_markup(p.json("reply_markup")))
        return message

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
    }


def _scope_key(p: Params) -> str:
    scope = p.json("scope") or {"type": "default"}
    return f"{scope.get('type', 'default')}/{p.text('language_code') or ''}"
