"""Commands for running the site: e-mail, background jobs, the monitoring rollup, sign-in
security, council roles."""

from __future__ import annotations

import os
import time

import click
import redis
from flask import current_app
from flask.cli import AppGroup

from listening_state.authz import SYSTEM
from listening_state.cli.echo import last_line
from listening_state.models import JobStatus
from listening_state.services import two_factor

outbox_cli = AppGroup("outbox", help="E-mail: send what waits in the outbox, queue digests.")
jobs_cli = AppGroup("jobs", help="Background jobs: the worker and the queue.")
monitoring_cli = AppGroup("monitoring", help="The public monitoring figures and their rollup.")
security_cli = AppGroup("security", help="Sign-in security: the second factor's stored secrets.")
councils_cli = AppGroup("councils", help="Public Councils: their members' council role.")


@outbox_cli.command("send")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1))
def outbox_send(limit: int) -> None:
    """Send due messages once (run every minute); failures are retried later."""
    from listening_state.services import mail, outbox

    transport = mail.configured_transport()
    if transport is None:
        click.echo(
            "MAIL_TRANSPORT is outbox-page: nothing is sent; read messages at /admin/outbox."
        )
        return
    report = outbox.send_due(actor=SYSTEM, transport=transport, limit=limit)
    click.echo(
        f"sent: {report.sent}, retrying: {report.retrying}, failed: {report.failed}, "
        f"discarded: {report.discarded}"
    )


@outbox_cli.command("digest")
def outbox_digest() -> None:
    """Queue today's digest for ministry officers (run daily; a second run adds nothing)."""
    from listening_state.services import digest

    click.echo(f"Digests queued: {digest.queue_digests(actor=SYSTEM)}")


@councils_cli.command("sync-roles")
def councils_sync_roles() -> None:
    """Grant and revoke council roles as today's memberships say (run daily; a second run
    changes nothing)."""
    from listening_state.services import councils

    click.echo(f"Council roles changed: {councils.sync_member_roles(actor=SYSTEM)}")


@monitoring_cli.command("rebuild-rollup")
def monitoring_rebuild_rollup() -> None:
    """Recount the monitoring rollup from every submission (after a bulk load or a change of
    BABEL_DEFAULT_TIMEZONE; the app keeps it exact on its own otherwise)."""
    from listening_state.services import monitoring_rollup

    started = time.perf_counter()
    rows = monitoring_rollup.rebuild_rollup(actor=SYSTEM)
    for table, count in rows.items():
        click.echo(f"{table}: {count} rows")
    click.echo(f"rebuilt in {time.perf_counter() - started:.1f} s")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Exit as soon as the Redis queue is empty.")
def jobs_worker(burst: bool) -> None:
    """Run background jobs from Redis (RQ), and queue the periodic ones (production)."""
    from listening_state.services import job_queue, rq_worker

    if current_app.config["JOB_BACKEND"] != "rq":
        raise click.ClickException(
            "the worker needs Redis: set LISTENING_STATE_REDIS_URL (without it the web "
            "process runs jobs in a thread, or `flask jobs work` polls the database)"
        )
    click.echo(f"Job worker {os.getpid()} started on {current_app.config['JOB_QUEUE_NAME']}.")
    try:
        ran = rq_worker.work(app=job_queue.real_app(), burst=burst, echo=click.echo)
    except redis.RedisError as error:  # only --burst gives up; a long-running worker waits
        raise click.ClickException(f"Redis unreachable: {error}") from error
    click.echo(f"Job worker {os.getpid()} stopped after {ran} job(s).")


@jobs_cli.command("work")
@click.option("--once", is_flag=True, help="Run at most one job, then exit.")
@click.option("--idle-exit", is_flag=True, help="Exit as soon as the queue is empty.")
def jobs_work(once: bool, idle_exit: bool) -> None:
    """Run queued jobs by polling the database, without Redis (JOB_BACKEND=table)."""
    from listening_state.services import job_worker

    click.echo(f"Job worker {os.getpid()} started.")
    ran = job_worker.work(once=once, idle_exit=idle_exit, echo=click.echo)
    click.echo(f"Job worker {os.getpid()} stopped after {ran} job(s).")


@jobs_cli.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
def jobs_list(limit: int) -> None:
    """The latest background jobs, newest first, with their status and progress."""
    from listening_state.services import jobs

    for job in jobs.recent_jobs(actor=SYSTEM, limit=limit):
        detail = job.error if job.status is JobStatus.FAILED else job.message
        click.echo(
            f"{job.id:>6}  {job.created_at:%Y-%m-%d %H:%M}  {job.status.value:<7}  "
            f"{job.progress:6.1%}  {job.kind} {job.subject_key}  {last_line(detail)}"
        )


@security_cli.command("encrypt-totp-secrets")
def security_encrypt_totp_secrets() -> None:
    """Encrypt under the first of TOTP_ENCRYPTION_KEYS every second-factor secret that is not:
    stored in plain text before encryption, or under an older key (after a rotation)."""
    report = two_factor.seal_stored_secrets(actor=SYSTEM)
    click.echo(f"{report.sealed_again} secret(s) encrypted under the first key.")
    if report.unreadable:
        raise click.ClickException(
            "no configured key opens the secret of: " + ", ".join(report.unreadable)
        )
