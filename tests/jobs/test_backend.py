"""Which backend runs the jobs: derived from the settings when JOB_BACKEND is empty."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from listening_state import create_app
from listening_state.config import ConfigError
from listening_state.models import JobStatus
from tests.jobs.conftest import queue_digest


def _backend(**settings: Any) -> str:
    base = {"ENV_NAME": "testing", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    return str(create_app({**base, **settings}).config["JOB_BACKEND"])


def test_with_redis_configured_jobs_go_to_rq() -> None:
    assert _backend(REDIS_URL="redis://127.0.0.1:6379/0") == "rq"


def test_without_redis_the_web_process_runs_jobs_in_a_thread() -> None:
    assert _backend() == "thread"


def test_under_testing_jobs_wait_in_the_table_for_the_test_to_run_them() -> None:
    assert _backend(TESTING=True) == "table"
    assert _backend(TESTING=True, REDIS_URL="redis://127.0.0.1:6379/0") == "table"


def test_an_explicit_backend_is_kept() -> None:
    assert _backend(JOB_BACKEND="table", REDIS_URL="redis://127.0.0.1:6379/0") == "table"
    assert _backend(TESTING=True, JOB_BACKEND="thread") == "thread"


def test_an_unknown_backend_or_rq_without_redis_stops_the_start() -> None:
    with pytest.raises(ConfigError, match="JOB_BACKEND"):
        _backend(JOB_BACKEND="celery")
    with pytest.raises(ConfigError, match="REDIS_URL"):
        _backend(JOB_BACKEND="rq")


def test_the_table_backend_leaves_the_job_queued(app: Flask) -> None:
    assert queue_digest().status is JobStatus.QUEUED


def test_the_inline_backend_runs_the_job_before_enqueue_returns(app: Flask) -> None:
    app.config["JOB_BACKEND"] = "inline"
    job = queue_digest()
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)
