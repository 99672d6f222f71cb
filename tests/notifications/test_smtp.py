"""The SMTP transport against a real SMTP conversation on a local port."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parseaddr

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from listening_state.authz import SYSTEM
from listening_state.config import ConfigError
from listening_state.extensions import db
from listening_state.models import OutboxStatus
from listening_state.models.base import utcnow
from listening_state.services import mail, outbox
from listening_state.services.mail import SMTPSettings, SMTPTransport
from tests.factories import KAZAKH_SENTENCE, make_user
from tests.notifications.conftest import SMTPSink, messages


def _settings(port: int, **changes: object) -> SMTPSettings:
    values: dict[str, object] = {
        "server": "127.0.0.1",
        "port": port,
        "use_tls": False,  # the local test server speaks no TLS
        "use_ssl": False,
        "username": "",
        "password": "",
        "sender": "Listening State <no-reply@listening.example.kz>",
        "timeout": 5.0,
        **changes,
    }
    return SMTPSettings(**values)  # type: ignore[arg-type]


def _queue_kazakh(email: str = "") -> None:
    user = make_user(language="kk", email=email or None)
    outbox.queue(
        kind="answered",
        recipient=user,
        subject="Сіздің өтінішіңізге жауап берілді",
        body_text=KAZAKH_SENTENCE + "\n",
        language="kk",
    )
    db.session.commit()


def test_smtp_delivers_a_plain_text_utf8_message(app: Flask, smtp_sink: SMTPSink) -> None:
    _queue_kazakh()
    [queued] = messages()
    transport = SMTPTransport(_settings(smtp_sink.port))
    report = outbox.send_due(actor=SYSTEM, transport=transport)
    assert report.sent == 1
    [received] = smtp_sink.received
    assert received.recipients == [queued.to_address]
    assert received.sender == "no-reply@listening.example.kz"
    mail = received.message
    assert mail["Subject"] == "Сіздің өтінішіңізге жауап берілді"
    assert parseaddr(mail["To"])[1] == queued.to_address
    assert mail["Content-Language"] == "kk"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert f"outbox-{queued.id}" in mail["Message-ID"]
    assert mail.get_content_type() == "text/plain"
    assert not mail.is_multipart(), "never an HTML alternative"
    assert mail.get_content().strip() == KAZAKH_SENTENCE
    assert messages()[0].status is OutboxStatus.SENT


def test_smtp_signs_in_with_the_configured_account(app: Flask, smtp_sink: SMTPSink) -> None:
    _queue_kazakh()
    settings = _settings(smtp_sink.port, username="mailer", password="s3cret-from-env")
    outbox.send_due(actor=SYSTEM, transport=SMTPTransport(settings))
    assert smtp_sink.logins == [("mailer", "s3cret-from-env")]
    assert len(smtp_sink.received) == 1


def test_one_connection_serves_a_batch(app: Flask, smtp_sink: SMTPSink) -> None:
    for _ in range(3):
        _queue_kazakh()
    transport = SMTPTransport(_settings(smtp_sink.port, username="mailer", password="pw"))
    assert outbox.send_due(actor=SYSTEM, transport=transport).sent == 3
    assert len(smtp_sink.logins) == 1
    assert len(smtp_sink.received) == 3


def test_a_refused_mailbox_fails_at_once_and_the_rest_still_go(
    app: Flask, smtp_sink: SMTPSink
) -> None:
    _queue_kazakh(email="refused.citizen@example.kz")
    _queue_kazakh()
    report = outbox.send_due(actor=SYSTEM, transport=SMTPTransport(_settings(smtp_sink.port)))
    assert (report.sent, report.failed) == (1, 1)
    refused, delivered = messages()
    assert refused.status is OutboxStatus.FAILED
    assert "550" in refused.last_error
    assert delivered.status is OutboxStatus.SENT
    assert len(smtp_sink.received) == 1


def test_nothing_listening_means_retries_then_failed(app: Flask, closed_port: int) -> None:
    app.config.update(MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_BASE_SECONDS=30)
    _queue_kazakh()
    transport = SMTPTransport(_settings(closed_port))
    now = utcnow()
    outcomes = []
    for _ in range(3):
        report = outbox.send_due(actor=SYSTEM, transport=transport, now=now)
        outcomes.append((report.retrying, report.failed))
        [message] = messages()
        now = message.send_after
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    assert message.status is OutboxStatus.FAILED
    assert message.attempts == 3
    assert "ConnectionRefusedError" in message.last_error


def test_the_cli_sends_through_the_configured_server(
    app: Flask, runner: FlaskCliRunner, smtp_sink: SMTPSink
) -> None:
    _queue_kazakh()
    # Settings are read when the job runs, so the test app can be pointed at the local server.
    app.config.update(
        MAIL_TRANSPORT="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_sink.port,
        MAIL_USE_TLS=False,
        MAIL_TIMEOUT=5,
    )
    result = runner.invoke(args=["outbox", "send", "--limit", "10"])
    assert result.exit_code == 0, result.output
    assert "sent: 1, retrying: 0, failed: 0" in result.output
    assert len(smtp_sink.received) == 1
    assert messages()[0].status is OutboxStatus.SENT


def test_mail_settings_choose_the_transport(app_with: Callable[..., Flask]) -> None:
    assert app_with().config["MAIL_TRANSPORT"] == "outbox-page"
    assert app_with(MAIL_SERVER="smtp.example.kz").config["MAIL_TRANSPORT"] == "smtp"
    with pytest.raises(ConfigError):
        app_with(MAIL_TRANSPORT="smtp")  # and no server to send through
    with pytest.raises(ConfigError):
        app_with(MAIL_TRANSPORT="pigeon")


def test_the_password_is_read_from_the_environment(
    app_with: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LISTENING_STATE_MAIL_SERVER", "smtp.example.kz")
    monkeypatch.setenv("LISTENING_STATE_MAIL_USERNAME", "mailer")
    monkeypatch.setenv("LISTENING_STATE_MAIL_PASSWORD", "123456")  # JSON would make it a number
    configured = app_with()
    with configured.app_context():
        transport = mail.configured_transport()
    assert transport is not None
    assert (transport.settings.username, transport.settings.password) == ("mailer", "123456")
    assert transport.settings.server == "smtp.example.kz"
