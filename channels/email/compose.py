"""An `OutboundEmail` as a proper MIME message: text and HTML alternatives, UTF-8 headers and
names, attachments, our Message-ID, threading headers, and the marks (RFC 3834
`Auto-Submitted`, `X-Loop`) that keep auto-responders and our own reader from answering it.

The Message-ID leaves with the recipient's reply key in it (`<id.k…@domain>`, see
`bot.replykeys`), and with plus-addressing the Reply-To too (`asistente+k…@domain`): a reply
brings the key back, which proves it was written by someone who reads that mailbox. The key is
a function of the stored id and the recipient, so a resend after a crash is the same message."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from bot.contract import OutboundEmail
from bot.replykeys import ReplyKeys, with_key

LOOP_HEADER = "X-Loop"


def new_message_id(address: str) -> str:
    """A fresh Message-ID in our own domain."""
    return make_msgid(domain=address.rpartition("@")[2] or "localhost")


def sender(address: str, display_name: str) -> Address:
    user, _, domain = address.partition("@")
    return Address(display_name=display_name, username=user, domain=domain)


def plus_address(address: str, key: str) -> str:
    user, _, domain = address.partition("@")
    return f"{user}+{key}@{domain}"


def compose(
    email: OutboundEmail,
    from_: Address,
    now: datetime,
    keys: ReplyKeys | None = None,
    *,
    plus_addressing: bool = False,
) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["From"] = from_
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now)
    key = keys.for_address(email.recipient) if keys is not None else None
    message["Message-ID"] = with_key(email.message_id, key) if key else email.message_id
    extra = dict(email.headers)
    reply_to = from_.addr_spec
    if key and plus_addressing:
        reply_to = plus_address(reply_to, key)
    message["Reply-To"] = extra.pop("Reply-To", reply_to)
    for name, value in extra.items():
        message[name] = value
    message["Auto-Submitted"] = "auto-generated"
    message[LOOP_HEADER] = from_.addr_spec
    message.set_content(email.text, charset="utf-8")
    if email.html is not None:
        message.add_alternative(email.html, subtype="html", charset="utf-8")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        if maintype == "text":
            # Our text attachments (the HTML report) are UTF-8; say so, or clients guess.
            message.add_attachment(
                attachment.data.decode("utf-8"),
                subtype=subtype or "plain",
                charset="utf-8",
                filename=attachment.filename,
            )
            continue
        message.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return message
