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
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses
from html import unescape

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
        n, d = _shape(child, depth + 1) if isinstance(child, Message) else (1, depth + 1)
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


_BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table", "ul", "ol"})
_SKIP = frozenset({"script", "style", "head", "title", "blockquote"})
_VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "wbr", "col", "area", "base"})
_QUOTE_MARKS = ("gmail_quote", "divRplyFwdMsg")  # the quote containers of Gmail and Outlook
# Outlook on the web puts only the header block in `divRplyFwdMsg` and the quoted mail after it,
# outside any container: from its marker on, nothing is new text.
_END_MARKS = ("appendonsend", "divRplyFwdMsg")


def _html_tokens(html: str) -> Iterator[tuple[bool, str]]:
    """(is_tag, text) pieces of HTML in one left-to-right pass. Python 3.11's HTMLParser
    rescans to the end for each unclosed construct (`<a ` or `<!--` repeated: 32 KB took 7 s),
    so this scanner looks for each terminator once: an unclosed comment or tag ends the text."""
    i, n = 0, len(html)
    while i < n:
        lt = html.find("<", i)
        if lt < 0:
            yield False, html[i:]
            return
        if lt > i:
            yield False, html[i:lt]
        if html.startswith("<!--", lt):
            close = html.find("-->", lt + 4)
            if close < 0:
                return
            i = close + 3
            continue
        gt = html.find(">", lt + 1)
        if gt < 0:
            return
        yield True, html[lt + 1 : gt]
        i = gt + 1


def html_to_text(html: str) -> str:
    """HTML to plain text, leaving out scripts, styles and quoted replies (blockquote and the
    quote containers of Gmail and Outlook). Linear in the input, which is cut first."""
    out: list[str] = []
    skip: list[str] = []

    def newline() -> None:
        # Nested blocks (<div><p>) end one line, not several.
        if out and not out[-1].endswith("\n"):
            out.append("\n")

    for is_tag, piece in _html_tokens(html[:MAX_HTML_CHARS]):
        if not is_tag:
            if not skip:
                out.append(unescape(piece))
            continue
        closing = piece.startswith("/")
        name = piece.lstrip("/").split(None, 1)[0].rstrip("/").lower() if piece.strip("/ ") else ""
        if closing:
            if skip:
                if name == skip[-1]:
                    skip.pop()
            elif name in _BLOCK:
                newline()
            continue
        if name.startswith(("!", "?")):
            continue  # a declaration or processing instruction
        if not skip and any(mark in piece for mark in _END_MARKS):
            break
        if skip or name in _SKIP or any(mark in piece for mark in _QUOTE_MARKS):
            if name not in _VOID:
                skip.append(name)
            continue
        if name == "br":
            out.append("\n")
        elif name in _BLOCK:
            newline()
    lines = (" ".join(line.split()) for line in "".join(out).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_REPLY_START = re.compile(r"^\s*(el|on)\s", re.IGNORECASE)
_REPLY_END = re.compile(r"(escribi[oó]|wrote)\s*:\s*$", re.IGNORECASE)
_SEPARATORS = re.compile(
    r"^\s*(-{2,}\s*(mensaje original|original message|mensaje reenviado|forwarded message)\s*-{2,}"
    r"|_{10,})\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(de|from)\s*:\*?\s+\S", re.IGNORECASE)
# Outlook for Windows in Spanish says "Enviado el:"; its HTML leaves blank lines between them.
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(enviado(?: el)?|sent|fecha|date|para|to)\s*:", re.IGNORECASE)
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
        if _OUTLOOK_FROM.match(line):
            following = [n for n in lines[i + 1 : i + 8] if n.strip()][:3]
            if any(_OUTLOOK_NEXT.match(n) for n in following):
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
        content = html_to_text(content)
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


def _raw(message: EmailMessage, names: tuple[str, ...], cap: int, count: int = 5) -> list[str]:
    """Raw header values, each cut at `cap`: the library's structured header parser is slow on
    a 200 KB `References`, and these are read with our own linear code anyway."""
    wanted = {n.lower() for n in names}
    found = [str(v)[:cap] for k, v in message.raw_items() if k.lower() in wanted]
    return found[:count] if count else found


def _header(message: EmailMessage, name: str, cap: int) -> str:
    """One header's value as the library decodes it (unfolded, encoded words read), unless
    it is huge: then its raw text, cut, since decoding it would cost seconds."""
    raw = _raw(message, (name,), cap + 1, 1)
    if not raw:
        return ""
    if len(raw[0]) <= 8192:
        return str(message.get(name, ""))
    return raw[0][:cap]


def _recipients(message: EmailMessage) -> list[str]:
    values = _raw(message, _RECIPIENT_HEADERS, 4096, 10)
    return [a for _, a in getaddresses([" ".join(v.split()) for v in values])[:50] if a]


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
        in_reply_to = _ids(_header(message, "In-Reply-To", 4096), 1)
        references = _ids(_header(message, "References", 64 * 1024))
        recipients = _recipients(message)
        results = _raw(message, ("Authentication-Results",), 8192, MAX_HEADERS)
    except Exception as exc:  # malformed headers
        return Rejected("unreadable", type(exc).__name__)
    sender = address.strip().lower()
    return InboundMail(
        message_id=message_id,
        sender=sender,
        sender_name=printable(name)[:200].strip(),
        subject=printable(
            _header(message, "Subject", MAX_SUBJECT_CHARS)[:MAX_SUBJECT_CHARS]
        ).strip(),
        text=body_text(message),
        attachments=attachments(message),
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=references,
        keys=keys_in([*in_reply_to, *references, *recipients, *envelope]),
        authenticated=passes(auth, results, sender.rpartition("@")[2]),
    )
