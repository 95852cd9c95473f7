"""Mail as officials' clients write it, through the email channel's inbound parsing (`read`):
each client's quote and attribution in Spanish and English, answers typed below or inside our
quoted block of questions, a salutation paragraph before the request, and robots. The shapes
are those of the real mail in `fixtures/real/` and of each client's own output."""

from __future__ import annotations

import html
from email.message import EmailMessage

import pytest

from channels.email.inbound import InboundMail, Rejected, read

US = "asistente@cti.test"
ATTRIBUTION = "El sáb, 5 dic 2026 a las 10:00, Asistente CTI <asistente@cti.test> escribió:"
# Our block of questions as `q.block` in data/templates/messages.yml renders it.
BLOCK = """Personas · Educación
Avance del diagnóstico: 0 de 30 preguntas (0 %).

1) ¿Cuántas secretarías usan datos para decidir? (pregunta 1)
   a) Ninguna
   b) Algunas
   Ayuda: cuente las secretarías.

2) ¿Qué porcentaje de sedes educativas tiene internet? (pregunta 2)
   Escriba la cifra en %, entre 0 y 100.
   Ayuda: sedes con conexión.

Responda arriba de este mensaje, una línea por pregunta, con la letra de la opción o la \
cifra. También puede escribir «no sé» u «omitir». Por ejemplo:
1)
2)

Otras opciones: «revisar», «resultados», «pausa», «excel» o «mis datos».
--
Asistente CTI · Programa Ciudades y Territorios Inteligentes, MinTIC."""


def quoted(text: str = BLOCK) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines())


def text_of(body: str, *, html: bool = False, **headers: str) -> str:
    message = EmailMessage()
    message["From"] = "Ana Pérez <ana.perez@pasto.gov.co>"
    message["To"] = US
    message["Subject"] = headers.pop("Subject", "Re: Autodiagnóstico")
    message["Message-ID"] = "<r1@pasto.gov.co>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body, subtype="html" if html else "plain")
    got = read(message.as_bytes(), US)
    assert isinstance(got, InboundMail), got
    return got.request  # what the conversation reads


@pytest.mark.parametrize(
    "client,below",
    [
        ("gmail", f"{ATTRIBUTION}\n\n{quoted()}"),
        # Gmail wraps a long attribution.
        (
            "gmail wrapped",
            "El sáb, 5 dic 2026 a las 10:00, Asistente CTI del programa Ciudades y Territorios "
            f"(<\nasistente@cti.test>) escribió:\n\n{quoted()}",
        ),
        ("gmail english", f"On Sat, Dec 5, 2026 at 10:00 AM Asistente CTI <{US}> wrote:\n\n"),
        (
            "outlook desktop",
            f"De: Asistente CTI <{US}>\nEnviado el: sábado, 5 de diciembre de 2026 10:00\n"
            f"Para: Ana Pérez\nAsunto: Autodiagnóstico\n\n{BLOCK}",
        ),
        (
            "outlook english",
            f"From: Asistente CTI <{US}>\nSent: Saturday, December 5, 2026 10:00 AM\n"
            f"To: Ana Pérez\nSubject: Autodiagnóstico\n\n{BLOCK}",
        ),
        (
            "owa",
            f"________________________________\nDe: Asistente CTI <{US}>\n"
            f"Enviado: sábado, 5 de diciembre de 2026 10:00\nPara: Ana Pérez\n\n{BLOCK}",
        ),
        (
            "outlook mobile",
            "Obtener Outlook para Android<https://aka.ms/AAb9ysg>\n"
            f"________________________________\nFrom: Asistente CTI <{US}>\n"
            f"Sent: Saturday, December 5, 2026 10:00:00 AM\nTo: Ana Pérez\n\n{BLOCK}",
        ),
        ("iphone", f"Enviado desde mi iPhone\n\n> {ATTRIBUTION}\n>\n{quoted()}"),
        (
            "apple mail",
            "> El 5 dic 2026, a las 10:00, Asistente CTI <asistente@cti.test> escribió:\n"
            f">\n{quoted()}",
        ),
        (
            "yahoo",
            "En sábado, 5 de diciembre de 2026, 10:00:00 a. m. COT, Asistente CTI "
            f"<{US}> escribió:\n\n\n{quoted()}",
        ),
        (
            "yahoo english",
            "On Saturday, December 5, 2026, 10:00:00 AM GMT-5, Asistente CTI "
            f"<{US}> wrote:\n\n\n{quoted()}",
        ),
        ("thunderbird", f"El 5/12/26 a las 10:00, Asistente CTI escribió:\n{quoted()}"),
        (
            "zimbra",
            f'----- Mensaje original -----\nDe: "Asistente CTI" <{US}>\nPara: "Ana Pérez" '
            "<ana.perez@pasto.gov.co>\nEnviados: Sábado, 5 de Diciembre 2026 10:00:00\n"
            f"Asunto: Autodiagnóstico\n\n{BLOCK}",
        ),
        ("roundcube", f"El 2026-12-05 10:00, Asistente CTI escribió:\n{quoted()}"),
        # Hotmail / Outlook.com put the date first: found by mail-parser-reply's patterns.
        (
            "hotmail",
            f"Date: Sat, 5 Dec 2026 10:00:00 -0500\nSubject: Autodiagnóstico\nFrom: {US}\n"
            f"To: ana.perez@pasto.gov.co\n\n{BLOCK}",
        ),
        (
            "hotmail spanish",
            f"Fecha: Sat, 5 Dec 2026 10:00:00 -0500\nAsunto: Autodiagnóstico\nDe: {US}\n"
            f"Para: ana.perez@pasto.gov.co\n\n{BLOCK}",
        ),
    ],
)
def test_each_client_s_quote_is_left_out(client: str, below: str) -> None:
    assert text_of(f"1) b\n2) 40\n\n{below}") == "1) b\n2) 40", client


def test_a_quoted_earlier_figure_under_a_yahoo_header_is_not_a_new_answer() -> None:
    body = (
        f"1) b\n\nEn sábado, 5 de diciembre de 2026, 10:00:00 a. m. COT, Asistente CTI <{US}> "
        "escribió:\n\n\nEsto es lo que entendí de su mensaje:\n• 1) ✓ a) Ninguna\n• 2) ✓ 30 %"
    )
    assert text_of(body) == "1) b"


def test_our_read_back_lines_are_never_read_as_answers() -> None:
    body = "Esto es lo que entendí de su mensaje:\n• 1) ✓ b) Algunas\n• 2) ✓ 40 %\n\n2) 45"
    assert text_of(body) == "2) 45"


def test_answers_typed_under_each_quoted_question_are_read_with_their_number() -> None:
    lines = []
    for line in BLOCK.splitlines():
        lines.append(f"> {line}".rstrip())
        if line.startswith("   Ayuda: cuente"):
            lines.append("b")
        if line.startswith("   Ayuda: sedes"):
            lines.append("45%.")
    assert text_of(f"{ATTRIBUTION}\n" + "\n".join(lines)) == "1) b\n2) 45%."
    # Thunderbird's bottom posting, a plain reply below the quote.
    assert text_of(f"{ATTRIBUTION}\n> Hola\nQuiero el diagnóstico") == "Quiero el diagnóstico"


def test_answers_written_inside_the_quoted_template_are_read() -> None:
    filled = BLOCK.replace("1)\n2)", "1) b\n2) 45")
    assert text_of(f"{ATTRIBUTION}\n{quoted(filled)}") == "1) b\n2) 45"
    # Outlook and OWA quote without marks, under their header block.
    outlook = (
        f"De: Asistente CTI <{US}>\nEnviado el: sábado, 5 de diciembre de 2026 10:00\n"
        f"Para: Ana Pérez\nAsunto: Autodiagnóstico\n\n{filled}"
    )
    assert text_of(outlook) == "1) b\n2) 45"
    # Or under each question, where only the options, the unit and the help are ours.
    under = []
    for line in BLOCK.splitlines():
        under.append(line.strip())  # Outlook's plain part loses our indentation
        if line.startswith("   Ayuda: cuente"):
            under.append("b")
        if line.startswith("   Ayuda: sedes"):
            under += ["45%.", "según el censo de sedes"]
    outlook = outlook.replace(filled, "\n".join(under))
    assert text_of(outlook) == "1) b\n2) 45%.\nsegún el censo de sedes"
    # Yahoo's plain part quotes without marks under its attribution: the same reading, and
    # none of our lines (a question, its options, a read-back) is taken as typed.
    yahoo = (
        f"En sábado, 5 de diciembre de 2026, 10:00:00 a. m. COT, Asistente CTI <{US}> "
        "escribió:\n\nEsto es lo que entendí de su mensaje:\n• 1) ✓ a) Ninguna\n\n"
    )
    assert text_of(yahoo + "\n".join(under)) == "1) b\n2) 45%.\nsegún el censo de sedes"
    assert text_of(yahoo + BLOCK) == ""
    # Phones put their signature above the quote.
    mobile = (
        "Obtener Outlook para Android<https://aka.ms/AAb9ysg>\n"
        f"________________________________\nFrom: Asistente CTI <{US}>\n"
        f"Sent: Saturday, December 5, 2026 10:00:00 AM\nTo: Ana Pérez\n\n{filled}"
    )
    assert text_of(mobile) == "1) b\n2) 45"
    iphone = [f"> {line}".rstrip() for line in BLOCK.splitlines()]
    iphone.insert(
        iphone.index("> 2) ¿Qué porcentaje de sedes educativas tiene internet? (pregunta 2)"), "b"
    )
    iphone.append("45")
    body = f"Enviado desde mi iPhone\n\n> {ATTRIBUTION}\n>\n" + "\n".join(iphone)
    assert text_of(body) == "1) b\n2) 45"
    assert text_of("Enviado desde mi iPhone") == ""
    # The empty template, quoted, is no answer.
    assert text_of(f"Gracias\n\n{ATTRIBUTION}\n{quoted()}") == "Gracias"


def html_lines(text: str) -> str:
    return "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in text.splitlines())


def test_html_only_answers_between_quoted_questions_and_in_the_template_are_read() -> None:
    """Gmail splits its quote where the official types under a question; Outlook on the web
    quotes after its `divRplyFwdMsg` header block, with no container."""
    first, rest = BLOCK.split("\n\n2) ", 1)
    gmail = (
        '<div dir="ltr"><br></div><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
        f"El sáb, 5 dic 2026 a las 10:00, Asistente CTI &lt;{US}&gt; escribió:<br></div>"
        f'<blockquote class="gmail_quote">{html_lines(first)}</blockquote><div>b</div>'
        f'<blockquote class="gmail_quote">{html_lines("2) " + rest)}</blockquote>'
        "<div>40</div></div>"
    )
    assert text_of(gmail, html=True) == "1) b\n2) 40"
    filled = BLOCK.replace("1)\n2)", "1) b\n2) 45")
    owa = (
        '<div><br></div><div id="appendonsend"></div><hr style="display:inline-block">'
        f'<div id="divRplyFwdMsg"><b>De:</b> Asistente CTI &lt;{US}&gt;<br>'
        "<b>Enviado:</b> sábado, 5 de diciembre de 2026 10:00<br><b>Para:</b> Ana Pérez<br>"
        f"<b>Asunto:</b> Autodiagnóstico</div><div>{html_lines(filled)}</div>"
    )
    assert text_of(owa, html=True) == "1) b\n2) 45"


@pytest.mark.parametrize(
    "greeting",
    [
        "Buenos días,",
        "Cordial saludo.",
        "Hola Asistente",
        "Buenas tardes, doctora Marcela:",
        "Estimados señores MinTIC,\n\nReciba un cordial saludo.",
    ],
)
def test_a_salutation_paragraph_never_hides_the_request(greeting: str) -> None:
    body = f"{greeting}\n\nQuiero saber hasta cuándo hay plazo.\n\nCordialmente,\nAna Pérez"
    assert text_of(body).startswith("Quiero saber hasta cuándo hay plazo.")
    html = f"<p>{greeting}</p><p>&nbsp;</p><p>Quiero saber hasta cuándo hay plazo.</p>"
    assert text_of(html, html=True).startswith("Quiero saber hasta cuándo hay plazo.")
    # Outlook: one paragraph per line, often no empty one after the salutation.
    html = f"<p class=MsoNormal>{greeting}</p><p class=MsoNormal>Quiero saber el plazo.</p>"
    assert text_of(html, html=True) == "Quiero saber el plazo."


@pytest.mark.parametrize(
    "body",
    [
        "Hola",
        "Buenos días",
        "Hola, quiero el diagnóstico\n\nGracias",
        "Buenos días, necesito el informe de Pasto\n\nAna",
    ],
)
def test_a_salutation_with_the_request_or_alone_is_kept(body: str) -> None:
    assert text_of(body) == body


def test_the_reply_to_a_greeting_block_below_a_salutation_is_read() -> None:
    filled = quoted(BLOCK.replace("1)\n2)", "1) a\n2)"))
    body = f"Buenos días,\n\n{ATTRIBUTION}\n{filled}"
    assert text_of(body) == "1) a"


@pytest.mark.parametrize(
    "headers,reason",
    [
        ({"Subject": "Auto reply: Autodiagnóstico"}, "auto_reply"),  # iCloud, no Auto-Submitted
        ({"Subject": "Automatic reply: Autodiagnóstico"}, "auto_reply"),
        ({"Subject": "Respuesta automática: Autodiagnóstico"}, "auto_reply"),
        ({"Subject": "RE: Respuesta automatica: Autodiagnóstico"}, "auto_reply"),
        ({"Subject": "[AUTO GENERATED] Recibimos su mensaje"}, "auto_reply"),
        ({"Subject": "Out of Office: Autodiagnóstico"}, "auto_reply"),
        ({"Subject": "Fuera de la oficina: Autodiagnóstico"}, "auto_reply"),
        ({"Subject": "Undeliverable: Autodiagnóstico"}, "bounce"),
        ({"Subject": "No se puede entregar: Autodiagnóstico"}, "bounce"),
        ({"From": "Postmaster <postmaster@pasto.gov.co>"}, "bounce"),
        ({"Sender": "<postmaster@pasto.gov.co>"}, "bounce"),
        ({"Return_Path": "<MAILER-DAEMON@mx.pasto.gov.co>"}, "bounce"),
        ({"X_Failed_Recipients": "nadie@pasto.gov.co"}, "bounce"),
        ({"X_MLServer": "fml [fml 4.0 STABLE (20010218)]"}, "list"),
        ({"X_BeenThere": "funcionarios@lists.pasto.gov.co"}, "list"),
        ({"List_Help": "<mailto:ayuda@lists.pasto.gov.co>"}, "list"),
        ({"Precedence": "junk"}, "auto_reply"),
    ],
)
def test_more_robots_get_no_answer(headers: dict[str, str], reason: str) -> None:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Ana Pérez <ana.perez@pasto.gov.co>")
    message["To"] = US
    message["Subject"] = headers.pop("Subject", "Re: Autodiagnóstico")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Estaré fuera hasta el lunes.")
    got = read(message.as_bytes(), US)
    assert isinstance(got, Rejected) and got.reason == reason, got


@pytest.mark.parametrize(
    "subject", ["Ausencia de conectividad rural", "Re: Respuesta a la pregunta 3", "Oficina TIC"]
)
def test_people_s_subjects_are_not_robots(subject: str) -> None:
    assert text_of("1) b", Subject=subject) == "1) b"
