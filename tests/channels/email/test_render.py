"""The engine's replies rendered as one email."""

from __future__ import annotations

from bot.config import PROJECT_ROOT
from bot.contract import Attachment, ConversationKey, Option, OutgoingMessage
from channels.email.render import EmailRenderer, Thread

KEY = ConversationKey("email", "ana@pasto.gov.co")
RENDERER = EmailRenderer(PROJECT_ROOT / "data" / "templates")


def test_replies_become_one_threaded_email_with_numbered_options():
    replies = [
        OutgoingMessage(KEY, "Gracias. Su autorización quedó registrada."),
        OutgoingMessage(
            KEY,
            "¿Su entidad es una alcaldía o una gobernación?",
            (Option("kind:alcaldia", "Alcaldía"), Option("kind:gobernacion", "Gobernación")),
        ),
    ]
    email = RENDERER.render(
        replies,
        KEY.address,
        "<r1@cti.test>",
        Thread("Diagnóstico", "<m1@pasto.gov.co>", ("<m0@cti.test>",)),
    )
    assert email.subject == "Re: Diagnóstico"
    assert dict(email.headers) == {
        "In-Reply-To": "<m1@pasto.gov.co>",
        "References": "<m0@cti.test> <m1@pasto.gov.co>",
    }
    assert "  1. Alcaldía\n  2. Gobernación" in email.text
    assert email.text.index("registrada") < email.text.index("alcaldía o una gobernación")
    assert "Ley 1581" in email.text
    assert email.html is not None and "<li>Alcaldía</li>" in email.html


def test_html_is_escaped_and_files_attached():
    report = Attachment("informe-cti.html", "text/html", b"<html></html>")
    replies = [OutgoingMessage(KEY, "<script>alert(1)</script> {{7*7}} & <b>", (), (report,))]
    email = RENDERER.render(replies, KEY.address, "<r2@cti.test>")
    assert email.subject.startswith("Asistente CTI")
    assert email.html is not None
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert "{{7*7}}" in email.html and "49" not in email.html
    assert email.attachments == (report,)
    assert "informe-cti.html" in email.text
