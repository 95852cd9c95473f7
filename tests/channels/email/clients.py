"""Replies written the way Gmail, Outlook, Outlook on the web and iPhone Mail write them: the
templates in `fixtures/`, filled with our headers, the answer typed above the quote and the
mail being answered quoted below it, as each client quotes."""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path
from string import Template

FIXTURES = Path(__file__).parent / "fixtures"
CLIENTS = ("gmail", "outlook", "owa", "apple", "outlook2003")
_uids = itertools.count(1000)


def _plain(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def reply(
    client: str,
    sender: str,
    to: str,
    answering: EmailMessage,
    answer: str,
    *,
    quote_lines: int = 40,
    edit: Callable[[list[str]], list[str]] = list,
) -> bytes:
    """`sender` ("Name <address>") answers `answering` from `client`, its References and
    In-Reply-To pointing at our Message-ID as real clients set them; `edit` changes the quoted
    lines as the official does who types her answers inside the quote."""
    ours = str(answering["Message-ID"])
    references = " ".join([*str(answering.get("References", "")).split(), ours])
    quoted = edit(_plain(answering).splitlines()[:quote_lines])
    subject = str(answering["Subject"])
    address = getaddresses([sender])[0][1]
    filled = Template((FIXTURES / f"{client}.eml").read_text()).substitute(
        sender=sender,
        sender_html=html.escape(sender),
        to=to,
        domain=address.rpartition("@")[2],
        subject=subject if subject.lower().startswith(("re:", "rv:")) else f"RE: {subject}",
        date=format_datetime(datetime.now(UTC)),
        uid=next(_uids),
        in_reply_to=ours,
        references=references,
        answer=answer,
        answer_html="<br>".join(html.escape(line) for line in answer.splitlines()),
        # Outlook 2003's Word editor: one paragraph per line, an empty one between paragraphs.
        answer_paragraphs="\n".join(
            "<p class=MsoNormal><font size=2 color=navy face=Arial><span style='font-size:"
            f"10.0pt;font-family:Arial;color:navy'>{html.escape(line) or '<o:p>&nbsp;</o:p>'}"
            "<o:p></o:p></span></font></p>"
            for line in answer.splitlines()
        ),
        quote_prefixed="\n".join(("> " + line).rstrip() for line in quoted),
        quote_plain="\n".join(quoted),
        quote_html="".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in quoted),
    )
    return filled.replace("\r\n", "\n").replace("\n", "\r\n").encode()
