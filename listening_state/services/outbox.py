"""The e-mail outbox: messages are written in the same commit as the change they report and sent
later by a job, with retries, so sending never blocks or breaks the request that caused it.

Delivery is at least once: a message is marked SENT in the transaction that locked it, so a
worker that dies after handing a message to the server but before its commit sends it again on
the next run. Nothing is ever deleted: after the last attempt a message is FAILED, shown to
administrators, who may queue it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import OutboxMessage, OutboxStatus, User
from listening_state.models.base import utcnow
from listening_state.services import audit
from listening_state.services.errors import InvalidTransition, NotFound, PermissionDenied
from listening_state.services.mail import Mail, PermanentFailure, Transport

MAX_SUBJECT = 300
MAX_ERROR = 2000


def _require_admin(actor: Actor) -> None:
    if not authz.is_admin(actor):
        raise PermissionDenied("only administrators and the system work the outbox")


def queue(
    *,
    kind: str,
    recipient: User,
    subject: str,
    body_text: str,
    language: str,
    submission_id: int | None = None,
) -> OutboxMessage:
    """Add a message to the current unit of work; the caller's single commit writes it, so it
    exists exactly when the change it reports does."""
    message = OutboxMessage(
        kind=kind,
        recipient_id=recipient.id,
        to_address=recipient.email,
        language=language,
        # A header is one line: no line breaks may reach the Subject.
        subject=" ".join(subject.split())[:MAX_SUBJECT],
        body_text=body_text,
        submission_id=submission_id,
        status=OutboxStatus.PENDING,
        attempts=0,
        last_error="",
        send_after=utcnow(),
    )
    db.session.add(message)
    return message


# -- the sending job ---------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    discarded: int = 0  # addressed to an account deleted after the message was queued

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.discarded


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: the base wait after the first failure, doubling after each one."""
    base = int(current_app.config["MAIL_RETRY_BASE_SECONDS"])
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def _due_batch(now: datetime, size: int) -> list[OutboxMessage]:
    """Lock a batch of due messages. On PostgreSQL rows another worker has locked are skipped,
    so two workers never send one message twice; SQLite ignores the clause (one worker)."""
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.send_after <= now)
        .order_by(OutboxMessage.send_after, OutboxMessage.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    return list(db.session.scalars(stmt))


def _deleted_recipients(batch: list[OutboxMessage]) -> set[int]:
    ids = {message.recipient_id for message in batch if message.recipient_id is not None}
    if not ids:
        return set()
    return set(
        db.session.scalars(select(User.id).where(User.id.in_(ids), User.deleted_at.is_not(None)))
    )


def _mail(message: OutboxMessage) -> Mail:
    return Mail(
        to_address=message.to_address,
        subject=message.subject,
        body_text=message.body_text,
        language=message.language,
        reference=f"outbox-{message.id}",
    )


def _record_failure(message: OutboxMessage, error: Exception, now: datetime) -> OutboxStatus:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:MAX_ERROR]
    give_up = isinstance(error, PermanentFailure)
    if give_up or message.attempts >= int(current_app.config["MAIL_MAX_ATTEMPTS"]):
        message.status = OutboxStatus.FAILED
    else:
        message.send_after = now + retry_delay(message.attempts)
    return message.status


def send_due(
    *, actor: Actor, transport: Transport, limit: int = 100, now: datetime | None = None
) -> SendReport:
    """Send up to `limit` due messages, one locked batch per transaction (the job's step)."""
    _require_admin(actor)
    report = SendReport()
    batch_size = max(int(current_app.config["MAIL_BATCH_SIZE"]), 1)
    try:
        while report.handled < limit:
            moment = now or utcnow()
            batch = _due_batch(moment, min(batch_size, limit - report.handled))
            if not batch:
                break
            gone = _deleted_recipients(batch)
            for message in batch:
                if message.recipient_id in gone:
                    # Queued just before its recipient deleted the account: the address is
                    # personal data that deletion erases, so the message goes too.
                    db.session.delete(message)
                    report.discarded += 1
                    continue
                try:
                    transport.send(_mail(message))
                except Exception as error:  # any failure is recorded; nothing is lost
                    if _record_failure(message, error, moment) is OutboxStatus.FAILED:
                        report.failed += 1
                    else:
                        report.retrying += 1
                else:
                    message.attempts += 1
                    message.status = OutboxStatus.SENT
                    message.sent_at = utcnow()
                    message.last_error = ""
                    report.sent += 1
            db.session.commit()
    finally:
        db.session.rollback()  # a crash mid-batch leaves its messages pending for the next run
        transport.close()
    return report


# -- administrators ----------------------------------------------------------------------------


def list_messages(
    *, actor: Actor, status: OutboxStatus | None = None, page: int = 1, per_page: int = 50
) -> Pagination:
    """Messages newest first, optionally of one status."""
    _require_admin(actor)
    stmt = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def status_counts(*, actor: Actor) -> dict[OutboxStatus, int]:
    """How many messages are pending, sent and failed, in one query."""
    _require_admin(actor)
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(OutboxMessage.status)
    )
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update({status: int(count) for status, count in rows})
    return counts


def get_message(*, actor: Actor, message_id: int) -> OutboxMessage:
    _require_admin(actor)
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("outbox message")
    return message


def requeue(*, actor: Actor, message: OutboxMessage) -> OutboxMessage:
    """Give a failed message a fresh set of attempts, from now; its last error stays visible."""
    _require_admin(actor)
    if message.status is not OutboxStatus.FAILED:
        raise InvalidTransition("only a failed message is queued again")
    before = {"status": message.status, "attempts": message.attempts}
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.send_after = utcnow()
    audit.record(
        actor=actor,
        action="outbox.requeue",
        target=message,
        target_label=f"{message.kind} #{message.id}",
        before=before,
        after={"status": message.status, "attempts": message.attempts},
    )
    db.session.commit()
    return message
