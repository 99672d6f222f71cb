"""Background jobs: long work (theme rebuilds, router training, sending e-mail, digests)
queued by a request or a command and run elsewhere, with progress that pages show while it runs.

Every job is a background_job row: its status, progress, error and who asked for it, and the
dedup of a second click. What runs the row is the backend (job_queue.py): RQ on Redis and
`flask jobs worker`, a thread of the web process when there is no Redis, or `flask jobs work`
polling this table. Whoever runs it claims it with a compare-and-set UPDATE on its status
(after SELECT ... FOR UPDATE SKIP LOCKED when polling on PostgreSQL), so a row runs once
however many times it was handed out. A running job's heartbeat is refreshed from a thread; a
job whose heartbeat stopped (its worker was killed) is queued again, or failed after
JOB_MAX_ATTEMPTS, by the next sweep (job_worker.recover_stale).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, CursorResult, Engine, Result, select, update

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import BackgroundJob, JobStatus, User
from listening_state.models.base import utcnow
from listening_state.services.errors import InvalidTransition, PermissionDenied

log = logging.getLogger(__name__)

Report = Callable[[float, str], None]  # (fraction done 0..1, what is happening)
Handler = Callable[[BackgroundJob, Report], None]
MAX_MESSAGE = 300
MAX_ERROR = 4000
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class WorkerStopping(BaseException):
    """Raised in the worker's main thread by SIGTERM/SIGINT while a job runs: the job is put
    back in the queue at once instead of waiting to be found stale."""


def handlers() -> dict[str, Handler]:
    """Every kind of job and the function that runs it."""
    # Imported here: the modules that enqueue jobs import this one.
    from listening_state.services import periodic_jobs, router_jobs, theme_builds

    return {
        theme_builds.REBUILD_KIND: theme_builds.run_rebuild,
        router_jobs.TRAIN_KIND: router_jobs.run_training,
        periodic_jobs.OUTBOX_SEND_KIND: periodic_jobs.run_outbox_send,
        periodic_jobs.DIGEST_KIND: periodic_jobs.run_digest,
        periodic_jobs.COUNCIL_ROLES_KIND: periodic_jobs.run_council_roles,
    }


# -- queueing and reading ----------------------------------------------------------------------


def enqueue(
    *, kind: str, subject_key: str, params: dict[str, Any], requested_by: Actor
) -> BackgroundJob:
    """Queue a job; if one of this kind and subject is already queued or running, return it
    instead, so a second click does not run the same work twice."""
    existing = db.session.scalar(
        select(BackgroundJob)
        .where(
            BackgroundJob.kind == kind,
            BackgroundJob.subject_key == subject_key,
            BackgroundJob.status.in_(ACTIVE),
        )
        .order_by(BackgroundJob.created_at, BackgroundJob.id)
        .limit(1)
    )
    if existing is not None:
        return existing
    job = BackgroundJob(
        kind=kind,
        subject_key=subject_key,
        params=params,
        status=JobStatus.QUEUED,
        progress=0.0,
        message="",
        error="",
        attempts=0,
        requested_by_id=requested_by.id if isinstance(requested_by, User) else None,
    )
    db.session.add(job)
    db.session.commit()
    from listening_state.services import job_queue  # it imports this module

    job_queue.dispatch(job)
    return job


def latest_job(*, kind: str, subject_key: str) -> BackgroundJob | None:
    """The most recent job of this kind and subject, whatever its status (for pages)."""
    return db.session.scalar(
        select(BackgroundJob)
        .where(BackgroundJob.kind == kind, BackgroundJob.subject_key == subject_key)
        .order_by(BackgroundJob.created_at.desc(), BackgroundJob.id.desc())
        .limit(1)
    )


def recent_jobs(*, actor: Actor, limit: int = 50) -> list[BackgroundJob]:
    """The latest jobs, newest first (administrators and the command line)."""
    if not authz.is_admin(actor):
        raise PermissionDenied("only administrators list background jobs")
    return list(
        db.session.scalars(
            select(BackgroundJob)
            .order_by(BackgroundJob.created_at.desc(), BackgroundJob.id.desc())
            .limit(limit)
        )
    )


# -- claiming, running, finishing --------------------------------------------------------------


def still_ours(job_id: int, attempt: int) -> tuple[ColumnElement[bool], ...]:
    """The claim token: a job is ours while it runs the attempt we started. A worker found
    stale and replaced must not overwrite what its successor writes."""
    return (
        BackgroundJob.id == job_id,
        BackgroundJob.status == JobStatus.RUNNING,
        BackgroundJob.attempts == attempt,
    )


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE changed (the compare-and-set checks read it)."""
    return result.rowcount if isinstance(result, CursorResult) else 0


def claim(job: BackgroundJob) -> bool:
    """Mark a queued job RUNNING for this worker; False if another worker took it first."""
    now = utcnow()
    taken = db.session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.id == job.id, BackgroundJob.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.RUNNING,
            attempts=BackgroundJob.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            progress=0.0,
            message="",
            error="",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()  # expires `job`, so it is read again with the new values
    return rowcount(taken) == 1


def claim_next() -> BackgroundJob | None:
    """The oldest queued job, claimed; rows another worker has locked are skipped."""
    while True:
        job = db.session.scalar(
            select(BackgroundJob)
            .where(BackgroundJob.status == JobStatus.QUEUED)
            .order_by(BackgroundJob.created_at, BackgroundJob.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if job is None:
            db.session.rollback()
            return None
        if claim(job):
            return job


def _finish(job_id: int, attempt: int, **values: Any) -> bool:
    done = db.session.execute(
        update(BackgroundJob)
        .where(*still_ours(job_id, attempt))
        .values(finished_at=utcnow(), heartbeat_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if rowcount(done) != 1:
        log.warning("job %s was taken over while it ran; its outcome is not recorded", job_id)
        return False
    return True


def error_summary(error: BaseException) -> str:
    """The exception and the last frames of its traceback, short enough to show on a page."""
    text = "".join(traceback.format_exception(error, limit=-8))
    return text if len(text) <= MAX_ERROR else "…" + text[-(MAX_ERROR - 1) :]


def run_claimed(
    job: BackgroundJob,
    *,
    kinds: Mapping[str, Handler] | None = None,
    on_progress: Report | None = None,
) -> BackgroundJob:
    """Run a job this worker claimed, then mark it DONE or FAILED (with its error)."""
    job_id, attempt, kind = job.id, job.attempts, job.kind
    handler = (handlers() if kinds is None else kinds).get(kind)
    started = time.perf_counter()
    try:
        if handler is None:
            raise LookupError(f"no handler for jobs of kind {kind!r}")
        reporter = ProgressReporter(job_id, attempt, on_progress=on_progress)
        with _heartbeat(db.engine, job_id, attempt):
            handler(job, reporter)
    except (WorkerStopping, SystemExit, KeyboardInterrupt):  # SystemExit: RQ's cold stop
        db.session.rollback()
        _requeue_after_stop(job_id, attempt)
        raise
    except Exception as error:
        db.session.rollback()  # whatever the handler had not committed is dropped
        log.exception("job %s (%s %s) failed", job_id, kind, job.subject_key)
        _finish(job_id, attempt, status=JobStatus.FAILED, error=error_summary(error))
    else:
        seconds = time.perf_counter() - started
        _finish(
            job_id,
            attempt,
            status=JobStatus.DONE,
            progress=1.0,
            message=f"done in {seconds:.1f} s"[:MAX_MESSAGE],
        )
    refreshed = db.session.get(BackgroundJob, job_id)
    return refreshed if refreshed is not None else job


def run_next(
    *, kinds: Mapping[str, Handler] | None = None, on_progress: Report | None = None
) -> BackgroundJob | None:
    """Claim and run the oldest queued job; None when the queue is empty."""
    job = claim_next()
    if job is None:
        return None
    return run_claimed(job, kinds=kinds, on_progress=on_progress)


def _requeue_after_stop(job_id: int, attempt: int) -> None:
    db.session.execute(
        update(BackgroundJob)
        .where(*still_ours(job_id, attempt))
        .values(
            status=JobStatus.QUEUED, progress=0.0, message="queued again: its worker was stopped"
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# -- progress and heartbeat --------------------------------------------------------------------


class ProgressReporter:
    """Writes a job's progress in its own short transaction, at most about once per
    JOB_PROGRESS_SECONDS (and whenever the message changes), so the handler's own
    transaction is never committed half-way and a page can follow the job."""

    def __init__(self, job_id: int, attempt: int, *, on_progress: Report | None = None) -> None:
        self.job_id, self.attempt = job_id, attempt
        self.engine = db.engine
        self.interval = float(current_app.config["JOB_PROGRESS_SECONDS"])
        self.on_progress = on_progress
        self._last_write = -float("inf")
        self._last_message: str | None = None

    def __call__(self, fraction: float, message: str) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        now = time.monotonic()
        if message == self._last_message and now - self._last_write < self.interval:
            return
        self._last_write, self._last_message = now, message
        if self.on_progress is not None:
            self.on_progress(fraction, message)
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    update(BackgroundJob)
                    .where(*still_ours(self.job_id, self.attempt))
                    .values(progress=fraction, message=message[:MAX_MESSAGE], heartbeat_at=utcnow())
                )
        except Exception:  # progress is for people watching; it must never fail the job
            log.warning("could not record progress of job %s", self.job_id, exc_info=True)


@contextmanager
def _heartbeat(engine: Engine, job_id: int, attempt: int) -> Iterator[None]:
    """Refresh the heartbeat from a thread while the job runs, even through long steps that
    report no progress, so only a job whose worker died looks stale."""
    interval = float(current_app.config["JOB_HEARTBEAT_SECONDS"])
    stopped = threading.Event()

    def beat() -> None:
        while not stopped.wait(interval):
            try:
                with engine.begin() as connection:
                    connection.execute(
                        update(BackgroundJob)
                        .where(*still_ours(job_id, attempt))
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:
                log.warning("heartbeat of job %s failed", job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join()


def run_now(job: BackgroundJob, *, on_progress: Report | None = None) -> BackgroundJob:
    """Run a queued job in this process instead of a worker (the command line's --wait)."""
    if not claim(job):
        raise InvalidTransition(f"job {job.id} is {job.status.value}, not queued: a worker has it")
    return run_claimed(job, on_progress=on_progress)
