"""The email channel: outgoing mail through the outbox (aiosmtplib), incoming by IMAP or SMTP.

compose.py   OutboundEmail -> a MIME message (pure)
smtp.py      one reused SMTP connection; errors sorted into temporary and permanent
worker.py    drains the outbox with retries and backoff
inbound.py   a received message -> filters -> IncomingMessage (pure)
html.py      an HTML part as a plain-text client shows it (lxml + inscriptis)
quotes.py    the new text of a reply: quotes, attributions, signatures; answers typed in quotes
greeting.py  a salutation paragraph before the request is not the request
imap.py      IMAP reader (IDLE where offered, polling otherwise)
listener.py  SMTP listener for deployments that relay mail to the assistant
"""
