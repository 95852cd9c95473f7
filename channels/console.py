"""The console channel: `cti chat`. Interactive in a terminal; one message per line otherwise.

Options are shown as a numbered list; typing the number or the option's label chooses it, from
the latest replies only (an answer without options leaves nothing to choose by number). In a
question, letters and numbers belong to the question's own options, so the engine reads them.
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

_QUESTION_PREFIXES = ("ans:", "dk:", "skip:")
Render = Callable[..., str]  # a template key and its parameters -> text (the catalog's `render`)
# The mail written since the last call, taken for the terminal (the composition root's reader).
MailReader = Callable[[], Awaitable[list[OutboxItem]]]


def render(reply: OutgoingMessage, files_dir: Path) -> str:
    """A reply as terminal text; attachments are saved under `files_dir`."""
    lines = [reply.text]
    if reply.options and not _is_question(reply.options):
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


def choose(text: str, options: tuple[Option, ...]) -> str | None:
    """The option a typed line picks: its number in the list, or its label. None otherwise."""
    stripped = text.strip()
    if not options:
        return None
    if _is_question(options):
        # Only the non-answer controls are chosen by label; letters/numbers go to the engine.
        for o in options:
            if not o.value.startswith("ans:") and stripped.casefold() == o.label.casefold():
                return o.value
        return None
    if re.fullmatch(r"\d{1,2}", stripped) and 1 <= int(stripped) <= len(options):
        return options[int(stripped) - 1].value
    for o in options:
        if stripped.casefold() == o.label.casefold():
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

    async def send(self, line: str) -> list[OutgoingMessage]:
        option = choose(line, self.options)
        message = IncomingMessage(
            self.key, self.new_id(), text="" if option else line, option=option
        )
        replies = await self.engine.handle(message)
        for reply in replies:
            print(render(reply, self.files_dir), file=self.out, end="\n\n", flush=True)
        # A typed number picks from what is on screen now: the last replies' options, or none.
        # Keeping an older list would turn «1» after «no acepto» into the consent it declined.
        self.options = next((r.options for r in reversed(replies) if r.options), ())
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
