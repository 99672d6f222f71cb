"""The sending job: sends what is due, retries failures with a growing wait, gives up visibly
after the last attempt, and never loses a message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import OutboxMessage, OutboxStatus, Role, User
from listening_state.models.base import utcnow
from listening_state.services import outbox
from listening_state.services.errors import InvalidTransition, PermissionDenied
from listening_state.services.mail import Mail, PermanentFailure
from tests.factories import make_user
from tests.notifications.conftest import FailingTransport, RecordingTransport, messages


def _queue(recipient: User, n: int = 1) -> list[OutboxMessage]:
    queued = [
        outbox.queue(
            kind="routed",
            recipient=recipient,
            subject=f"Your submission {i}\r\nBcc: someone@example.com",
            body_text=f"Message number {i}.",
            language=recipient.preferred_language,
        )
        for i in range(n)
    ]
    db.session.commit()
    return queued


def test_queue_never_commits_by_itself(app: Flask) -> None:
    user = make_user()
    outbox.queue(kind="routed", recipient=user, subject="S", body_text="B", language="en")
    db.session.rollback()
    assert messages() == []


def test_a_subject_stays_one_header_line(app: Flask) -> None:
    [message] = _queue(make_user())
    assert message.subject == "Your submission 0 Bcc: someone@example.com"


def test_due_messages_are_sent_and_marked_sent(app: Flask) -> None:
    user = make_user()
    _queue(user, 3)
    transport = RecordingTransport()
    report = outbox.send_due(actor=SYSTEM, transport=transport)
    assert (report.sent, report.retrying, report.failed) == (3, 0, 0)
    assert [m.to_address for m in transport.sent] == [user.email] * 3
    assert [m.body_text for m in transport.sent] == [f"Message number {i}." for i in range(3)]
    assert transport.closed == 1
    for message in messages():
        assert message.status is OutboxStatus.SENT
        assert message.sent_at is not None
        assert message.attempts == 1
    assert outbox.send_due(actor=SYSTEM, transport=transport).sent == 0, "sent once only"


def test_a_message_to_an_account_deleted_after_queueing_is_discarded_not_sent(
    app: Flask,
) -> None:
    gone, staying = make_user(), make_user()
    _queue(gone, 2)
    _queue(staying)
    gone.deleted_at = utcnow()  # as a deletion racing the notification would leave it
    db.session.commit()
    transport = RecordingTransport()
    report = outbox.send_due(actor=SYSTEM, transport=transport)
    assert (report.sent, report.discarded) == (1, 2)
    assert [m.to_address for m in transport.sent] == [staying.email]
    assert [m.recipient_id for m in messages()] == [staying.id]


def test_limit_and_batches_bound_one_run(app: Flask) -> None:
    app.config["MAIL_BATCH_SIZE"] = 2
    _queue(make_user(), 5)
    transport = RecordingTransport()
    assert outbox.send_due(actor=SYSTEM, transport=transport, limit=3).sent == 3
    assert outbox.send_due(actor=SYSTEM, transport=transport, limit=3).sent == 2
    assert len({m.reference for m in transport.sent}) == 5


def test_a_message_not_yet_due_waits(app: Flask) -> None:
    [message] = _queue(make_user())
    message.send_after = utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert outbox.send_due(actor=SYSTEM, transport=RecordingTransport()).sent == 0


def test_failures_back_off_exponentially_then_fail_after_the_last_attempt(app: Flask) -> None:
    app.config.update(MAIL_MAX_ATTEMPTS=4, MAIL_RETRY_BASE_SECONDS=60)
    [message] = _queue(make_user())
    now = utcnow()
    waits = []
    for attempt in range(1, 4):
        report = outbox.send_due(actor=SYSTEM, transport=FailingTransport(), now=now)
        assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
        db.session.refresh(message)
        assert message.status is OutboxStatus.PENDING
        assert message.attempts == attempt
        assert "ConnectionRefusedError" in message.last_error
        waits.append(message.send_after - now)
        early = outbox.send_due(actor=SYSTEM, transport=FailingTransport(), now=now)
        assert early.handled == 0, "nothing is retried before its time"
        now = message.send_after
    assert waits == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    report = outbox.send_due(actor=SYSTEM, transport=FailingTransport(), now=now)
    assert (report.retrying, report.failed) == (0, 1)
    db.session.refresh(message)
    assert message.status is OutboxStatus.FAILED
    assert message.attempts == 4
    assert outbox.send_due(actor=SYSTEM, transport=RecordingTransport(), now=now).handled == 0
    assert db.session.get(OutboxMessage, message.id) is not None, "a failed message is kept"


class RefusingRecipient(RecordingTransport):
    def send(self, mail: Mail) -> None:
        raise PermanentFailure("550 5.1.1 No such mailbox")


def test_a_permanent_refusal_fails_at_once(app: Flask) -> None:
    [message] = _queue(make_user())
    report = outbox.send_due(actor=SYSTEM, transport=RefusingRecipient())
    assert report.failed == 1
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 1)
    assert "No such mailbox" in message.last_error


class WorkerKilled(BaseException):
    """What a SIGTERM or an out-of-memory kill does to the job: no `except Exception` runs."""


class DiesOnSecond(RecordingTransport):
    def send(self, mail: Mail) -> None:
        if len(self.sent) == 1:
            raise WorkerKilled
        super().send(mail)


def test_a_worker_killed_mid_batch_loses_nothing(app: Flask) -> None:
    _queue(make_user(), 3)
    with pytest.raises(WorkerKilled):
        outbox.send_due(actor=SYSTEM, transport=DiesOnSecond())
    assert {m.status for m in messages()} == {OutboxStatus.PENDING}
    transport = RecordingTransport()
    assert outbox.send_due(actor=SYSTEM, transport=transport).sent == 3
    assert {m.status for m in messages()} == {OutboxStatus.SENT}


def test_an_administrator_queues_a_failed_message_again(app: Flask) -> None:
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    [message] = _queue(make_user())
    outbox.send_due(actor=SYSTEM, transport=FailingTransport())
    db.session.refresh(message)
    assert message.status is OutboxStatus.FAILED
    citizen, admin = make_user(), make_user(Role.ADMIN)
    with pytest.raises(PermissionDenied):
        outbox.requeue(actor=citizen, message=message)
    outbox.requeue(actor=admin, message=message)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert "ConnectionRefusedError" in message.last_error, "the earlier error stays visible"
    with pytest.raises(InvalidTransition):
        outbox.requeue(actor=admin, message=message)
    assert outbox.send_due(actor=SYSTEM, transport=RecordingTransport()).sent == 1


def test_only_administrators_and_the_system_run_the_job(app: Flask) -> None:
    with pytest.raises(PermissionDenied):
        outbox.send_due(actor=make_user(), transport=RecordingTransport())


@pytest.mark.postgres
def test_two_workers_never_send_one_message_twice(
    app: Flask, app_with: Callable[..., Flask]
) -> None:
    """PostgreSQL: a second worker skips the rows the first has locked (FOR UPDATE SKIP LOCKED)."""
    app.config["MAIL_BATCH_SIZE"] = 2
    _queue(make_user(), 4)
    other_worker = app_with(MAIL_BATCH_SIZE=10)
    second = RecordingTransport()

    class FirstWorker(RecordingTransport):
        def send(self, mail: Mail) -> None:
            if not self.sent:  # while this worker holds its batch, the other one runs
                with other_worker.app_context():
                    report = outbox.send_due(actor=SYSTEM, transport=second)
                    assert report.sent == 2
            super().send(mail)

    first = FirstWorker()
    assert outbox.send_due(actor=SYSTEM, transport=first).sent == 2
    references = [m.reference for m in first.sent + second.sent]
    assert sorted(references) == sorted(set(references))
    assert len(references) == 4
    assert {m.status for m in messages()} == {OutboxStatus.SENT}
