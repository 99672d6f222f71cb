"""Jobs that run on a clock (sending due e-mail, the daily digest, the daily alignment of council
roles with memberships) and the sweep that keeps the queue whole: the RQ worker and the job
thread call `sweep()` every JOB_POLL_SECONDS.

A periodic job is queued at most once per slot: its subject names the slot ("slot:<n>" for
the outbox, "day:<date>" for the digest and the council roles), and a row of that kind and
slot is looked for under an advisory lock on PostgreSQL, so several workers sweeping at once
queue one job. A failed slot is tried again, up to PERIODIC_ATTEMPTS times.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import redis
from flask import current_app
from sqlalchemy import delete, exists, select, text

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import BackgroundJob, JobStatus, OutboxMessage, OutboxStatus
from listening_state.models.base import utcnow
from listening_state.services import jobs
from listening_state.services.job_worker import recover_stale
from listening_state.services.jobs import Report

log = logging.getLogger(__name__)

OUTBOX_SEND_KIND = "outbox.send"
DIGEST_KIND = "outbox.digest"
COUNCIL_ROLES_KIND = "councils.sync_roles"
PERIODIC_KINDS = (OUTBOX_SEND_KIND, DIGEST_KIND, COUNCIL_ROLES_KIND)
PERIODIC_ATTEMPTS = 3  # rows per slot, failed ones included
PERIODIC_KEPT = timedelta(days=7)  # finished periodic rows older than this are deleted
SEND_LIMIT = 1000  # messages per outbox job; the next slot sends the rest
REPUSH_LIMIT = 500  # rows looked at per sweep
_ADVISORY_LOCK_KEY = 0x4C53_4A42


@dataclass(frozen=True)
class SweepReport:
    requeued: int = 0
    failed: int = 0
    pushed: int = 0
    queued: tuple[str, ...] = ()
    pruned: int = 0
    stranded: int = 0  # comments stored but never routed, finished by this sweep


# -- the jobs ----------------------------------------------------------------------------------


def run_outbox_send(job: BackgroundJob, report: Report) -> None:
    """Send the messages that are due (what `flask outbox send` does once)."""
    from listening_state.services import mail, outbox

    transport = mail.configured_transport()
    if transport is None:  # outbox-page: messages are read on /admin/outbox
        return
    sent = outbox.send_due(actor=SYSTEM, transport=transport, limit=SEND_LIMIT)
    report(1.0, f"sent {sent.sent}, retrying {sent.retrying}, failed {sent.failed}")


def run_digest(job: BackgroundJob, report: Report) -> None:
    """Queue today's digest e-mails for ministry officers (a second run adds nothing)."""
    from listening_state.services import digest

    report(1.0, f"digests queued: {digest.queue_digests(actor=SYSTEM)}")


def run_council_roles(job: BackgroundJob, report: Report) -> None:
    """Grant and revoke council roles as today's memberships say (a second run changes nothing):
    a term that ended yesterday, or starts today, takes effect without anyone editing it."""
    from listening_state.services import councils

    report(1.0, f"council roles changed: {councils.sync_member_roles(actor=SYSTEM)}")


# -- queueing them on time ---------------------------------------------------------------------


def _slot_taken(kind: str, slot: str) -> bool:
    statuses = list(
        db.session.scalars(
            select(BackgroundJob.status).where(
                BackgroundJob.kind == kind, BackgroundJob.subject_key == slot
            )
        )
    )
    failed = statuses.count(JobStatus.FAILED)
    return len(statuses) > failed or failed >= PERIODIC_ATTEMPTS


def enqueue_once(*, kind: str, slot: str) -> BackgroundJob | None:
    """Queue a job of this kind for this slot unless one is queued, running or done for it
    (or it has failed PERIODIC_ATTEMPTS times); None when nothing was queued."""
    if _slot_taken(kind, slot):  # the usual answer, found without taking the lock
        db.session.rollback()
        return None
    if db.session.get_bind().dialect.name == "postgresql":  # held until the commit below
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
        if _slot_taken(kind, slot):  # another worker queued it while we waited
            db.session.commit()  # releases the lock
            return None
    return jobs.enqueue(kind=kind, subject_key=slot, params={}, requested_by=SYSTEM)


def _mail_due(now: datetime) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.send_after <= now
                )
            )
        )
    )


def _council_roles_due(day: date) -> bool:
    from listening_state.services import councils

    return councils.roles_out_of_line(day)


def enqueue_due(*, now: datetime | None = None) -> list[BackgroundJob]:
    """Queue the periodic jobs whose time has come: an outbox send when e-mail is due (at most
    once per OUTBOX_SEND_SECONDS), the digest once a day from DIGEST_LOCAL_HOUR, and the
    council roles once a day from local midnight when a membership's dates call for a change."""
    config = current_app.config
    now = now or utcnow()
    queued: list[BackgroundJob | None] = []
    if config["MAIL_TRANSPORT"] != "outbox-page" and _mail_due(now):
        slot = int(now.timestamp() // max(float(config["OUTBOX_SEND_SECONDS"]), 1.0))
        queued.append(enqueue_once(kind=OUTBOX_SEND_KIND, slot=f"slot:{slot}"))
    local = now.astimezone(ZoneInfo(config["BABEL_DEFAULT_TIMEZONE"]))
    if _council_roles_due(local.date()):
        queued.append(enqueue_once(kind=COUNCIL_ROLES_KIND, slot=f"day:{local.date().isoformat()}"))
    if local.hour >= int(config["DIGEST_LOCAL_HOUR"]):
        queued.append(enqueue_once(kind=DIGEST_KIND, slot=f"day:{local.date().isoformat()}"))
    return [job for job in queued if job is not None]


# -- the sweep ---------------------------------------------------------------------------------


def repush_lost(*, now: datetime) -> int:
    """Push again the rows QUEUED for JOB_REPUSH_SECONDS whose RQ job will not run: queued
    while Redis was down, lost when it restarted, or queued again after a worker died."""
    from listening_state.services import job_queue

    cutoff = now - timedelta(seconds=float(current_app.config["JOB_REPUSH_SECONDS"]))
    ids = list(
        db.session.scalars(
            select(BackgroundJob.id)
            .where(BackgroundJob.status == JobStatus.QUEUED, BackgroundJob.created_at < cutoff)
            .order_by(BackgroundJob.created_at, BackgroundJob.id)
            .limit(REPUSH_LIMIT)
        )
    )
    db.session.rollback()  # no transaction held open while talking to Redis
    try:
        waiting = job_queue.waiting_in_redis(ids)
    except (redis.RedisError, OSError) as error:  # still down: the next sweep tries again
        log.warning("%d queued jobs not checked against Redis: %s", len(ids), error)
        return 0
    return sum(job_queue.push(job_id) for job_id in ids if job_id not in waiting)


def prune_periodic(*, now: datetime) -> int:
    """Delete finished periodic rows after PERIODIC_KEPT: one a minute adds up.
    Run once a day, when the day's digest is queued."""
    result = db.session.execute(
        delete(BackgroundJob)
        .where(
            BackgroundJob.kind.in_(PERIODIC_KINDS),
            BackgroundJob.status.in_((JobStatus.DONE, JobStatus.FAILED)),
            BackgroundJob.created_at < now - PERIODIC_KEPT,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return jobs.rowcount(result)


def sweep(*, now: datetime | None = None) -> SweepReport:
    """Requeue or fail jobs whose worker died, push again what Redis lost (RQ backend),
    queue the periodic jobs that are due (pruning old ones with each day's digest), and route
    the comments that were stored but never routed."""
    from listening_state.services import intake

    now = now or utcnow()
    recovery = recover_stale(now=now)
    pushed = repush_lost(now=now) if current_app.config["JOB_BACKEND"] == "rq" else 0
    queued = enqueue_due(now=now)
    new_day = any(job.kind == DIGEST_KIND for job in queued)
    return SweepReport(
        requeued=recovery.requeued,
        failed=recovery.failed,
        pushed=pushed,
        queued=tuple(f"{job.kind} {job.subject_key}" for job in queued),
        pruned=prune_periodic(now=now) if new_day else 0,
        stranded=intake.finish_stranded(now=now),
    )
