"""Benchmark: emails sent per second through the outbox, and replies parsed per second.

Sending. A real SMTP server (aiosmtpd's `Sink` handler, in its own process so it does not share
our CPU) on loopback receives, in the same run:

- raw: the same composed messages sent with aiosmtplib over one reused connection, with no
  database (the floor: what SMTP itself costs);
- outbox: rows enqueued in an SQLite (WAL) outbox, then delivered by `OutboxWorker` (claim a
  batch, compose, send, mark sent: one durable commit per email).

Parsing. The same set of inbound replies (numbered block answers with quoted text and a
signature; a third HTML-only), in the same run:

- raw: the standard library's `BytesParser` alone;
- reply: `channels.email.inbound.read` (robot and loop filters, HTML to text, quote and signature
  stripping) plus the block-answer parser `dialogues.blocks.numbered_items`.

    .venv/bin/python bench/email_bench.py                 # 2,000 emails, 5,000 replies
    .venv/bin/python bench/email_bench.py --emails 500 --replies 1000

(Not bench/email.py: run as a script, that name would shadow the standard `email` package.)
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from bot.app import load_static
from bot.config import load_config
from bot.contract import Attachment, OutboundEmail
from bot.storage.outbox import StoreOutbox
from bot.storage.sql import open_store
from channels.email.compose import compose, new_message_id, sender
from channels.email.inbound import InboundMail, read
from channels.email.smtp import SmtpSender, SmtpSettings
from channels.email.worker import OutboxWorker
from channels.outbox import RetryPolicy
from dialogues.blocks import numbered_items

ADDRESS = "asistente@cti.test"
FROM = sender(ADDRESS, "Asistente CTI – MinTIC")
REPORT = Attachment("reporte.html", "text/html", ("<p>" + "informe " * 4000 + "</p>").encode())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sink(port: int) -> subprocess.Popen[bytes]:
    """aiosmtpd's discarding server, in its own process."""
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
    process = subprocess.Popen([*command, "-l", f"127.0.0.1:{port}"])
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("aiosmtpd did not start")


def outgoing(n: int) -> list[OutboundEmail]:
    """Like the assistant's mail: a questionnaire block, every tenth one with the report."""
    text = "\n".join(f"{i}) ¿Pregunta número {i} sobre gobernanza digital?" for i in range(1, 7))
    return [
        OutboundEmail(
            recipient=f"funcionaria{i}@municipio{i % 97}.gov.co",
            subject="Diagnóstico de madurez — Gobernanza (bloque 3 de 24)",
            text=text,
            html=f"<pre>{text}</pre>",
            message_id=new_message_id(ADDRESS),
            attachments=(REPORT,) if i % 10 == 0 else (),
            kind="message",
        )
        for i in range(n)
    ]


async def raw_send(port: int, emails: list[OutboundEmail]) -> float:
    smtp = SmtpSender(SmtpSettings("127.0.0.1", port, "none", timeout=30))
    now = datetime.now(UTC)
    start = time.perf_counter()
    for email in emails:
        await smtp.send(compose(email, FROM, now))
    elapsed = time.perf_counter() - start
    await smtp.close()
    return len(emails) / elapsed


async def outbox_send(port: int, emails: list[OutboundEmail], folder: Path) -> float:
    static = load_static(load_config(env={}))
    store = await open_store(f"sqlite+aiosqlite:///{folder / 'bench.db'}", static.gazetteer)
    try:
        now = datetime.now(UTC)
        async with store.transaction() as tx:
            for email in emails:
                await tx.enqueue(email, now)
        queue = StoreOutbox(store, timedelta(minutes=5), "email")
        smtp = SmtpSender(SmtpSettings("127.0.0.1", port, "none", timeout=30))
        worker = OutboxWorker(queue, smtp, FROM, RetryPolicy(), batch=50)
        start = time.perf_counter()
        sent = 0
        while sent < len(emails):
            claimed = await worker.run_once()
            if not claimed:
                raise SystemExit(f"outbox stalled after {sent} emails")
            sent += claimed
        elapsed = time.perf_counter() - start
        await smtp.close()
        async with store.transaction() as tx:
            counts = dict(await tx.outbox_counts())
        if counts.get("sent") != len(emails):
            raise SystemExit(f"not every email was marked sent: {counts}")
        return len(emails) / elapsed
    finally:
        await store.close()


def incoming(n: int) -> list[bytes]:
    """Replies to a block: answers, the quoted block below, a signature; some HTML only."""
    raws = []
    for i in range(n):
        message = EmailMessage()
        message["From"] = f"Funcionaria {i} <funcionaria{i}@municipio{i % 97}.gov.co>"
        message["To"] = ADDRESS
        message["Subject"] = "Re: Diagnóstico de madurez — Gobernanza (bloque 3 de 24)"
        message["Message-ID"] = f"<reply-{i}@municipio.gov.co>"
        message["In-Reply-To"] = f"<block-{i}@cti.test>"
        answers = "1) b\n2) no sé\n3) d\n4) a\n5) c\n6) 45"
        quoted = "\n".join(f"> {k}) ¿Pregunta {k}?\n> a) Nada  b) Algo  c) Mucho" for k in range(6))
        body = f"{answers}\n\nCordialmente,\n--\nFuncionaria {i}\nSecretaría TIC\n\n{quoted}"
        if i % 3 == 0:
            html = body.replace("\n", "<br>")
            message.set_content(f"<html><body><p>{html}</p></body></html>", subtype="html")
        else:
            message.set_content(body)
        raws.append(message.as_bytes())
    return raws


def parse_rates(raws: list[bytes]) -> tuple[float, float]:
    parser = BytesParser(policy=policy.default)
    start = time.perf_counter()
    for raw in raws:
        parser.parsebytes(raw)
    baseline = len(raws) / (time.perf_counter() - start)
    start = time.perf_counter()
    for raw in raws:
        mail = read(raw, ADDRESS)
        if not isinstance(mail, InboundMail) or numbered_items(mail.text, 6) is None:
            raise SystemExit(f"a reply was not understood: {mail}")
    return baseline, len(raws) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--replies", type=int, default=5000)
    args = parser.parse_args()

    port = free_port()
    server = sink(port)
    try:
        asyncio.run(raw_send(port, outgoing(50)))  # warm-up: connection, MIME policy caches
        raw = asyncio.run(raw_send(port, outgoing(args.emails)))
        with tempfile.TemporaryDirectory() as folder:
            outbox = asyncio.run(outbox_send(port, outgoing(args.emails), Path(folder)))
    finally:
        server.terminate()
        server.wait()
    baseline, replies = parse_rates(incoming(args.replies))
    print(f"sending {args.emails} emails to aiosmtpd (Sink) on loopback, 1 in 10 with a report")
    print(f"  raw aiosmtplib, one connection, no database: {raw:8.0f} emails/s")
    print(f"  outbox (SQLite WAL) + worker:                {outbox:8.0f} emails/s")
    print(f"  ratio outbox/raw: {outbox / raw:.2f}")
    print(f"parsing {args.replies} replies (numbered answers, quote, signature; 1/3 HTML-only)")
    print(f"  raw BytesParser:                     {baseline:8.0f} replies/s")
    print(f"  read() + numbered_items():           {replies:8.0f} replies/s")
    print(f"  ratio reply/raw: {replies / baseline:.2f}")


if __name__ == "__main__":
    main()
