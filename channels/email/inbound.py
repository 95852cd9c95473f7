"""A received email, read defensively: small pure filters, each with one job (after Zammad).

    read(raw, our_address, limits) -> InboundMail | Rejected

Rejected: oversized mail, MIME bombs (too many parts or too deep), robots (auto-replies,
out-of-office, delivery reports, mailing lists: RFC 3834 `Auto-Submitted`, `Precedence`,
`List-*`, `X-Autoreply`...), our own mail coming back (`X-Loop`, or From: our address), mail with
no usable sender. The assistant never answers a robot, so two robots never talk forever.

What remains is the new text of the message: the plain part (or the HTML one as text), without
the quoted conversation below it or the signature, plus its attachments and threading headers.
Every parser here is linear in its input, and its input is bounded first: a body is cut at
`MAX_BODY_CHARS` (HTML at `MAX_HTML_CHARS`) before the quote is looked for, so a megabyte of
blank lines costs milliseconds; escape sequences and control characters never get through.

What proves who sent it is not decided here: the mail carries the reply keys it quotes (see
`bot.replykeys`) and whether our border server authenticated its From: domain.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

from bot.contract import Attachment
from bot.printable import printable
from bot.replykeys import keys_in
from channels.email.authentication import MAX_HEADERS, NO_CHECK, AuthPolicy, passes
from channels.email.compose import LOOP_HEADER

MAX_BODY_CHARS = 64 * 1024  # far more than anyone types; the rest is quoted history or abuse
MAX_HTML_CHARS = 256 * 1024  # HTML is verbose; Python 3.11's HTMLParser is slow on some inputs
MAX_SUBJECT_CHARS = 998  # RFC 5322's line limit
MAX_REFERENCES = 50


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 10 * 1024 * 1024
    max_parts: int = 64
    max_depth: int = 8


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class InboundMail:
    message_id: str
    sender: str  # lower-case address
    sender_name: str
    subject: str
    text: str  # the new text only
    attachments: tuple[Attachment, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    # Reply keys the mail brings back (threading headers, the plus-address it was sent to):
    # proof of mailbox control once one matches the sender (`bot.replykeys`).
    keys: tuple[str, ...] = ()
    # Whether our border server vouched for the From: domain (Authentication-Results); true
    # when no check is configured.
    authenticated: bool = True


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: (
        str  # oversized | mime_bomb | auto_reply | bounce | list | loop | no_sender | unreadable
    )
    detail: str = ""


# --- the filters --------------------------------------------------------------------------------

_ROBOT_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_ROBOT_HEADERS = (
    "X-Autoreply",
    "X-Autorespond",
    "X-Auto-Response-Suppress-Robot",
    "X-Autoresponder",
)
_LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post", "Mailing-List")
_DAEMONS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.IGNORECASE)
_OOO_SUBJECT = re.compile(
    r"^(respuesta autom[aá]tica|autoreply|auto-reply|automatic reply|out of office"
    r"|fuera de la oficina|undeliverable|delivery status notification"
    r"|no se puede entregar)",
    re.IGNORECASE,
)


def too_many_parts(raw: bytes, limits: Limits) -> Rejected | None:
    """A cheap look at the bytes before parsing: the parser spends about 0.7 ms per MIME part
    (200,000 tiny parts fit in 7 MB and would hold the event loop for two minutes), so mail
    with far more part delimiters or headers than `max_parts` allows is refused unparsed. The
    margin leaves room for text lines that merely start with "--" (signatures, separators)."""
    ceiling = 4 * limits.max_parts + 64
    delimiters = raw.count(b"\n--")
    if delimiters > ceiling:
        return Rejected("mime_bomb", f"{delimiters} delimiter lines")
    headers = raw.lower().count(b"\ncontent-type:")
    if headers > ceiling:
        return Rejected("mime_bomb", f"{headers} Content-Type headers")
    return None


def _shape(message: Message, depth: int = 0) -> tuple[int, int]:
    """(parts, depth) of a MIME tree, stopping early on absurd trees."""
    if not message.is_multipart():
        return 1, depth
    payload = message.get_payload()
    assert isinstance(payload, list)
    parts, deepest = 1, depth
    for child in payload[:1000]:
        n, d = _shape(child, depth + 1)
        parts, deepest = parts + n, max(deepest, d)
    return parts, deepest


def robot(message: EmailMessage, our_address: str) -> Rejected | None:
    """Why this mail must get no answer, if it must not."""
    loop = [v.strip().lower() for v in message.get_all(LOOP_HEADER, [])]
    senders = [a.lower() for _, a in getaddresses([str(message.get("From", ""))]) if a]
    if our_address.lower() in loop or our_address.lower() in senders:
        return Rejected("loop")
    if (
        message.get_content_type() == "multipart/report"
        or str(message.get("Return-Path", "")).strip() == "<>"
    ):
        return Rejected("bounce", message.get_content_type())
    if any(_DAEMONS.match(s) for s in senders):
        return Rejected("bounce", "daemon sender")
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return Rejected("auto_reply", f"Auto-Submitted: {auto}")
    for name in _ROBOT_HEADERS:
        if name in message:
            return Rejected("auto_reply", name)
    if str(message.get("Precedence", "")).strip().lower() in _ROBOT_PRECEDENCE:
        return Rejected(
            "list" if "list" in str(message["Precedence"]).lower() else "auto_reply", "Precedence"
        )
    for name in _LIST_HEADERS:
        if name in message:
            return Rejected("list", name)
    if _OOO_SUBJECT.match(str(message.get("Subject", "")).strip()):
        return Rejected("auto_reply", "subject")
    return None


# --- the text -----------------------------------------------------------------------------------


class _HtmlText(HTMLParser):
    """HTML to plain text, leaving out scripts, styles and quoted replies (blockquote and the
    quote containers of Gmail and Outlook)."""

    _BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table", "ul", "ol"})
    _SKIP = frozenset({"script", "style", "head", "title", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip_stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
        if (
            self._skip_stack
            or tag in self._SKIP
            or "gmail_quote" in classes
            or "divRplyFwdMsg" in classes
        ):
            self._skip_stack.append(tag)
            return
        if tag == "br":
            self.out.append("\n")
        elif tag in self._BLOCK:
            self._newline()

    def _newline(self) -> None:
        # Nested blocks (<div><p>) end one line, not several.
        if self.out and not self.out[-1].endswith("\n"):
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skip_stack:
            if tag == self._skip_stack[-1]:
                self._skip_stack.pop()
            return
        if tag in self._BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if not self._skip_stack:
            self.out.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.out).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_REPLY_START = re.compile(r"^\s*(el|on)\s", re.IGNORECASE)
_REPLY_END = re.compile(r"(escribi[oó]|wrote)\s*:\s*$", re.IGNORECASE)
_SEPARATORS = re.compile(
    r"^\s*(-{2,}\s*(mensaje original|original message|mensaje reenviado|forwarded message)\s*-{2,}"
    r"|_{10,})\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(de|from)\s*:\*?\s+\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(enviado|sent|fecha|date|para|to)\s*:", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"^\s*(--\s*|enviado desde mi \w+.*|sent from my \w+.*|obtener outlook para .*)$", re.IGNORECASE
)


def strip_reply(text: str) -> str:
    """The new text of a reply: up to the quoted conversation or the signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if _SEPARATORS.match(line) or _SIGNATURE.match(line):
            break
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_NEXT.match(n) for n in lines[i + 1 : i + 4]):
            break
        # "El lun, 2 mar 2026 a las 10:00, Asistente <x@y> escribió:" may wrap over 2-3 lines.
        if _REPLY_START.match(line) and any(_REPLY_END.search(n) for n in lines[i : i + 3]):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        content = html_to_text(content[:MAX_HTML_CHARS])
    return strip_reply(printable(content[:MAX_BODY_CHARS]))


def attachments(message: EmailMessage, max_files: int = 10) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    for part in message.iter_attachments():
        if len(found) >= max_files:
            break
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and part.get_filename():
            found.append(Attachment(str(part.get_filename()), part.get_content_type(), data))
    return tuple(found)


def _ids(value: object, limit: int = MAX_REFERENCES) -> tuple[str, ...]:
    """Message-IDs in a header, the last `limit` (the nearest ancestors of the thread)."""
    return tuple(re.findall(r"<[^<>\s]{1,250}>", str(value or "")[-64 * 1024 :]))[-limit:]


_RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")


def _recipients(message: EmailMessage) -> list[str]:
    values = [str(v)[:4096] for name in _RECIPIENT_HEADERS for v in message.get_all(name, [])[:5]]
    return [a for _, a in getaddresses(values)[:50] if a]


def read(
    raw: bytes,
    our_address: str,
    limits: Limits = DEFAULT_LIMITS,
    auth: AuthPolicy = NO_CHECK,
    envelope: tuple[str, ...] = (),
) -> InboundMail | Rejected:
    """`envelope`: the SMTP recipients, when a relay hands the mail to our listener."""
    if len(raw) > limits.max_bytes:
        return Rejected("oversized", f"{len(raw)} bytes")
    bomb = too_many_parts(raw, limits)
    if bomb is not None:
        return bomb
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; anything it still refuses is unreadable
        return Rejected("unreadable", type(exc).__name__)
    assert isinstance(message, EmailMessage)
    parts, depth = _shape(message)
    if parts > limits.max_parts or depth > limits.max_depth:
        return Rejected("mime_bomb", f"{parts} parts, depth {depth}")
    try:
        rejected = robot(message, our_address)
        addresses = getaddresses([str(message.get("From", ""))])
    except Exception as exc:  # malformed headers
        return Rejected("unreadable", type(exc).__name__)
    if rejected is not None:
        return rejected
    if not addresses or "@" not in addresses[0][1]:
        return Rejected("no_sender")
    name, address = addresses[0]
    message_id = (_ids(message.get("Message-ID")) or (None,))[0]
    if message_id is None:
        # Some clients send none; a hash of the bytes still recognises a redelivered copy.
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:40]}@sin-message-id>"
    try:
        in_reply_to = _ids(message.get("In-Reply-To"), 1)
        references = _ids(message.get("References"))
        recipients = _recipients(message)
        results = [str(v) for v in message.get_all("Authentication-Results", [])[:MAX_HEADERS]]
    except Exception as exc:  # malformed headers
        return Rejected("unreadable", type(exc).__name__)
    sender = address.strip().lower()
    return InboundMail(
        message_id=message_id,
        sender=sender,
        sender_name=printable(name)[:200].strip(),
        subject=printable(str(message.get("Subject", ""))[:MAX_SUBJECT_CHARS]).strip(),
        text=body_text(message),
        attachments=attachments(message),
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=references,
        keys=keys_in([*in_reply_to, *references, *recipients, *envelope]),
        authenticated=passes(auth, results, sender.rpartition("@")[2]),
    )
