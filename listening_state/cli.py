"""Flask command groups: demo content, accounts, the router, themes and background jobs."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import click
import redis
from flask import Flask, current_app
from flask.cli import AppGroup

from listening_state.authz import SYSTEM
from listening_state.ml.moderation import ModerationModel
from listening_state.models import JobStatus, Role, RouterVersion
from listening_state.services import accounts, councils, ministries, router_versions, two_factor
from listening_state.services.errors import InvalidTransition, NotFound, ValidationFailed
from listening_state.services.router_registry import active_version

demo_cli = AppGroup("demo", help="Demonstration content.")
users_cli = AppGroup("users", help="User accounts.")
router_cli = AppGroup("router", help="The submission router: train, activate, evaluate.")
calendar_cli = AppGroup("calendar", help="The working calendar: public holidays, day transfers.")
moderation_cli = AppGroup("moderation", help="The moderation-risk hint: train it, fill hints in.")
outbox_cli = AppGroup("outbox", help="E-mail: send what waits in the outbox, queue digests.")
themes_cli = AppGroup("themes", help="What we heard: theme rebuilds, and themes of a CSV file.")
jobs_cli = AppGroup("jobs", help="Background jobs: the worker and the queue.")
monitoring_cli = AppGroup("monitoring", help="The public monitoring figures and their rollup.")
security_cli = AppGroup("security", help="Sign-in security: the second factor's stored secrets.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load demo ministries, councils, consultations and accounts (safe to run again)."""
    from listening_state.demo.loader import load_demo

    shared = current_app.config.get("SHARED_DATA_DIR")
    report = load_demo(Path(shared) if shared else None)
    click.echo(report.summary())


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", "display_name", default="", help="Display name (defaults to the e-mail).")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.CITIZEN.value)
@click.option("--ministry", "ministry_code", help="Ministry code, for a ministry officer.")
@click.option("--council", "council_id", type=int, help="Council id, for a council member.")
@click.option("--language", type=click.Choice(accounts.LANGUAGES), default="kk")
def users_create(
    email: str,
    password: str,
    display_name: str,
    role: str,
    ministry_code: str | None,
    council_id: int | None,
    language: str,
) -> None:
    """Create an account with one role."""
    try:
        ministry = ministries.get_by_code(ministry_code) if ministry_code else None
        council = councils.get_council(council_id) if council_id else None
        user = accounts.create_user(
            email=email,
            display_name=display_name or email.split("@")[0],
            password=password,
            language=language,
            roles=[(Role(role), ministry, council)],
        )
    except (ValidationFailed, NotFound) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created user {user.id} <{user.email}> with role {role}.")


def _shared_data_dir() -> Path:
    from listening_state.demo.loader import resolve_shared_data_dir

    return resolve_shared_data_dir()


def _describe(row: RouterVersion) -> str:
    return (
        f"{row.version}  examples={row.n_examples} (human {row.n_human_examples})  "
        f"cv_accuracy={row.cv_accuracy:.3f}  cv_macro_f1={row.cv_macro_f1:.3f}  "
        f"threshold={row.threshold:.3f}  coverage={row.coverage:.1%}"
        f"{'  ACTIVE' if row.is_active else ''}"
    )


@router_cli.command("train")
@click.option("--activate", is_flag=True, help="Make the new version active at once.")
@click.option("--queue", is_flag=True, help="Queue it as a background job instead.")
def router_train(activate: bool, queue: bool) -> None:
    """Train a new version from every human routing decision plus the seed data."""
    if queue:
        from listening_state.services import router_jobs

        job = router_jobs.request_training(actor=SYSTEM, activate=activate)
        click.echo(f"Job {job.id} is {job.status.value}; follow it with `flask jobs list`.")
        return
    row = router_versions.train_version(actor=SYSTEM, shared_data_dir=_shared_data_dir())
    if activate:
        row = router_versions.activate_version(actor=SYSTEM, version=row.version)
    click.echo(_describe(row))


@router_cli.command("bootstrap")
def router_bootstrap() -> None:
    """Train and activate a first version when none is active (used by `make run`)."""
    active = active_version()
    if active is not None:
        click.echo(f"Router version {active.version} is active.")
        return
    click.echo("No active router: training the first version from the seed data...")
    row = router_versions.train_version(actor=SYSTEM, shared_data_dir=_shared_data_dir())
    click.echo(_describe(router_versions.activate_version(actor=SYSTEM, version=row.version)))


@router_cli.command("activate")
@click.argument("version")
def router_activate(version: str) -> None:
    """Make VERSION the active router in every process; rolling back is the same command."""
    try:
        row = router_versions.activate_version(actor=SYSTEM, version=version)
    except NotFound as error:
        raise click.ClickException(f"no router version {version}; see `router list`") from error
    click.echo(_describe(row))


@router_cli.command("list")
def router_list() -> None:
    """Every trained version, newest first."""
    for row in router_versions.list_versions():
        click.echo(_describe(row))


@router_cli.command("evaluate")
@click.option("--train", "train_path", required=True, type=click.Path(path_type=Path))
@click.option("--test", "test_path", type=click.Path(path_type=Path))
@click.option("--text-column", required=True)
@click.option("--label-column", required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def router_evaluate(
    train_path: Path, test_path: Path | None, text_column: str, label_column: str, as_json: bool
) -> None:
    """Train with the production procedure on TRAIN and report how it does (no database)."""
    from listening_state.ml.evaluation import EvaluationDataError, evaluate_csv
    from listening_state.ml.routing import RouterSettings

    settings = RouterSettings(target_precision=current_app.config["ROUTER_TARGET_PRECISION"])
    try:
        result = evaluate_csv(train_path, test_path, text_column, label_column, settings)
    except EvaluationDataError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    for key, value in result.items():
        if key != "per_class":
            click.echo(f"{key:24} {value}")


def _describe_risk_model(path: Path, model: ModerationModel) -> str:
    report = model.report
    if report is None:
        return path.name
    return (
        f"{path.name}  examples={report.n_risk_examples}  "
        f"cv_average_precision={report.cv_risk_average_precision:.3f}  "
        f"cv_roc_auc={report.cv_risk_roc_auc:.3f}"
    )


@moderation_cli.command("train")
def moderation_train() -> None:
    """Train the risk hint from real decisions in shared data plus moderators' decisions here."""
    from listening_state.services import moderation_hints

    path, model = moderation_hints.train_risk_model(_shared_data_dir())
    click.echo(_describe_risk_model(path, model))


@moderation_cli.command("bootstrap")
def moderation_bootstrap() -> None:
    """Train a first risk model if there is none, then hint every submission without hints."""
    from listening_state.services import moderation_hints

    try:
        moderation_hints.active_risk_model()
        click.echo("A moderation model is in place.")
    except moderation_hints.RiskModelUnavailable:
        click.echo("No moderation model: training the first one from real decisions...")
        path, model = moderation_hints.train_risk_model(_shared_data_dir())
        click.echo(_describe_risk_model(path, model))
    click.echo(f"Risk hints added to {moderation_hints.backfill_hints()} submissions.")


@calendar_cli.command("seed")
@click.option(
    "--year",
    "years",
    type=int,
    multiple=True,
    help="Repeat for several years (default: this year and next).",
)
def calendar_seed(years: tuple[int, ...]) -> None:
    """Add the shipped public holidays not yet in the calendar (safe to run again)."""
    from listening_state.services import calendar
    from listening_state.services.deadlines import today

    this_year = today().year
    try:
        result = calendar.seed_calendar(actor=SYSTEM, years=years or (this_year, this_year + 1))
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Calendar days added: {result.added}")
    for year in result.kurban_ait_missing:
        click.echo(f"No Kurban Ait date shipped for {year}: add it on the calendar page.")


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


def _print_progress(fraction: float, message: str) -> None:
    click.echo(f"{fraction:7.1%}  {message}")


def _last_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[-1]


@themes_cli.command("rebuild")
@click.option("--consultation", "consultation_id", type=int, help="A consultation's id.")
@click.option("--ministry", "ministry_code", help="A ministry's code: everything it received.")
@click.option("--wait", is_flag=True, help="Run it here, printing progress, not in the worker.")
def themes_rebuild(consultation_id: int | None, ministry_code: str | None, wait: bool) -> None:
    """Rebuild the themes of a consultation or of a ministry (as a background job)."""
    from listening_state.services import consultations, jobs, theme_builds

    if (consultation_id is None) == (ministry_code is None):
        raise click.UsageError("give either --consultation ID or --ministry CODE")
    try:
        consultation = (
            consultations.get_managed_consultation(actor=SYSTEM, consultation_id=consultation_id)
            if consultation_id is not None
            else None
        )
        ministry = ministries.get_by_code(ministry_code) if ministry_code else None
    except NotFound as error:
        raise click.UsageError(str(error)) from error
    job = theme_builds.request_rebuild(actor=SYSTEM, consultation=consultation, ministry=ministry)
    if not wait:
        click.echo(f"Job {job.id} is {job.status.value}; follow it with `flask jobs list`.")
        return
    try:
        finished = jobs.run_now(job, on_progress=_print_progress)
    except InvalidTransition as error:
        raise click.ClickException(f"{error}; follow it with `flask jobs list`") from error
    if finished.status is not JobStatus.DONE:
        raise click.ClickException(f"job {finished.id} failed:\n{finished.error}")
    click.echo(f"Job {finished.id}: {finished.message}.")


@themes_cli.command("bootstrap")
@click.option("--min-submissions", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--queue", is_flag=True, help="Only queue the builds, for the worker to run.")
def themes_bootstrap(min_submissions: int, queue: bool) -> None:
    """Build themes for each published consultation with enough submissions and no themes
    yet (safe to run again). `make run` queues them, so the site starts at once and the
    worker beside it builds them in a minute or two."""
    from listening_state.services import jobs, theme_builds

    started = time.perf_counter()
    pending = theme_builds.consultations_without_themes(min_submissions=min_submissions)
    built = 0
    for consultation in pending:
        job = theme_builds.request_rebuild(actor=SYSTEM, consultation=consultation)
        if queue:
            continue
        try:
            finished = jobs.run_now(job)
        except InvalidTransition:
            click.echo(f"Consultation {consultation.id}: a worker is rebuilding its themes.")
            continue
        built += int(finished.status is JobStatus.DONE)
        outcome = finished.message if finished.status is JobStatus.DONE else finished.error
        click.echo(
            f"Consultation {consultation.id}: {finished.status.value}, {_last_line(outcome)}"
        )
    if queue:
        click.echo(f"Theme builds queued for {len(pending)} consultations; the worker runs them.")
        return
    seconds = time.perf_counter() - started
    click.echo(f"Themes built for {built} of {len(pending)} consultations in {seconds:.1f} s.")


@themes_cli.command("summarise")
@click.option("--csv", "csv_path", required=True, type=click.Path(path_type=Path))
@click.option("--text-column", required=True)
@click.option("--id-column", help="Row ids (unique); default: row numbers from 1.")
@click.option("--date-column", help="ISO 8601 dates of the rows.")
@click.option("--max-themes", type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def themes_summarise(
    csv_path: Path,
    text_column: str,
    id_column: str | None,
    date_column: str | None,
    max_themes: int | None,
    as_json: bool,
) -> None:
    """Themes and campaigns of the texts of a UTF-8 CSV file (no database involved)."""
    from listening_state.ml.theme_summary_csv import EvaluationDataError, read_text_csv, summarise

    try:
        rows = read_text_csv(csv_path, text_column, id_column, date_column)
    except EvaluationDataError as error:
        raise click.BadParameter(str(error), param_hint="--csv") from error
    result = summarise(rows, max_themes=max_themes)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    for theme in result["themes"]:
        click.echo(f"{theme['id']:>3}  {theme['size']:>6}  {theme['share']:6.1%}  {theme['label']}")
    click.echo(f"campaigns: {len(result['campaigns'])}, seconds: {result['seconds']}")


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
            f"{job.progress:6.1%}  {job.kind} {job.subject_key}  {_last_line(detail)}"
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


def register(app: Flask) -> None:
    app.cli.add_command(security_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(monitoring_cli)
    app.cli.add_command(themes_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(moderation_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(router_cli)
