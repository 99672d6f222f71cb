"""Commands for what we heard: theme rebuilds, and the themes of a CSV file."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask.cli import AppGroup

from listening_state.authz import SYSTEM
from listening_state.cli.echo import last_line, print_progress
from listening_state.models import JobStatus
from listening_state.services import ministries
from listening_state.services.errors import InvalidTransition, NotFound

themes_cli = AppGroup("themes", help="What we heard: theme rebuilds, and themes of a CSV file.")


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
        finished = jobs.run_now(job, on_progress=print_progress)
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
        click.echo(f"Consultation {consultation.id}: {finished.status.value}, {last_line(outcome)}")
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
