"""Commands for the trained models: the submission router and the moderation-risk hint."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from listening_state.authz import SYSTEM
from listening_state.ml.moderation import ModerationModel
from listening_state.models import RouterVersion
from listening_state.services import router_versions
from listening_state.services.errors import NotFound
from listening_state.services.router_registry import active_version

router_cli = AppGroup("router", help="The submission router: train, activate, evaluate.")
moderation_cli = AppGroup("moderation", help="The moderation-risk hint: train it, fill hints in.")


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
