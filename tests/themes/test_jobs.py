"""The job queue: one job per subject at a time, progress written while a job runs, DONE or
FAILED with the error, stale jobs recovered, and never two workers on one job."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import BackgroundJob, JobStatus, Ministry, Role
from listening_state.models.base import utcnow
from listening_state.services import job_worker, jobs
from listening_state.services.errors import InvalidTransition, PermissionDenied
from listening_state.services.jobs import Report
from tests.factories import make_user

KIND = "test.echo"


def _enqueue(subject: str = "thing:1", **params: object) -> BackgroundJob:
    return jobs.enqueue(kind=KIND, subject_key=subject, params=dict(params), requested_by=SYSTEM)


def _row_seen_by_another_connection(job_id: int) -> tuple[float, str, str]:
    """The job row as a page would read it: outside the worker's transaction."""
    with db.engine.connect() as connection:
        row = connection.execute(
            select(BackgroundJob.progress, BackgroundJob.message, BackgroundJob.status).where(
                BackgroundJob.id == job_id
            )
        ).one()
    return row.progress, row.message, row.status


def _handler(body: Callable[[BackgroundJob, Report], None]) -> dict[str, jobs.Handler]:
    return {KIND: body}


def _age_heartbeat(job: BackgroundJob, seconds: float) -> None:
    db.session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.id == job.id)
        .values(heartbeat_at=utcnow() - timedelta(seconds=seconds))
    )
    db.session.commit()


def test_a_second_request_for_the_same_subject_returns_the_waiting_job(app: Flask) -> None:
    first = _enqueue("consultation:1")
    assert _enqueue("consultation:1").id == first.id
    assert _enqueue("consultation:2").id != first.id
    assert jobs.claim(first)
    assert _enqueue("consultation:1").id == first.id, "a running job counts too"


def test_a_finished_job_does_not_block_the_next_request(app: Flask) -> None:
    first = _enqueue()
    jobs.run_next(kinds=_handler(lambda job, report: None))
    assert _enqueue().id != first.id


def test_a_job_reports_progress_while_it_runs_and_ends_done(app: Flask) -> None:
    seen: list[tuple[float, str, JobStatus]] = []

    def body(job: BackgroundJob, report: Report) -> None:
        report(0.5, "half way")
        seen.append(_row_seen_by_another_connection(job.id))

    job = _enqueue()
    finished = jobs.run_next(kinds=_handler(body))
    assert seen == [(0.5, "half way", JobStatus.RUNNING)]
    assert finished is not None
    assert finished.id == job.id
    assert finished.status is JobStatus.DONE
    assert finished.progress == 1.0
    assert finished.message.startswith("done in")
    assert finished.attempts == 1
    assert finished.started_at is not None
    assert finished.finished_at is not None
    assert finished.finished_at >= finished.started_at


def test_progress_is_written_at_most_once_per_interval_unless_the_step_changes(
    app: Flask,
) -> None:
    app.config["JOB_PROGRESS_SECONDS"] = 3600
    seen = []

    def body(job: BackgroundJob, report: Report) -> None:
        report(0.1, "embedding")
        report(0.2, "embedding")  # too soon, same step: not written
        seen.append(_row_seen_by_another_connection(job.id)[:2])
        report(0.3, "clustering")  # a new step is always shown
        seen.append(_row_seen_by_another_connection(job.id)[:2])

    _enqueue()
    jobs.run_next(kinds=_handler(body))
    assert seen == [(0.1, "embedding"), (0.3, "clustering")]


def test_progress_printed_by_the_command_line_follows_the_reports(app: Flask) -> None:
    printed: list[tuple[float, str]] = []
    job = _enqueue()

    def body(job: BackgroundJob, report: Report) -> None:
        report(-1, "reading")  # out of range values are clamped
        report(2, "writing")

    assert jobs.claim(job)
    jobs.run_claimed(job, kinds=_handler(body), on_progress=lambda f, m: printed.append((f, m)))
    assert printed == [(0.0, "reading"), (1.0, "writing")]


def test_a_failing_job_is_failed_with_its_traceback_and_its_writes_undone(app: Flask) -> None:
    def body(job: BackgroundJob, report: Report) -> None:
        db.session.add(Ministry(code="HALF", name_kk="x", name_ru="x", name_en="x", mandate=""))
        db.session.flush()
        raise ValueError("the engine could not cope")

    _enqueue()
    failed = jobs.run_next(kinds=_handler(body))
    assert failed is not None
    assert failed.status is JobStatus.FAILED
    assert "Traceback" in failed.error
    assert "ValueError: the engine could not cope" in failed.error
    assert failed.finished_at is not None
    assert db.session.scalar(select(Ministry).where(Ministry.code == "HALF")) is None


def test_a_job_of_an_unknown_kind_fails_instead_of_waiting_forever(app: Flask) -> None:
    jobs.enqueue(kind="no.such.kind", subject_key="", params={}, requested_by=SYSTEM)
    failed = jobs.run_next()
    assert failed is not None
    assert failed.status is JobStatus.FAILED
    assert "no handler for jobs of kind 'no.such.kind'" in failed.error


def test_an_empty_queue_runs_nothing(app: Flask) -> None:
    assert jobs.run_next(kinds=_handler(lambda job, report: None)) is None


def test_jobs_run_oldest_first(app: Flask) -> None:
    order: list[str] = []
    for subject in ("a", "b", "c"):
        _enqueue(subject)
    body = _handler(lambda job, report: order.append(job.subject_key))
    while jobs.run_next(kinds=body) is not None:
        pass
    assert order == ["a", "b", "c"]


def test_a_stale_job_is_queued_again_then_failed_after_its_last_attempt(app: Flask) -> None:
    app.config.update(JOB_STALE_SECONDS=60, JOB_MAX_ATTEMPTS=2)
    job = _enqueue()
    assert jobs.claim(job)
    _age_heartbeat(job, 61)
    assert job_worker.recover_stale() == job_worker.Recovery(requeued=1, failed=0)
    db.session.refresh(job)
    assert job.status is JobStatus.QUEUED
    assert "worker stopped" in job.message

    assert jobs.claim(job)
    assert job.attempts == 2
    _age_heartbeat(job, 61)
    assert job_worker.recover_stale() == job_worker.Recovery(requeued=0, failed=1)
    db.session.refresh(job)
    assert job.status is JobStatus.FAILED
    assert "stopped responding, 2 times" in job.error
    assert job.finished_at is not None


def test_a_running_job_with_a_recent_heartbeat_is_left_alone(app: Flask) -> None:
    app.config["JOB_STALE_SECONDS"] = 60
    job = _enqueue()
    assert jobs.claim(job)
    _age_heartbeat(job, 30)
    assert job_worker.recover_stale() == job_worker.Recovery(requeued=0, failed=0)
    db.session.refresh(job)
    assert job.status is JobStatus.RUNNING


def test_a_worker_replaced_after_going_stale_does_not_overwrite_its_successor(
    app: Flask,
) -> None:
    def body(job: BackgroundJob, report: Report) -> None:
        # While this worker is frozen, the job is found stale and another worker claims it.
        _age_heartbeat(job, 10_000)
        job_worker.recover_stale()
        assert jobs.claim(job)

    _enqueue()
    after = jobs.run_next(kinds=_handler(body))
    assert after is not None
    assert after.status is JobStatus.RUNNING, "the successor's run is not marked done"
    assert after.attempts == 2


def test_the_worker_recovers_stale_jobs_then_runs_the_queue_until_idle(app: Flask) -> None:
    app.config["JOB_STALE_SECONDS"] = 60
    stale = _enqueue("stale")
    assert jobs.claim(stale)
    _age_heartbeat(stale, 120)
    _enqueue("fresh")
    ran: list[str] = []
    printed: list[str] = []
    count = job_worker.work(
        idle_exit=True,
        echo=printed.append,
        kinds=_handler(lambda job, report: ran.append(job.subject_key)),
    )
    assert count == 2
    assert sorted(ran) == ["fresh", "stale"]
    assert printed[0] == "stale jobs: 1 queued again, 0 failed"
    assert db.session.scalars(select(BackgroundJob.status)).all() == [JobStatus.DONE] * 2


def test_the_worker_with_once_runs_a_single_job(app: Flask) -> None:
    _enqueue("a")
    _enqueue("b")
    assert (
        job_worker.work(once=True, echo=lambda line: None, kinds=_handler(lambda j, r: None)) == 1
    )
    statuses = db.session.scalars(select(BackgroundJob.status).order_by(BackgroundJob.id))
    assert list(statuses) == [JobStatus.DONE, JobStatus.QUEUED]


def test_sigterm_stops_the_worker_and_puts_the_running_job_back_in_the_queue(
    app: Flask,
) -> None:
    def body(job: BackgroundJob, report: Report) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # what systemd or `make run`'s trap sends
        raise AssertionError("the signal interrupts the job before this line")

    job = _enqueue()
    before = signal.getsignal(signal.SIGTERM)
    printed: list[str] = []
    assert job_worker.work(echo=printed.append, kinds=_handler(body)) == 0
    db.session.refresh(job)
    assert job.status is JobStatus.QUEUED
    assert "its worker was stopped" in job.message
    assert printed[-1] == "stopped: the running job was queued again"
    assert signal.getsignal(signal.SIGTERM) == before, "the previous handler is restored"


def test_run_now_refuses_a_job_a_worker_already_runs(app: Flask) -> None:
    job = _enqueue()
    assert jobs.claim(job)
    with pytest.raises(InvalidTransition, match="running"):
        jobs.run_now(job)


def test_only_administrators_list_jobs(app: Flask) -> None:
    _enqueue()
    assert len(jobs.recent_jobs(actor=make_user(Role.ADMIN))) == 1
    with pytest.raises(PermissionDenied):
        jobs.recent_jobs(actor=make_user())


def test_latest_job_is_the_newest_of_its_kind_and_subject(app: Flask) -> None:
    first = _enqueue("x")
    jobs.run_next(kinds=_handler(lambda job, report: None))
    second = _enqueue("x")
    _enqueue("y")
    latest = jobs.latest_job(kind=KIND, subject_key="x")
    assert latest is not None
    assert latest.id == second.id != first.id
    assert jobs.latest_job(kind=KIND, subject_key="z") is None


@pytest.mark.postgres
def test_two_workers_never_claim_the_same_job(app: Flask, app_with: Callable[..., Flask]) -> None:
    """PostgreSQL: a job one worker is claiming is skipped by the other (SKIP LOCKED)."""
    first, second = _enqueue("first"), _enqueue("second")
    other_worker = app_with()
    # This worker is half-way through claiming the oldest job: its row is locked.
    locked = db.session.scalar(
        select(BackgroundJob)
        .where(BackgroundJob.status == JobStatus.QUEUED)
        .order_by(BackgroundJob.created_at, BackgroundJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    assert locked is not None
    assert locked.id == first.id
    with other_worker.app_context():
        taken = jobs.claim_next()
        assert taken is not None
        assert taken.id == second.id, "the locked row is skipped"
        assert jobs.claim_next() is None
    assert jobs.claim(locked)
    with other_worker.app_context():
        assert jobs.claim_next() is None, "a running job is never claimed again"
    statuses = db.session.execute(select(BackgroundJob.id, BackgroundJob.attempts)).all()
    assert sorted(statuses) == sorted([(first.id, 1), (second.id, 1)])
