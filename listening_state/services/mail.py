"""How an e-mail leaves: a small transport interface and its SMTP implementation (stdlib only).

The outbox job hands each message to a transport; tests pass their own, or point the SMTP
transport at a local test server.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, Protocol

from flask import current_app


@dataclass(frozen=True)
class Mail:
    to_address: str
    subject: str
    body_text: str
    language: str
    reference: str  # unique per outbox message: it becomes part of the Message-ID


class PermanentFailure(Exception):
    """The server refused the message for good (5xx for the recipient): retrying cannot help."""


class Transport(Protocol):
    def send(self, mail: Mail) -> None:
        """Deliver one message, or raise."""

    def close(self) -> None:
        """Release what the transport holds (a connection); it may be used again after."""


@dataclass(frozen=True)
class SMTPSettings:
    server: str
    port: int
    use_tls: bool
    use_ssl: bool
    username: str
    password: str
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config: Any) -> SMTPSettings:
        # Environment values are parsed as JSON, so a numeric password arrives as a number.
        return cls(
            server=str(config["MAIL_SERVER"]),
            port=int(config["MAIL_PORT"]),
            use_tls=bool(config["MAIL_USE_TLS"]),
            use_ssl=bool(config["MAIL_USE_SSL"]),
            username=str(config["MAIL_USERNAME"] or ""),
            password=str(config["MAIL_PASSWORD"] or ""),
            sender=str(config["MAIL_FROM"]),
            timeout=float(config["MAIL_TIMEOUT"]),
        )


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """A plain-text UTF-8 message; there is never an HTML part."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=mail.reference, domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    message.set_content(mail.body_text)  # replaces every Content-* header, so those come after
    message["Content-Language"] = mail.language
    return message


class SMTPTransport:
    """One connection for a run of the job, opened on first use and reopened after an error."""

    def __init__(self, settings: SMTPSettings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        client: smtplib.SMTP
        if s.use_ssl:
            client = smtplib.SMTP_SSL(
                s.server, s.port, timeout=s.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
            if s.use_tls:
                client.starttls(context=ssl.create_default_context())
        if s.username:
            client.login(s.username, s.password)
        return client

    def send(self, mail: Mail) -> None:
        try:
            if self._client is None:
                self._client = self._connect()
            self._client.send_message(build_message(mail, self.settings.sender))
        except smtplib.SMTPRecipientsRefused as error:
            self._drop()
            codes = [code for code, _ in error.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {error.recipients}") from error
            raise
        except smtplib.SMTPDataError as error:
            self._drop()
            if error.smtp_code >= 500:
                raise PermanentFailure(f"message refused: {error.smtp_code}") from error
            raise
        except Exception:
            self._drop()
            raise

    def _drop(self) -> None:
        """Forget a connection in an unknown state; the next message opens a fresh one."""
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(OSError):  # it is being discarded anyway
                client.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def configured_transport() -> SMTPTransport | None:
    """The SMTP transport, or None when MAIL_TRANSPORT is "outbox-page" (nothing is sent)."""
    if current_app.config["MAIL_TRANSPORT"] != "smtp":
        return None
    return SMTPTransport(SMTPSettings.from_config(current_app.config))
