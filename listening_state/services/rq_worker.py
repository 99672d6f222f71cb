"""`flask jobs worker`: an RQ worker for the background_job rows pushed to Redis, with a sweeper
thread beside it.

RQ's SimpleWorker runs each job in this process, inside the app the command built, rather than
RQ's default Worker, which forks a child per job: the router and theme models a job loads stay
in memory for the next one, the SQLAlchemy pool is never shared across a fork, and the job's
heartbeat thread (jobs._heartbeat) lives in the process that runs it. A job that crashes the
interpreter takes the worker down; the process supervisor starts it again and the sweep queues
the job again once its heartbeat is stale.

Redis stopped: RQ retries while it waits for a job, but gives up on errors elsewhere (at
start, after a job), so the worker is rebuilt in a loop with a growing pause and resumes when
Redis returns; the sweeper then pushes again the rows that were queued meanwhile. The sweeper
(periodic_jobs.sweep, every JOB_POLL_SECONDS) also queues the periodic jobs; several workers
may run it at once.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

import redis
from flask import Flask
from rq import Queue, SimpleWorker
from rq.job import Job

from listening_state.services import job_queue, periodic_jobs

log = logging.getLogger(__name__)

MAX_PAUSE_SECONDS = 30.0
SIGNALS = (signal.SIGTERM, signal.SIGINT)


class CountingWorker(SimpleWorker):
    """SimpleWorker counting the jobs it ran (RQ keeps its counts in Redis only)."""

    executed = 0

    def execute_job(self, job: Job, queue: Queue) -> None:
        self.executed += 1
        super().execute_job(job, queue)


def _sweep_forever(app: Flask, stop: threading.Event) -> None:
    poll = float(app.config["JOB_POLL_SECONDS"])
    while not stop.wait(poll):
        try:
            with app.app_context():
                report = periodic_jobs.sweep()
            if report.pushed or report.requeued or report.failed or report.queued:
                log.info("sweep: %s", report)
        except Exception:  # the database or Redis may be restarting: the next sweep retries
            log.warning("sweep failed; retrying in %.0f s", poll, exc_info=True)


def _pause(stop: threading.Event, seconds: float) -> bool:
    """Wait, returning True if SIGTERM/SIGINT asked us to stop meanwhile (outside RQ's loop,
    its own handlers are no longer in charge)."""

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for sig in SIGNALS:
            signal.signal(sig, on_signal)
    return stop.wait(seconds)


def work(*, app: Flask, burst: bool = False, echo: Callable[[str], None] = log.info) -> int:
    """Run jobs from the RQ queue until stopped (or, with `burst`, until it is empty after one
    sweep). Returns the number of jobs run."""
    stop = threading.Event()
    sweeper = threading.Thread(target=_sweep_forever, args=(app, stop), daemon=True)
    if burst:  # one sweep first, so rows queued while Redis was down are run too
        periodic_jobs.sweep()
    else:
        sweeper.start()
    in_main_thread = threading.current_thread() is threading.main_thread()
    handlers = {sig: signal.getsignal(sig) for sig in SIGNALS} if in_main_thread else {}
    ran, pause = 0, 1.0
    try:
        while not stop.is_set():
            connection = job_queue.redis_client(blocking=True)
            try:
                worker = CountingWorker([job_queue.rq_queue(connection)], connection=connection)
                worker.work(burst=burst, logging_level="INFO")
            except (redis.ConnectionError, redis.TimeoutError) as error:
                if burst:
                    raise
                echo(f"Redis unreachable ({error}); trying again in {pause:.0f} s.")
            else:
                ran += worker.executed
                if burst or worker._shutdown_requested_date is not None:  # asked to stop
                    break
                if worker.executed:  # it had been working: the trouble is new
                    pause = 1.0
                echo(f"The RQ worker stopped on an error; starting again in {pause:.0f} s.")
            if _pause(stop, pause):
                break
            pause = min(pause * 2, MAX_PAUSE_SECONDS)
    finally:
        stop.set()
        for sig, handler in handlers.items():  # RQ's handlers would outlive its worker
            signal.signal(sig, handler)
        if sweeper.is_alive():
            sweeper.join(timeout=5)
    return ran
