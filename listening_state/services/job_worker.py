"""The table-polling worker (JOB_BACKEND "table", no Redis): `flask jobs work` runs queued
rows one after another, polling for new ones, after putting back in the queue (or failing) the
jobs of workers that died; idle, it sweeps like the RQ worker (periodic_jobs.sweep)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from listening_state.extensions import db
from listening_state.models import BackgroundJob, JobStatus
from listening_state.models.base import utcnow
from listening_state.services.jobs import (
    Handler,
    WorkerStopping,
    claim_next,
    rowcount,
    run_claimed,
    still_ours,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recovery:
    requeued: int
    failed: int


def recover_stale(*, now: datetime | None = None) -> Recovery:
    """Jobs RUNNING with a heartbeat older than JOB_STALE_SECONDS lost their worker: queue them
    again, or fail them once they have used JOB_MAX_ATTEMPTS attempts."""
    config = current_app.config
    now = now or utcnow()
    cutoff = now - timedelta(seconds=float(config["JOB_STALE_SECONDS"]))
    max_attempts = int(config["JOB_MAX_ATTEMPTS"])
    stale = list(
        db.session.scalars(
            select(BackgroundJob).where(
                BackgroundJob.status == JobStatus.RUNNING, BackgroundJob.heartbeat_at < cutoff
            )
        )
    )
    requeued = failed = 0
    for job in stale:
        give_up = job.attempts >= max_attempts
        values: dict[str, Any] = (
            {
                "status": JobStatus.FAILED,
                "finished_at": now,
                "error": f"its worker stopped responding, {job.attempts} times; not retried",
            }
            if give_up
            else {
                "status": JobStatus.QUEUED,
                "progress": 0.0,
                "message": "queued again: its worker stopped",
            }
        )
        changed = db.session.execute(
            update(BackgroundJob)
            .where(*still_ours(job.id, job.attempts), BackgroundJob.heartbeat_at < cutoff)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if rowcount(changed) == 1:
            failed += int(give_up)
            requeued += int(not give_up)
            log.warning("stale job %s %s", job.id, "failed" if give_up else "queued again")
    db.session.commit()
    return Recovery(requeued=requeued, failed=failed)


def _run_one(
    job: BackgroundJob,
    kinds: Mapping[str, Handler] | None,
    state: dict[str, bool],
    echo: Callable[[str], None],
) -> None:
    echo(f"job {job.id} {job.kind} {job.subject_key}: started (attempt {job.attempts})")
    state["running"] = True  # from here SIGTERM puts the job back in the queue
    try:
        finished = run_claimed(job, kinds=kinds)
    finally:
        state["running"] = False
    outcome = finished.message if finished.status is JobStatus.DONE else finished.error
    last_line = (outcome.strip().splitlines() or [""])[-1]
    echo(f"job {finished.id}: {finished.status.value}: {last_line}")


def _rollback_quietly() -> None:
    """Leave the failed transaction; with the database gone even that may fail."""
    try:
        db.session.rollback()
    except Exception:
        log.debug("rollback failed too", exc_info=True)


def work(
    *,
    once: bool = False,
    idle_exit: bool = False,
    echo: Callable[[str], None] = log.info,
    kinds: Mapping[str, Handler] | None = None,
) -> int:
    """The worker loop: recover stale jobs, then run queued ones, polling every
    JOB_POLL_SECONDS. Stops after one job with `once`, when the queue is empty with
    `idle_exit`, or on SIGTERM/SIGINT (a running job goes back to the queue). Returns the
    number of jobs run."""
    poll = float(current_app.config["JOB_POLL_SECONDS"])
    stop = threading.Event()
    state = {"running": False}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        if state["running"]:
            raise WorkerStopping

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = (
        {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        if in_main_thread
        else {}
    )
    ran = 0
    try:
        recovery = recover_stale()
        if recovery.requeued or recovery.failed:
            echo(f"stale jobs: {recovery.requeued} queued again, {recovery.failed} failed")
        while not stop.is_set():
            try:
                job = claim_next()
                if job is None:
                    if once or idle_exit:
                        break
                    stop.wait(poll)
                    # Another worker may have died meanwhile; e-mail or the digest may be due,
                    # and deferred comments wait for the sweep.
                    from listening_state.services import periodic_jobs  # it imports this module

                    periodic_jobs.sweep()
                    continue
                _run_one(job, kinds, state, echo)
                ran += 1
            except Exception:  # the database may be restarting: the worker waits it out
                if once or idle_exit:
                    raise
                log.exception("the job worker failed; it tries again in %.0f s", poll)
                _rollback_quietly()
                stop.wait(poll)
                continue
            if once:
                break
    except WorkerStopping:
        echo("stopped: the running job was queued again")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return ran
