"""Flask command groups: demo content and user accounts."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from listening_state.authz import SYSTEM
from listening_state.ml.moderation import ModerationModel
from listening_state.models import Role, RouterVersion
from listening_state.services import accounts, councils, ministries, router_versions
from listening_state.services.errors import NotFound, ValidationFailed
from listening_state.services.router_registry import active_version

demo_cli = AppGroup("demo", help="Demonstration content.")
users_cli = AppGroup("users", help="User accounts.")
router_cli = AppGroup("router", help="The submission router: train, activate, evaluate.")
calendar_cli = AppGroup("calendar", help="The working calendar: public holidays, day transfers.")
moderation_cli = AppGroup("moderation", help="The moderation-risk hint: train it, fill hints in.")


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
def router_train(activate: bool) -> None:
    """Train a new version from every human routing decision plus the seed data."""
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


def register(app: Flask) -> None:
    app.cli.add_command(calendar_cli)
    app.cli.add_command(moderation_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(router_cli)
