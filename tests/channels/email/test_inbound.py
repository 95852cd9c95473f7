"""Reading received mail: what is answered, what is left alone, and what text is kept."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest

from channels.email.inbound import InboundMail, Limits, Rejected, html_to_text, read, strip_reply

US = "asistente@cti.test"


def mail(body: str = "1) b\n2) no sé", *, html: str | None = None, **headers: str) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = headers.pop("From", "Ana Pérez <Ana.Perez@Pasto.gov.co>")
    message["To"] = US
    message["Subject"] = headers.pop("Subject", "Re: Diagnóstico: Personas")
    message["Message-ID"] = headers.pop("Message_ID", "<m1@pasto.gov.co>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if body:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    return message.as_bytes()


def test_a_plain_reply_is_read():
    got = read(mail(In_Reply_To="<q1@cti.test>", References="<q0@cti.test> <q1@cti.test>"), US)
    assert isinstance(got, InboundMail)
    assert got.sender == "ana.perez@pasto.gov.co" and got.sender_name == "Ana Pérez"
    assert got.text == "1) b\n2) no sé"
    assert got.message_id == "<m1@pasto.gov.co>"
    assert got.in_reply_to == "<q1@cti.test>"
    assert got.references == ("<q0@cti.test>", "<q1@cti.test>")


@pytest.mark.parametrize(
    "headers,reason",
    [
        ({"Auto_Submitted": "auto-replied"}, "auto_reply"),
        ({"X_Autoreply": "yes"}, "auto_reply"),
        ({"Precedence": "bulk"}, "auto_reply"),
        ({"Precedence": "list"}, "list"),
        ({"List_Id": "<boletin.lists.example.org>"}, "list"),
        ({"List_Unsubscribe": "<mailto:salir@example.org>"}, "list"),
        ({"Subject": "Respuesta automática: Diagnóstico"}, "auto_reply"),
        ({"Subject": "Out of Office: Diagnóstico"}, "auto_reply"),
        ({"X_Loop": US}, "loop"),
        ({"From": f"Asistente <{US}>"}, "loop"),
        ({"From": "MAILER-DAEMON@mx.pasto.gov.co"}, "bounce"),
        ({"Return_Path": "<>"}, "bounce"),
        ({"From": "sin arroba"}, "no_sender"),
    ],
)
def test_robots_and_our_own_mail_get_no_answer(headers, reason):
    got = read(mail(**headers), US)
    assert isinstance(got, Rejected) and got.reason == reason


def test_a_delivery_status_report_is_a_bounce():
    report = EmailMessage(policy=SMTP)
    report["From"] = "Mail Delivery System <sistema@mx.example.org>"
    report["To"] = US
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.set_content("No se pudo entregar")
    report.make_mixed()
    report.replace_header(
        "Content-Type", 'multipart/report; report-type=delivery-status; boundary="b"'
    )
    got = read(report.as_bytes(), US)
    assert isinstance(got, Rejected) and got.reason in ("bounce", "auto_reply")


def test_oversized_mail_is_refused_before_parsing():
    got = read(mail("x" * 5000), US, Limits(max_bytes=2000))
    assert isinstance(got, Rejected) and got.reason == "oversized"


def test_a_mime_bomb_is_refused():
    inner = EmailMessage()
    inner.set_content("hola")
    for _ in range(20):  # nested twenty deep
        outer = EmailMessage()
        outer.make_mixed()
        outer.attach(inner)
        inner = outer
    inner["From"] = "ana@pasto.gov.co"
    got = read(inner.as_bytes(), US)
    assert isinstance(got, Rejected) and got.reason == "mime_bomb"
    wide = EmailMessage()
    wide["From"] = "ana@pasto.gov.co"
    wide.set_content("hola")
    for i in range(100):
        wide.add_attachment(b"x", maintype="application", subtype="octet-stream", filename=f"{i}")
    got = read(wide.as_bytes(), US)
    assert isinstance(got, Rejected) and got.reason == "mime_bomb"


def test_html_only_mail_is_read_as_text_without_the_quote():
    html = (
        "<html><head><style>p{color:red}</style></head><body><div>1) b</div><div>2) c &amp; d</div>"
        '<div class="gmail_quote">El lun escribió:<blockquote>1) ¿La entidad...</blockquote></div>'
        "<script>alert(1)</script></body></html>"
    )
    got = read(mail("", html=html), US)
    assert isinstance(got, InboundMail)
    assert got.text == "1) b\n2) c & d"


@pytest.mark.parametrize(
    "text",
    [
        "1) b\n2) a\n\nEl lun, 2 mar 2026 a las 10:00, Asistente CTI <asistente@cti.test> "
        "escribió:\n> 1) ¿La entidad...",
        "1) b\n2) a\n\nEl lun, 2 mar 2026 a las 10:00, Asistente CTI\n<asistente@cti.test> "
        "escribió:\n> pregunta",
        "1) b\n2) a\n\nOn Mon, Mar 2, 2026 at 10:00 AM Asistente wrote:\n> question",
        "1) b\n2) a\n\n-----Mensaje original-----\nDe: Asistente\nPregunta 1",
        "1) b\n2) a\n________________________________\nDe: Asistente CTI <asistente@cti.test>\n"
        "Enviado: lunes\nPara: Ana",
        "1) b\n2) a\n\nDe: Asistente CTI <asistente@cti.test>\nEnviado: lunes, 2 de marzo\n"
        "Asunto: Diagnóstico",
        "1) b\n2) a\n-- \nAna Pérez\nSecretaría TIC\nTel. 300 123 4567",
        "1) b\n2) a\n\nEnviado desde mi iPhone",
        "1) b\n> 1) ¿La entidad...?\n2) a",
    ],
)
def test_quotes_and_signatures_are_cut(text):
    assert strip_reply(text) == "1) b\n2) a"


def test_a_missing_message_id_is_derived_from_the_bytes():
    raw = mail()
    raw = raw.replace(b"Message-ID: <m1@pasto.gov.co>\r\n", b"")
    first, again = read(raw, US), read(raw, US)
    assert isinstance(first, InboundMail) and isinstance(again, InboundMail)
    assert first.message_id == again.message_id and first.message_id.startswith("<")


def test_attachments_are_kept():
    message = EmailMessage()
    message["From"] = "ana@pasto.gov.co"
    message["Message-ID"] = "<x@pasto.gov.co>"
    message.set_content("Adjunto el cuestionario diligenciado")
    message.add_attachment(
        b"PK\x03\x04data",
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename="cuestionario.xlsx",
    )
    got = read(message.as_bytes(), US)
    assert isinstance(got, InboundMail)
    [attachment] = got.attachments
    assert attachment.filename == "cuestionario.xlsx" and attachment.data == b"PK\x03\x04data"


def test_html_entities_and_blocks():
    assert html_to_text("<p>Sí&nbsp;señor</p><p>b</p>") == "Sí señor\nb"


@pytest.mark.parametrize(
    "raw", [b"", b"\x00\x01\x02", b"From: \r\n\r\n", b"Subject: =?utf-8?q?=ZZ?=\r\n\r\nx"]
)
def test_garbage_is_rejected_not_raised(raw):
    assert isinstance(read(raw, US), Rejected)
