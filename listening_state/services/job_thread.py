"""The job thread (JOB_BACKEND "thread", no Redis): one daemon thread per web process runs the
queued rows with the same claim_next/run_claimed loop as `flask jobs work`, and queues the
periodic jobs (outbox, digest). It wakes when a request queues a job, and every
JOB_POLL_SECONDS for jobs queued by a command or by another process. Several processes may
each have one: the compare-and-set claim lets one row run once.

It is started by the first request, never by create_app, so `flask db upgrade` and other
commands start no thread, and never under TESTING unless a test asks for this backend.
A process stopped mid-job leaves the row RUNNING; it is queued again once its heartbeat is
JOB_STALE_SECONDS old (job_worker.recover_stale).
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from listening_state.services import periodic_jobs
from listening_state.services.jobs import claim_next, run_claimed

log = logging.getLogger(__name__)

EXTENSION_KEY = "listening_state.job_thread"


class JobThread:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.ran = 0
        self._lock = threading.Lock()

    @property
    def alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self) -> None:
        with self._lock:
            if self.alive:
                return
            self.stopping.clear()
            self.thread = threading.Thread(target=self._run, name="job-thread", daemon=True)
            self.thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the running job (tests; a server exiting just drops the daemon)."""
        self.stopping.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self) -> None:
        poll = float(self.app.config["JOB_POLL_SECONDS"])
        while not self.stopping.is_set():
            self.wake.clear()  # a job queued from here on wakes the wait below at once
            try:
                with self.app.app_context():
                    periodic_jobs.sweep()
                    while not self.stopping.is_set() and (job := claim_next()) is not None:
                        run_claimed(job)
                        self.ran += 1
            except Exception:  # the database may be restarting: try again after the pause
                log.exception("the job thread failed; it tries again in %.0f s", poll)
            self.wake.wait(poll)


def runner(app: Flask) -> JobThread:
    found = app.extensions.get(EXTENSION_KEY)
    if not isinstance(found, JobThread):
        found = app.extensions[EXTENSION_KEY] = JobThread(app)
    return found


def ensure_started(app: Flask) -> None:
    found = app.extensions.get(EXTENSION_KEY)
    if isinstance(found, JobThread) and found.alive:  # every request after the first
        return
    runner(app).start()


def poke(app: Flask, *, start: bool) -> None:
    """A job was queued: run it now (starting the thread if `start`)."""
    if start:
        ensure_started(app)
    found = app.extensions.get(EXTENSION_KEY)
    if isinstance(found, JobThread):
        found.wake.set()


def stop(app: Flask) -> None:
    found = app.extensions.get(EXTENSION_KEY)
    if isinstance(found, JobThread):
        found.stop()
