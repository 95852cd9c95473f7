"""The engine's replies to one email, as one email back: text and HTML alternatives, options as
a numbered list (the reply "2" or the option's words choose it), files attached, threaded under
the message it answers. Jinja2 escapes every text in the HTML part."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.contract import Notice, OutboundEmail, OutgoingMessage


@dataclass(frozen=True, slots=True)
class Thread:
    """What the email being answered says about its thread."""

    subject: str = ""
    message_id: str | None = None
    references: tuple[str, ...] = ()


class EmailRenderer:
    def __init__(self, templates: Path) -> None:
        texts = yaml.safe_load((templates / "email.yml").read_text("utf-8"))
        self._env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=select_autoescape(["html", "j2"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._text_env = Environment(undefined=StrictUndefined, autoescape=False)
        self._texts = {str(k): str(v).strip() for k, v in texts.items()}
        self._html = self._env.get_template("email.html.j2")

    def text(self, key: str, **params: object) -> str:
        return self._text_env.from_string(self._texts[key]).render(**params)

    def subject(self, thread: Thread) -> str:
        subject = thread.subject.strip()
        if not subject:
            return self.text("email.subject")
        return subject if subject.lower().startswith(("re:", "rv:", "fw:")) else f"Re: {subject}"

    def notice(self, notice: Notice) -> OutboundEmail:
        thread = Thread(notice.subject, notice.in_reply_to, notice.references)
        return self.render(notice.replies, notice.key.address, notice.notice_id, thread)

    def render(
        self,
        replies: Sequence[OutgoingMessage],
        recipient: str,
        message_id: str,
        thread: Thread = Thread(),
    ) -> OutboundEmail:
        attachments = tuple(a for r in replies for a in r.attachments)
        names = [a.filename for a in attachments]
        footer = self.text("email.footer")
        options_intro = self.text("email.options")
        lines: list[str] = []
        parts = []
        for reply in replies:
            lines.append(reply.text)
            labels = [o.label for o in reply.options]
            if labels:
                lines.append(options_intro)
                lines.extend(f"  {i}. {label}" for i, label in enumerate(labels, 1))
            lines.append("")
            paragraphs = [p.split("\n") for p in reply.text.split("\n\n") if p.strip()]
            parts.append({"paragraphs": paragraphs, "options": labels})
        attachments_note = self.text("email.attachments", names=names) if names else ""
        if attachments_note:
            lines += [attachments_note, ""]
        lines.append(footer)
        html = self._html.render(
            parts=parts,
            options_intro=options_intro,
            attachments=attachments_note,
            footer=footer.split("\n"),
        )
        headers: list[tuple[str, str]] = []
        if thread.message_id:
            headers.append(("In-Reply-To", thread.message_id))
            headers.append(("References", " ".join((*thread.references, thread.message_id))))
        return OutboundEmail(
            recipient=recipient,
            subject=self.subject(thread),
            text="\n".join(lines).strip() + "\n",
            message_id=message_id,
            html=html,
            attachments=attachments,
            headers=tuple(headers),
            kind="conversation",
        )
