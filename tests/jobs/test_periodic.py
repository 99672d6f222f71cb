"""Periodic jobs: due e-mail is sent and the digest queued once a day, each queued once per
slot however many workers sweep at the same moment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from listening_state.extensions import db
from listening_state.models import BackgroundJob, JobStatus, OutboxStatus
from listening_state.services import job_worker, jobs, outbox, periodic_jobs
from listening_state.services.periodic_jobs import DIGEST_KIND, OUTBOX_SEND_KIND
from tests.concurrently import at_once
from tests.factories import KAZAKH_SENTENCE, make_user
from tests.jobs.conftest import SMTPSink
from tests.notifications.conftest import messages

ALMATY = ZoneInfo("Asia/Almaty")


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 30, tzinfo=ALMATY)


def _kinds() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(BackgroundJob.kind, BackgroundJob.subject_key).order_by(BackgroundJob.id)
    )
    return [(row.kind, row.subject_key) for row in rows]


def _queue_mail() -> None:
    outbox.queue(
        kind="answered",
        recipient=make_user(language="kk"),
        subject="Сіздің өтінішіңізге жауап берілді",
        body_text=KAZAKH_SENTENCE + "\n",
        language="kk",
    )
    db.session.commit()


def test_the_digest_is_queued_once_a_day_from_its_hour(app: Flask) -> None:
    assert periodic_jobs.enqueue_due(now=_at(2, 6)) == []  # before DIGEST_LOCAL_HOUR (7)
    [job] = periodic_jobs.enqueue_due(now=_at(2, 7))
    assert (job.kind, job.subject_key) == (DIGEST_KIND, "day:2026-03-02")
    assert periodic_jobs.enqueue_due(now=_at(2, 23)) == []
    jobs.run_now(job)
    assert periodic_jobs.enqueue_due(now=_at(2, 23)) == [], "done today"
    assert [j.subject_key for j in periodic_jobs.enqueue_due(now=_at(3, 8))] == ["day:2026-03-03"]


def test_a_failed_slot_is_tried_again_a_few_times_only(app: Flask) -> None:
    for attempt in range(periodic_jobs.PERIODIC_ATTEMPTS):
        [job] = periodic_jobs.enqueue_due(now=_at(2, 9))
        assert jobs.claim(job), attempt
        job.status = JobStatus.FAILED
        db.session.commit()
    assert periodic_jobs.enqueue_due(now=_at(2, 9)) == []


def test_outbox_sends_are_queued_only_when_mail_is_due_and_sent_by_smtp(app: Flask) -> None:
    app.config["DIGEST_LOCAL_HOUR"] = 24  # never: this test is about the outbox only
    now = datetime.now(ALMATY) + timedelta(minutes=1)
    _queue_mail()
    assert periodic_jobs.enqueue_due(now=now) == [], "outbox-page: nothing is ever sent"
    app.config["MAIL_TRANSPORT"] = "smtp"
    [job] = periodic_jobs.enqueue_due(now=now)
    assert job.kind == OUTBOX_SEND_KIND
    assert periodic_jobs.enqueue_due(now=now) == [], "one per OUTBOX_SEND_SECONDS"
    assert periodic_jobs.enqueue_due(now=now + timedelta(seconds=61)) != []
    assert [kind for kind, _slot in _kinds()] == [OUTBOX_SEND_KIND] * 2


def test_no_outbox_job_when_nothing_is_due(app: Flask) -> None:
    app.config.update(MAIL_TRANSPORT="smtp", DIGEST_LOCAL_HOUR=24)
    assert periodic_jobs.enqueue_due() == []


def test_the_outbox_job_sends_due_mail_through_smtp(app: Flask, smtp_sink: SMTPSink) -> None:
    app.config.update(
        MAIL_TRANSPORT="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_sink.port,
        MAIL_USE_TLS=False,
        MAIL_TIMEOUT=5,
        DIGEST_LOCAL_HOUR=24,
    )
    _queue_mail()
    [job] = periodic_jobs.enqueue_due(now=datetime.now(ALMATY) + timedelta(minutes=1))
    assert jobs.run_now(job).status is JobStatus.DONE
    assert len(smtp_sink.received) == 1
    assert messages()[0].status is OutboxStatus.SENT


def test_the_sweep_requeues_the_job_of_a_dead_worker_and_queues_what_is_due(app: Flask) -> None:
    [job] = periodic_jobs.enqueue_due(now=_at(2, 8))
    assert jobs.claim(job)
    job.heartbeat_at = _at(2, 8)  # its worker was killed then
    db.session.commit()
    later = _at(2, 8) + timedelta(seconds=app.config["JOB_STALE_SECONDS"] + 1)
    report = periodic_jobs.sweep(now=later)
    assert (report.requeued, report.failed, report.pushed) == (1, 0, 0)
    assert report.queued == (), "the day's digest is still queued"
    assert job_worker.recover_stale(now=later) == job_worker.Recovery(requeued=0, failed=0)


def test_finished_periodic_rows_are_pruned_with_the_next_days_digest(app: Flask) -> None:
    [old] = periodic_jobs.enqueue_due(now=_at(2, 8))
    jobs.run_now(old)
    old.created_at = _at(2, 8) - periodic_jobs.PERIODIC_KEPT - timedelta(days=1)
    db.session.commit()
    report = periodic_jobs.sweep(now=_at(3, 8))
    assert report.queued == (f"{DIGEST_KIND} day:2026-03-03",)
    assert report.pruned == 1
    assert _kinds() == [(DIGEST_KIND, "day:2026-03-03")]


@pytest.mark.postgres
def test_workers_sweeping_at_once_queue_one_digest(app_with: Callable[..., Flask]) -> None:
    at_once(app_with(), 4, lambda: periodic_jobs.enqueue_due(now=_at(2, 8)))
    db.session.rollback()
    assert db.session.scalar(select(func.count(BackgroundJob.id))) == 1
