"""Sending over one reused SMTP connection (aiosmtplib), with errors sorted by what to do next.

A 5xx answer to the message itself (sender, recipients, data) is permanent: retrying cannot
help; so is a server without SMTPUTF8 for a message that needs it (a non-ASCII address).
Anything else (connection refused or dropped, timeouts, 4xx, authentication trouble, which is a
configuration problem an operator can fix) is temporary and worth retrying later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """Sending failed; `permanent` says whether retrying could ever help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # starttls | tls | none
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


def _permanent(code: int) -> bool:
    return 500 <= code < 600


class SmtpSender:
    """Keeps one connection open between messages and reconnects when the server drops it."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            use_tls=s.security == "tls",
            start_tls=s.security == "starttls",
            username=s.username,
            password=s.password if s.username else None,
            timeout=s.timeout,
        )
        await client.connect()
        self._client = client
        return client

    async def send(self, message: EmailMessage) -> None:
        """Deliver one message or raise `DeliveryError`."""
        try:
            client = await self._connected()
            try:
                await client.noop()
            except aiosmtplib.SMTPServerDisconnected:
                # The server closed our idle connection; a fresh one is what it expects.
                self._client = None
                client = await self._connected()
            await client.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise DeliveryError(
                f"destinatarios rechazados: {exc.recipients}",
                permanent=all(_permanent(c) for c in codes),
            ) from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            await self.close()
            raise DeliveryError(
                f"autenticación SMTP: {exc.code} {exc.message}", permanent=False
            ) from exc
        except (
            aiosmtplib.SMTPSenderRefused,
            aiosmtplib.SMTPRecipientRefused,
            aiosmtplib.SMTPDataError,
        ) as exc:
            raise DeliveryError(
                f"{exc.code} {exc.message}", permanent=_permanent(exc.code)
            ) from exc
        except aiosmtplib.SMTPNotSupported as exc:
            # A non-ASCII address needs SMTPUTF8, which this server lacks: no retry adds it.
            # (Other things not supported, such as STARTTLS, are configuration: temporary.)
            await self.close()
            raise DeliveryError(str(exc), permanent="SMTPUTF8" in str(exc)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            await self.close()
            raise DeliveryError(f"{exc.code} {exc.message}", permanent=False) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self.close()
            raise DeliveryError(f"{type(exc).__name__}: {exc}", permanent=False) from exc

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()
