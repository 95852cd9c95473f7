"""An `OutboundEmail` as a proper MIME message: text and HTML alternatives, UTF-8 headers and
names, attachments, our Message-ID, threading headers, and the marks (RFC 3834
`Auto-Submitted`, `X-Loop`) that keep auto-responders and our own reader from answering it."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from bot.contract import OutboundEmail

LOOP_HEADER = "X-Loop"


def new_message_id(address: str) -> str:
    """A fresh Message-ID in our own domain."""
    return make_msgid(domain=address.rpartition("@")[2] or "localhost")


def sender(address: str, display_name: str) -> Address:
    user, _, domain = address.partition("@")
    return Address(display_name=display_name, username=user, domain=domain)


def compose(email: OutboundEmail, from_: Address, now: datetime) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["From"] = from_
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = email.message_id
    extra = dict(email.headers)
    message["Reply-To"] = extra.pop("Reply-To", from_.addr_spec)
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
