"""Without Redis, a thread of the web process runs the jobs: no worker to start."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from listening_state.extensions import db
from listening_state.models import BackgroundJob, JobStatus, Role
from listening_state.services import job_thread
from tests.factories import login, make_user
from tests.jobs.conftest import NO_DIGEST, Heard, queue_digest, wait_until_finished
from tests.themes.conftest import build_of


def _threaded(app_with: Callable[..., Flask]) -> Flask:
    return app_with(JOB_BACKEND="thread", JOB_POLL_SECONDS=0.2, DIGEST_LOCAL_HOUR=NO_DIGEST)


def test_a_rebuild_requested_on_the_page_is_run_by_the_web_process(
    app_with: Callable[..., Flask], heard: Heard
) -> None:
    threaded = _threaded(app_with)
    officer = make_user(Role.MINISTRY_OFFICER, ministry=heard.ministry)
    client = threaded.test_client()
    try:
        login(client, officer)
        response = client.post(f"/consultations/{heard.consultation.id}/themes/rebuild")
        assert response.status_code == 302
        job_id = db.session.scalars(select(BackgroundJob.id)).one()
        finished = wait_until_finished(job_id)
        assert (finished.status, finished.attempts) == (JobStatus.DONE, 1), finished.error
        assert build_of(heard.consultation).job_id == job_id
    finally:
        job_thread.stop(threaded)


def test_commands_start_no_thread_and_the_first_request_runs_what_they_queued(
    app_with: Callable[..., Flask],
) -> None:
    threaded = _threaded(app_with)
    try:
        with threaded.app_context():
            job_id = queue_digest().id  # as `flask themes bootstrap --queue` does
        result = threaded.test_cli_runner().invoke(args=["jobs", "list"])
        assert result.exit_code == 0, result.output
        assert not job_thread.runner(threaded).alive
        assert db.session.get(BackgroundJob, job_id).status is JobStatus.QUEUED  # type: ignore[union-attr]
        assert threaded.test_client().get("/healthz").status_code in (200, 503)
        assert job_thread.runner(threaded).alive
        assert wait_until_finished(job_id).status is JobStatus.DONE
    finally:
        job_thread.stop(threaded)


def test_the_thread_keeps_running_jobs_queued_after_it_started(
    app_with: Callable[..., Flask],
) -> None:
    threaded = _threaded(app_with)
    try:
        threaded.test_client().get("/healthz")
        with threaded.app_context():
            first, second = queue_digest("day:one").id, queue_digest("day:two").id
        assert wait_until_finished(first).status is JobStatus.DONE
        assert wait_until_finished(second).status is JobStatus.DONE
        # The thread counts a job after committing it as done: join it before reading the count.
        job_thread.stop(threaded)
        assert job_thread.runner(threaded).ran == 2
    finally:
        job_thread.stop(threaded)
