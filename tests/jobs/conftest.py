"""Background jobs on their backends: RQ against the real local Redis (a queue of its own per
test, deleted afterwards), the web process's thread, and the periodic jobs."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from flask import Flask

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import BackgroundJob, JobStatus
from listening_state.services import job_queue, jobs
from listening_state.services.periodic_jobs import DIGEST_KIND
from tests.notifications.conftest import SMTPSink, smtp_sink
from tests.routing.conftest import ministries
from tests.themes.conftest import Heard, heard

__all__ = ["Heard", "SMTPSink", "heard", "ministries", "smtp_sink"]

REDIS_URL = "redis://127.0.0.1:6379/14"
# The digest is queued from this local hour on; 24 never comes, so tests queue it themselves.
NO_DIGEST = 24


def closed_port() -> int:
    """A local port nothing listens on: Redis there is unreachable (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_running() -> bool:
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        client.close()
    except (redis.RedisError, OSError):
        return False
    return True


@pytest.fixture
def queue_name() -> Iterator[str]:
    """A queue of this test's own on the real Redis; its keys are deleted afterwards."""
    if not redis_running():
        if os.environ.get("CI") == "true":
            pytest.fail("CI requires the local Redis on 127.0.0.1:6379")
        pytest.skip("no Redis on 127.0.0.1:6379")
    name = f"test-jobs-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"*{name}*"):
        client.delete(key)
    client.srem("rq:queues", f"rq:queue:{name}")  # RQ's set of every queue ever used
    client.close()


@pytest.fixture
def rq_app_with(app_with: Callable[..., Flask], queue_name: str) -> Iterator[Callable[..., Flask]]:
    """Apps on the RQ backend and this test's queue; their Redis clients closed afterwards."""
    built: list[Flask] = []

    def build(**extra: object) -> Flask:
        settings: dict[str, object] = {
            "REDIS_URL": REDIS_URL,
            "JOB_BACKEND": "rq",
            "JOB_QUEUE_NAME": queue_name,
            "DIGEST_LOCAL_HOUR": NO_DIGEST,
        }
        settings.update(extra)
        built.append(app_with(**settings))
        return built[-1]

    yield build
    for app in built:
        job_queue.close_redis(app)


@pytest.fixture
def rq_app(rq_app_with: Callable[..., Flask]) -> Iterator[Flask]:
    """The RQ backend on the local Redis, its context pushed for the test."""
    app = rq_app_with()
    with app.app_context():
        yield app


def queue_digest(slot: str = "day:test") -> BackgroundJob:
    """A real, quick job: the officers' digest (with no officers it queues no e-mail)."""
    return jobs.enqueue(kind=DIGEST_KIND, subject_key=slot, params={}, requested_by=SYSTEM)


def wait_until_finished(job_id: int, *, timeout: float = 60.0) -> BackgroundJob:
    """Read the row again until another thread or process has finished the job."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()  # a new transaction each time: see what others committed
        job = db.session.get(BackgroundJob, job_id)
        assert job is not None
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job.status.value}"
        time.sleep(0.05)
