"""How a queued background job reaches what runs it: RQ on Redis, or a thread of the web process.

RQ rather than Celery: RQ needs nothing but Redis, which the site already runs for rate limits
and /healthz; a job is a plain importable function; there is no broker, result backend or beat
schedule to configure. Celery would bring a second configuration system for what we use: one
queue, one function and two periodic jobs.

The background_job row stays the record of every job (status, progress, error, who asked for
it, the dedup of a second click): pages read it and RQ is only the transport. Once the row is
committed, `run_job(row id)` is pushed to the queue; it claims the row with the compare-and-set
in jobs.claim, so a second push of the same row finds it no longer QUEUED and returns. Pushing
twice being harmless keeps recovery simple: the worker's sweeper (periodic_jobs.sweep) pushes
again every row still QUEUED that Redis is not holding, queued while Redis was down or lost
when it restarted (the local Redis keeps nothing on disk). A push that fails is logged and the
request that queued the job still succeeds.

Without Redis (JOB_BACKEND "thread", the embedded default) a daemon thread of the web process
runs the same jobs (job_thread.py), so `make run` needs no other process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, cast

import redis
from flask import Flask, current_app, has_app_context, has_request_context
from rq import Queue
from rq.job import Job
from rq.job import JobStatus as RQStatus

from listening_state.extensions import db
from listening_state.models import BackgroundJob, JobStatus
from listening_state.services.jobs import claim, run_claimed

log = logging.getLogger(__name__)

# A request (or a /healthz probe: load balancers often give up after 1 s) never waits longer
# than this on an unreachable Redis, to connect or to be answered.
PUSH_TIMEOUT_SECONDS = 1.0
RESULT_TTL_SECONDS = 600  # RQ's own record of a run; the row is the lasting one
FAILURE_TTL_SECONDS = 7 * 24 * 3600
# An RQ job in these states will still run: its row needs no second push.
WILL_RUN = (RQStatus.QUEUED, RQStatus.DEFERRED, RQStatus.SCHEDULED)
_standalone: list[Flask] = []  # the app of a plain `rq worker`, built once per process


def backend() -> str:
    return str(current_app.config["JOB_BACKEND"])


def redis_client(*, blocking: bool = False) -> redis.Redis:
    """A client on REDIS_URL, kept per app. Pushes from requests time out quickly; the worker's
    client (`blocking`) has no read timeout, as it waits on the queue for minutes."""
    key = "listening_state.redis_blocking" if blocking else "listening_state.redis"
    client = current_app.extensions.get(key)
    if client is None:
        timeout = None if blocking else PUSH_TIMEOUT_SECONDS
        client = redis.Redis.from_url(
            current_app.config["REDIS_URL"],
            socket_connect_timeout=PUSH_TIMEOUT_SECONDS,
            socket_timeout=timeout,
            health_check_interval=30,
        )
        current_app.extensions[key] = client
    return cast(redis.Redis, client)


def rq_queue(connection: redis.Redis | None = None) -> Queue:
    return Queue(current_app.config["JOB_QUEUE_NAME"], connection=connection or redis_client())


def rq_job_id(job_id: int) -> str:
    """One RQ id per row (queue name first: test queues share one Redis)."""
    return f"{current_app.config['JOB_QUEUE_NAME']}-{job_id}"


def push(job_id: int) -> bool:
    """Put `run_job(job_id)` on the RQ queue; False (and a warning) when Redis is unreachable,
    the row then waits for the sweeper."""
    try:
        rq_queue().enqueue(
            run_job,
            job_id,
            job_id=rq_job_id(job_id),
            job_timeout=int(current_app.config["JOB_TIMEOUT_SECONDS"]),
            result_ttl=RESULT_TTL_SECONDS,
            failure_ttl=FAILURE_TTL_SECONDS,
            description=f"background_job {job_id}",
        )
    except (redis.RedisError, OSError) as error:
        log.warning("job %s not pushed to Redis (%s); the sweeper pushes it later", job_id, error)
        return False
    return True


def waiting_in_redis(job_ids: Iterable[int]) -> set[int]:
    """The rows whose RQ job is still to run (queued, deferred or scheduled)."""
    ids = list(job_ids)
    if not ids:
        return set()
    found = Job.fetch_many([rq_job_id(i) for i in ids], connection=redis_client())
    return {
        job_id
        for job_id, rq_job in zip(ids, found, strict=True)
        if rq_job is not None and rq_job.get_status(refresh=False) in WILL_RUN
    }


def dispatch(job: BackgroundJob) -> None:
    """Hand a just-committed QUEUED row to whatever runs jobs in this deployment."""
    chosen = backend()
    if chosen == "rq":
        push(job.id)
    elif chosen == "thread":
        from listening_state.services import job_thread

        # Only a web process starts the thread: a command (`themes bootstrap --queue`) leaves
        # its jobs to the server, whose thread would otherwise die with the command.
        job_thread.poke(real_app(), start=has_request_context())
    elif chosen == "inline" and claim(job):
        run_claimed(job)


def run_job(job_id: int) -> str:
    """The function RQ runs: claim the row and run it; a row no longer QUEUED (done, running
    elsewhere, pushed twice) is left alone. Each run gets a fresh app context and session."""
    app = current_app if has_app_context() else _standalone_app()
    with app.app_context():
        job = db.session.get(BackgroundJob, job_id)
        if job is None or job.status is not JobStatus.QUEUED or not claim(job):
            return "skipped"
        return run_claimed(job).status.value


def real_app() -> Flask:
    """The app behind current_app, for a thread that outlives this context."""
    return cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]


def _standalone_app() -> Flask:
    """For a bare `rq worker` started without `flask jobs worker`."""
    if not _standalone:
        from listening_state import create_app

        _standalone.append(create_app())
    return _standalone[0]


def init_app(app: Flask) -> None:
    """Start the job thread with the first request (never at import or in a command)."""

    @app.before_request
    def _start_job_thread() -> Any:
        if app.config["JOB_BACKEND"] == "thread":
            from listening_state.services import job_thread

            job_thread.ensure_started(app)
        return None


def close_redis(app: Flask) -> None:
    """Close this app's Redis clients (tests; an exiting process drops them anyway)."""
    for key in ("listening_state.redis", "listening_state.redis_blocking"):
        client = app.extensions.pop(key, None)
        if isinstance(client, redis.Redis):
            client.close()
