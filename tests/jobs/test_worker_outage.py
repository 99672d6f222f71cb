"""`flask jobs work` (the worker without Redis) waits out a database that stops answering,
as the job thread and the RQ worker's sweeper do, instead of exiting."""

from __future__ import annotations

import os
import signal
import threading

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from listening_state.services import job_worker, periodic_jobs
from listening_state.services.periodic_jobs import SweepReport
from tests.jobs.conftest import NO_DIGEST


def test_the_worker_keeps_sweeping_after_the_database_fails(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["JOB_POLL_SECONDS"] = 0.01
    # The real sweeps below would queue (and the worker run) the day's digest from its hour
    # on: this test counts jobs, so it must not depend on the time of day it runs at.
    app.config["DIGEST_LOCAL_HOUR"] = NO_DIGEST
    real_sweep, sweeps = periodic_jobs.sweep, []

    def restarting_database() -> SweepReport:
        if threading.current_thread() is not threading.main_thread():
            return real_sweep()  # a job thread another test left behind: not this worker
        sweeps.append(len(sweeps))
        if len(sweeps) == 1:
            raise OperationalError(
                "SELECT 1", None, ConnectionError("server closed the connection")
            )
        if len(sweeps) == 3:  # two sweeps after the failure: stop as a supervisor would
            os.kill(os.getpid(), signal.SIGTERM)
        return real_sweep()

    monkeypatch.setattr(periodic_jobs, "sweep", restarting_database)
    assert job_worker.work(echo=lambda line: None) == 0
    assert len(sweeps) == 3
    assert "the job worker failed; it tries again" in caplog.text


def test_a_worker_asked_for_one_round_still_fails_loudly(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down() -> None:
        raise OperationalError("SELECT 1", None, ConnectionError("connection refused"))

    monkeypatch.setattr(job_worker, "claim_next", down)
    with pytest.raises(OperationalError):
        job_worker.work(idle_exit=True, echo=lambda line: None)
