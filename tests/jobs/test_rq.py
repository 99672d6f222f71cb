"""RQ on the real local Redis: the row is the record, Redis the transport; pushing twice is
harmless, and rows Redis never got (it was down) or lost (it restarted) are pushed again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import redis
from flask import Flask
from rq import Queue
from rq.job import Job
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import BackgroundJob, JobStatus, Role
from listening_state.models.base import utcnow
from listening_state.services import job_queue, periodic_jobs, rq_worker
from tests.factories import login, make_user
from tests.jobs.conftest import REDIS_URL, Heard, closed_port, queue_digest
from tests.themes.conftest import build_of


def _queued_ids(name: str) -> list[str]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return list(Queue(name, connection=client).job_ids)
    finally:
        client.close()


def _row(job_id: int) -> BackgroundJob:
    db.session.rollback()
    job = db.session.get(BackgroundJob, job_id)
    assert job is not None
    return job


def test_enqueue_commits_the_row_and_pushes_it_to_the_queue(rq_app: Flask, queue_name: str) -> None:
    job = queue_digest()
    assert job.status is JobStatus.QUEUED
    assert _queued_ids(queue_name) == [f"{queue_name}-{job.id}"]


def test_a_burst_worker_runs_the_pushed_job(rq_app: Flask) -> None:
    job_id = queue_digest().id
    assert rq_worker.work(app=rq_app, burst=True, echo=lambda line: None) == 1
    finished = _row(job_id)
    assert (finished.status, finished.attempts) == (JobStatus.DONE, 1), finished.error


def test_a_row_pushed_twice_runs_once(rq_app: Flask, queue_name: str) -> None:
    job_id = queue_digest().id
    assert job_queue.push(job_id)
    assert _queued_ids(queue_name) == [f"{queue_name}-{job_id}"] * 2
    assert rq_worker.work(app=rq_app, burst=True, echo=lambda line: None) == 2
    assert (_row(job_id).status, _row(job_id).attempts) == (JobStatus.DONE, 1)
    rq_job = Job.fetch(f"{queue_name}-{job_id}", connection=job_queue.redis_client())
    assert rq_job.return_value() == "skipped"  # the second run found the row done


def test_with_redis_down_the_request_succeeds_and_the_sweep_pushes_the_row_later(
    rq_app_with: Callable[..., Flask], heard: Heard, queue_name: str
) -> None:
    down = rq_app_with(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    client = down.test_client()
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=heard.ministry))
    response = client.post(f"/consultations/{heard.consultation.id}/themes/rebuild")
    assert response.status_code == 302
    job = db.session.scalars(select(BackgroundJob)).one()
    assert job.status is JobStatus.QUEUED
    assert _queued_ids(queue_name) == []
    up = rq_app_with()
    with up.app_context():
        assert periodic_jobs.sweep().pushed == 0  # too recent: its request may still push it
        later = utcnow() + timedelta(seconds=float(up.config["JOB_REPUSH_SECONDS"]) + 1)
        assert periodic_jobs.sweep(now=later).pushed == 1
        assert rq_worker.work(app=up, burst=True, echo=lambda line: None) == 1
    finished = _row(job.id)
    assert finished.status is JobStatus.DONE, finished.error
    assert build_of(heard.consultation).job_id == job.id


def test_rows_redis_lost_are_pushed_again_and_waiting_ones_are_not(
    rq_app: Flask, queue_name: str
) -> None:
    lost, waiting = queue_digest("day:lost").id, queue_digest("day:waiting").id
    client = job_queue.redis_client()
    client.delete(f"rq:job:{queue_name}-{lost}")  # as a restarted Redis without a disk would
    client.lrem(f"rq:queue:{queue_name}", 0, f"{queue_name}-{lost}")
    later = utcnow() + timedelta(seconds=float(rq_app.config["JOB_REPUSH_SECONDS"]) + 1)
    assert periodic_jobs.sweep(now=later).pushed == 1
    assert sorted(_queued_ids(queue_name)) == sorted(
        [f"{queue_name}-{waiting}", f"{queue_name}-{lost}"]
    )
    assert periodic_jobs.sweep(now=later).pushed == 0


def test_a_row_put_back_in_the_queue_after_its_worker_died_is_pushed_again(
    rq_app: Flask, queue_name: str
) -> None:
    job_id = queue_digest().id
    assert rq_worker.work(app=rq_app, burst=True, echo=lambda line: None) == 1
    job = _row(job_id)
    job.status = JobStatus.QUEUED  # as recover_stale does for a job whose worker was killed
    db.session.commit()
    assert periodic_jobs.sweep(now=utcnow() + timedelta(minutes=5)).pushed == 1
    assert rq_worker.work(app=rq_app, burst=True, echo=lambda line: None) == 1
    assert (_row(job_id).status, _row(job_id).attempts) == (JobStatus.DONE, 2)


def test_a_sweep_while_redis_is_down_still_recovers_and_queues_what_is_due(
    rq_app_with: Callable[..., Flask],
) -> None:
    down = rq_app_with(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0", DIGEST_LOCAL_HOUR=0)
    with down.app_context():
        waiting = queue_digest("day:waiting")
        later = utcnow() + timedelta(seconds=float(down.config["JOB_REPUSH_SECONDS"]) + 1)
        report = periodic_jobs.sweep(now=later)
        assert report.pushed == 0
        assert len(report.queued) == 1, "the day's digest is queued for when Redis returns"
        assert _row(waiting.id).status is JobStatus.QUEUED
