"""`flask jobs worker` (RQ) and `flask router train --queue`."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import BackgroundJob, JobStatus, Ministry, RouterVersion
from tests.jobs.conftest import closed_port, queue_digest


def test_the_worker_needs_redis(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0
    assert "LISTENING_STATE_REDIS_URL" in result.output


def test_a_burst_worker_runs_what_is_queued_and_exits(rq_app: Flask) -> None:
    job_id = queue_digest().id
    result = rq_app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "stopped after 1 job(s)" in result.output
    db.session.rollback()
    assert db.session.get(BackgroundJob, job_id).status is JobStatus.DONE  # type: ignore[union-attr]


def test_router_training_is_queued_and_run_as_a_job(
    runner: FlaskCliRunner, ministries: dict[str, Ministry]
) -> None:
    result = runner.invoke(args=["router", "train", "--queue", "--activate"])
    assert result.exit_code == 0, result.output
    job = db.session.scalars(select(BackgroundJob)).one()
    assert (job.kind, job.status, job.params) == (
        "router.train",
        JobStatus.QUEUED,
        {"activate": True},
    )
    assert runner.invoke(args=["jobs", "work", "--once"]).exit_code == 0
    db.session.rollback()
    assert db.session.get(BackgroundJob, job.id).status is JobStatus.DONE  # type: ignore[union-attr]
    assert db.session.scalars(select(RouterVersion.is_active)).all() == [True]


def test_a_burst_worker_without_redis_says_so(rq_app_with: Callable[..., Flask]) -> None:
    down = rq_app_with(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    with down.app_context():
        result = down.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 1
    assert "Redis unreachable" in result.output
