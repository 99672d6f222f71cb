"""The inbox's cast, the small real router, transports for the sending job and a local SMTP
server that speaks enough of RFC 5321 for smtplib, so the SMTP transport is tested for real."""

from __future__ import annotations

import base64
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import OutboxMessage
from listening_state.services.mail import Mail
from tests.inbox.conftest import Cast, cast, government_answers
from tests.routing.conftest import active_router, ministries, small_router

__all__ = [
    "Cast",
    "active_router",
    "cast",
    "government_answers",
    "ministries",
    "small_router",
]


def messages(kind: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        stmt = stmt.where(OutboxMessage.kind == kind)
    db.session.expire_all()
    return list(db.session.scalars(stmt))


def translated(language: str, text: str, **variables: object) -> str:
    """A string of the catalogs in that language; the caller checks it is not the English."""
    with force_locale(language):
        return str(gettext(text, **variables))


class RecordingTransport:
    """Accepts every message and remembers it."""

    def __init__(self) -> None:
        self.sent: list[Mail] = []
        self.closed = 0

    def send(self, mail: Mail) -> None:
        self.sent.append(mail)

    def close(self) -> None:
        self.closed += 1


class FailingTransport(RecordingTransport):
    """Refuses every message the way a mail server that is down does."""

    def send(self, mail: Mail) -> None:
        raise ConnectionRefusedError(111, "Connection refused")


# -- a local SMTP server -------------------------------------------------------------------------


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SMTPSink:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    # Recipients containing this are refused for good (550), like an unknown mailbox.
    refuse_marker: str = "refused"


class _SMTPHandler(socketserver.StreamRequestHandler):
    server: _SMTPServer

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self) -> None:
        sink = self.server.sink
        sender, recipients = "", []
        self._reply("220 sink.test ESMTP ready")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb == "EHLO":
                self._reply("250-sink.test")
                self._reply("250-8BITMIME")
                self._reply("250 AUTH PLAIN")
            elif verb == "HELO":
                self._reply("250 sink.test")
            elif verb == "AUTH":
                _, user, password = base64.b64decode(line.split()[2]).split(b"\0")
                sink.logins.append((user.decode(), password.decode()))
                self._reply("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                sender, recipients = line.split(":", 1)[1].split()[0].strip("<>"), []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipient = line.split(":", 1)[1].strip().strip("<>")
                if sink.refuse_marker in recipient:
                    self._reply("550 5.1.1 No such mailbox")
                else:
                    recipients.append(recipient)
                    self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                parsed = message_from_bytes(b"".join(lines), policy=policy.default)
                assert isinstance(parsed, EmailMessage)
                sink.received.append(Received(sender, recipients, parsed))
                self._reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self._reply("250 OK")
            elif verb == "NOOP":
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


class _SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    sink: SMTPSink


@pytest.fixture
def smtp_sink() -> Iterator[SMTPSink]:
    server = _SMTPServer(("127.0.0.1", 0), _SMTPHandler)
    host, port = server.server_address[:2]
    server.sink = SMTPSink(host=str(host), port=int(port))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.sink
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    """A local port where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
