"""What a person types never becomes markup: HTML emails escape it (Jinja2 autoescaping), and
neither it nor the template syntax in it is evaluated. The HTML report's own escaping of entity
names is checked in tests/report/test_render.py (HOSTILE)."""

from __future__ import annotations

from bot.config import PROJECT_ROOT
from channels.email.render import EmailRenderer
from tests.conversation.chat import Chat

ROLE = '<script>alert("rol")</script> Jefe {{ 1234*567 }}'
NEW_ROLE = "<img src=x onerror=alert(1)> Secretario &amp; TIC"


async def test_html_email_escapes_what_the_person_typed(engine):
    renderer = EmailRenderer(PROJECT_ROOT / "data" / "templates")
    ana = Chat(engine, "ana@pasto.gov.co", channel="email")
    htmls: list[str] = []

    async def say(text: str) -> str:
        replies = await ana.send(text)
        htmls.append(renderer.render(replies, ana.address, "<x@cti>").html or "")
        return ana.text

    for line in ("hola", "acepto", "alcaldía", "Pasto", "sí", "Ana Pérez"):
        await say(line)
    text = await say(ROLE)
    assert ROLE in text  # the plain text shows it as typed...
    assert "&lt;script&gt;alert(&#34;rol&#34;)&lt;/script&gt; Jefe {{ 1234*567 }}" in htmls[-1]
    await say("sí")
    await say("corregir mi cargo")
    await say(NEW_ROLE)
    assert "&lt;img src=x onerror=alert(1)&gt; Secretario &amp;amp; TIC" in htmls[-1]
    await say("sí")
    await say("descargar mis datos")
    for html in htmls:  # ...and no HTML part carries it as markup, or evaluates it
        assert "<script" not in html and "<img" not in html and "699678" not in html
