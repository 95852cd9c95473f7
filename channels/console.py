"""The console channel: `cti chat`. Interactive in a terminal; one message per line otherwise.

Options are shown as a numbered list; typing the number or the option's label (accents and
capitals optional) chooses it, from the latest replies only (an answer without options leaves
nothing to choose by number). One numbered list per answer at most: when several replies carry
options (the results, then the review), only the last is numbered and the others are shown as
words, which can be typed. In a question, letters and numbers belong to the question's own
options, so the engine reads them.
Files (report, chart) are written to a folder and their paths printed.

Console mail: with the email channel off (a local demo), the mail the assistant writes (the
code that verifies an address, a colleague's approval request) is shown in the terminal after
each reply, like Django's console email backend, so a person at the console can read it.
"""

from __future__ import annotations

import asyncio
import re
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.contract import (
    ConversationKey,
    IncomingMessage,
    MessageHandler,
    Notice,
    Option,
    OutboundEmail,
    OutboxItem,
    OutgoingMessage,
)
from nlu.text import fold_phrase

_QUESTION_PREFIXES = ("ans:", "dk:", "skip:")
Render = Callable[..., str]  # a template key and its parameters -> text (the catalog's `render`)
# The mail written since the last call, taken for the terminal (the composition root's reader).
MailReader = Callable[[], Awaitable[list[OutboxItem]]]


def render(reply: OutgoingMessage, files_dir: Path, numbered: bool = True) -> str:
    """A reply as terminal text; attachments are saved under `files_dir`. `numbered`: its
    options are the list a typed number picks from; otherwise they are shown as words."""
    lines = [reply.text]
    if reply.options and not numbered and not _is_question(reply.options):
        lines.append("  [" + " · ".join(o.label for o in reply.options) + "]")
    elif reply.options and not _is_question(reply.options):
        lines.append("")
        lines += [f"  {i}. {o.label}" for i, o in enumerate(reply.options, 1)]
    elif reply.options:
        extra = [o.label for o in reply.options if not o.value.startswith("ans:")]
        if extra:
            lines.append("  [" + " · ".join(extra) + "]")
    for attachment in reply.attachments:
        files_dir.mkdir(parents=True, exist_ok=True)
        path = files_dir / attachment.filename
        path.write_bytes(attachment.data)
        lines.append(f"  📎 {attachment.filename}: {path}")
    return "\n".join(lines)


def render_mail(item: OutboxItem, texts: Render) -> str:
    """One outgoing mail as the terminal shows it: to whom, the subject, the text."""
    if isinstance(item, OutboundEmail):
        recipient, subject, body = item.recipient, item.subject, item.text
    else:
        assert isinstance(item, Notice)
        recipient, subject = item.key.address, item.subject
        parts = []
        for reply in item.replies:
            parts.append(reply.text)
            parts += [f"  {i}. {o.label}" for i, o in enumerate(reply.options, 1)]
        body = "\n".join(parts)
    header = texts("console.mail", recipient=recipient, subject=subject)
    indented = "\n".join(f"  │ {line}" if line else "  │" for line in body.splitlines())
    return f"{header}\n{indented}"


def _is_question(options: tuple[Option, ...]) -> bool:
    return any(o.value.startswith(_QUESTION_PREFIXES) for o in options)


def _same(typed: str, label: str) -> bool:
    """A label typed as people type it: «enviar diagnostico» is «Enviar diagnóstico»."""
    return fold_phrase(typed) == fold_phrase(label)


def choose(text: str, options: tuple[Option, ...], worded: tuple[Option, ...] = ()) -> str | None:
    """The option a typed line picks: its number in the list, or its label (also the label of
    an option shown as words, `worded`). None otherwise."""
    stripped = text.strip()
    if _is_question(options):
        # Only the non-answer controls are chosen by label; letters/numbers go to the engine.
        for o in options:
            if not o.value.startswith("ans:") and _same(stripped, o.label):
                return o.value
        return next((o.value for o in worded if _same(stripped, o.label)), None)
    if re.fullmatch(r"\d{1,2}", stripped) and 1 <= int(stripped) <= len(options):
        return options[int(stripped) - 1].value
    for o in options + worded:
        if _same(stripped, o.label):
            return o.value
    return None


class Console:
    def __init__(
        self,
        engine: MessageHandler,
        address: str,
        files_dir: Path,
        texts: Render,
        out: TextIO = sys.stdout,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        mail: MailReader | None = None,
    ) -> None:
        self.engine, self.files_dir, self.out, self.new_id = engine, files_dir, out, new_id
        self.texts, self.mail = texts, mail
        self.key = ConversationKey("console", address)
        self.options: tuple[Option, ...] = ()
        self.worded: tuple[Option, ...] = ()  # options shown as words (chosen by label only)

    async def send(self, line: str) -> list[OutgoingMessage]:
        option = choose(line, self.options, self.worded)
        message = IncomingMessage(
            self.key, self.new_id(), text="" if option else line, option=option
        )
        replies = await self.engine.handle(message)
        # A typed number picks from what is on screen now: the last replies' options, or none.
        # Keeping an older list would turn «1» after «no acepto» into the consent it declined.
        last = max((i for i, r in enumerate(replies) if r.options), default=None)
        for i, reply in enumerate(replies):
            shown = render(reply, self.files_dir, numbered=i == last)
            print(shown, file=self.out, end="\n\n", flush=True)
        self.options = replies[last].options if last is not None else ()
        self.worded = tuple(o for r in replies[:last] for o in r.options) if last else ()
        if self.mail is not None:
            for item in await self.mail():
                print(render_mail(item, self.texts), file=self.out, end="\n\n", flush=True)
        return replies

    async def run_script(self, lines: TextIO) -> None:
        """Non-interactive: every line is one message (blank lines skipped, '#' comments too)."""
        for raw in lines:
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            print(f"> {line}", file=self.out, flush=True)
            await self.send(line)

    async def run_interactive(self) -> None:
        print(self.texts("console.welcome") + "\n", file=self.out)
        await self.send("hola")
        while True:
            try:
                line = await asyncio.to_thread(input, "> ")
            except (EOFError, KeyboardInterrupt):
                print("\n" + self.texts("console.goodbye"), file=self.out)
                return
            if line.strip():
                await self.send(line)
